import { CONSENT_STATUSES, type ConsentStatus } from '../../domain/consent';
import { fitFields, isCalendarDate } from '../../domain/fit-entry';
import { normaliseIban } from '../../domain/iban';
import { CONSENT_FIELD_LIMITS, MAX_FREQUENCY_PER_DAY } from '../../domain/value-limits';
import type { BankConsent, BankSession, CreateConsentInput, CreatedConsent } from '../connector';
import { BankRequestError, ConsentInvalidError } from '../errors';
import { consentSchema, createdConsentSchema, parseAnswer } from './schemas';
import type { Xs2aApi } from './xs2a';

/** The AIS consent the client authorises at the bank: created here, read back, and deleted on undo. */

export async function createConsent(api: Xs2aApi, input: CreateConsentInput): Promise<CreatedConsent> {
  // Empty lists ask for a bank-offered consent: the client picks the accounts at the bank.
  const references = (input.ibans ?? []).map((iban) => ({ iban: normaliseIban(iban) }));
  const body = {
    access: { accounts: references, balances: references, transactions: references },
    recurringIndicator: input.recurringIndicator,
    validUntil: input.validUntil,
    frequencyPerDay: input.frequencyPerDay,
    combinedServiceIndicator: false,
  };
  const answer = await api.call('POST', api.url('v1/consents'), { body, psuIpAddress: input.psuIpAddress });
  const created = parseAnswer(api.bankCode, createdConsentSchema, answer.json, 'consent creation');
  const fit = fitFields(created, CONSENT_FIELD_LIMITS);
  if (fit.refusals.length > 0) throw refused(api.bankCode, fit.refusals);
  return { consentId: created.consentId, consentStatus: consentStatus(api.bankCode, created.consentStatus) };
}

/** Banks may shorten validUntil and lower frequencyPerDay; this reads what they granted. */
export async function getConsent(api: Xs2aApi, consentId: string, session?: BankSession): Promise<BankConsent> {
  const answer = await api.call('GET', consentUrl(api, consentId), { session });
  const consent = parseAnswer(api.bankCode, consentSchema, answer.json, 'consent');
  const refusals = [
    ...(isCalendarDate(consent.validUntil) ? [] : [`validUntil "${consent.validUntil}" is not a date`]),
    ...(consent.frequencyPerDay <= MAX_FREQUENCY_PER_DAY ? [] : [`frequencyPerDay ${consent.frequencyPerDay}`]),
  ];
  if (refusals.length > 0) throw refused(api.bankCode, refusals);
  const references = [
    ...(consent.access?.accounts ?? []),
    ...(consent.access?.balances ?? []),
    ...(consent.access?.transactions ?? []),
  ];
  return {
    consentId,
    status: consentStatus(api.bankCode, consent.consentStatus),
    validUntil: consent.validUntil,
    frequencyPerDay: consent.frequencyPerDay,
    recurringIndicator: consent.recurringIndicator,
    accounts: [...new Set(references.flatMap((r) => (r.iban ? [normaliseIban(r.iban)] : [])))],
  };
}

export async function deleteConsent(api: Xs2aApi, consentId: string, session?: BankSession): Promise<void> {
  try {
    await api.call('DELETE', consentUrl(api, consentId), { session });
  } catch (error) {
    // Revoked, expired or forgotten: either way the consent grants nothing any more, which is what we wanted.
    if (!(error instanceof ConsentInvalidError)) throw error;
  }
}

function consentUrl(api: Xs2aApi, consentId: string): URL {
  return api.url(`v1/consents/${encodeURIComponent(consentId)}`);
}

function consentStatus(bankCode: string, status: string): ConsentStatus {
  if ((CONSENT_STATUSES as readonly string[]).includes(status)) return status as ConsentStatus;
  // Multi-level SCA: some signers have authorised, others have not yet; to us it is not valid yet.
  if (status === 'partiallyAuthorised') return 'received';
  throw new BankRequestError(`the bank sent consent status "${status}", which this client does not know`, { bankCode });
}

/** The rule of domain/value-limits.ts: a consent whose values cannot be stored is the bank's mistake, not retried. */
function refused(bankCode: string, refusals: string[]): BankRequestError {
  return new BankRequestError(`the bank's consent cannot be stored: ${refusals.join('; ')}`, { bankCode });
}
