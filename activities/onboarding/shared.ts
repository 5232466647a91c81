import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConsentInvalidError } from '../../banks/errors';
import { countCalls } from '../../db/bank-call-counts';
import { Consent, Onboarding } from '../../db/entities';
import { ACCOUNT_LIST_CALL } from '../../domain/bank-allowance';
import { ERROR_TYPES } from '../../domain/error-types';
import type { ActivityDeps } from '..';

/** The onboarding with what every step reads of it: where it connects, for which client, for which office. */
export function loadOnboarding(em: EntityManager, onboardingId: string) {
  return em.findOneOrFail(
    Onboarding,
    { id: onboardingId },
    { populate: ['environment', 'clientCompany', 'organization'] },
  );
}

/**
 * The accounts the consent covers, straight from the bank; an invalid consent is not worth retrying. The list
 * is an unattended call like every other (the client has left our page), so it is counted against the allowance.
 */
export async function consentedAccounts(
  deps: Pick<ActivityDeps, 'bankConnector' | 'tokenCipher'>,
  em: EntityManager,
  bankCode: string,
  consentId: string,
) {
  const consent = await em.findOneOrFail(Consent, { id: consentId });
  const verdict = await countCalls(em, consent, [ACCOUNT_LIST_CALL], new Date());
  if (!verdict.allowed) {
    const wait = Math.max(1, Math.ceil((Date.parse(verdict.nextRunAt) - Date.now()) / 1000));
    throw ApplicationFailure.create({
      message: verdict.reason,
      type: ERROR_TYPES.rateLimited,
      nextRetryDelay: `${wait} seconds`,
    });
  }
  const accessToken = deps.tokenCipher.decrypt(consent.accessTokenEncrypted ?? '');
  const session = { consentId: consent.bankConsentId, accessToken, unattended: true as const };
  return deps
    .bankConnector(bankCode)
    .listAccounts(session)
    .catch((error: unknown) => {
      if (error instanceof ConsentInvalidError) throw ApplicationFailure.nonRetryable(error.message, error.type);
      throw error;
    });
}

export function hash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
