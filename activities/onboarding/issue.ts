import { randomUUID } from 'node:crypto';
import { ActivationLink, SerialNumber } from '../../db/entities';
import { activationToken } from '../../domain/activation-token';
import { generateSerialNumber, serialNumberHash } from '../../domain/serial-number';
import type { ActivityDeps } from '..';
import { hash, loadOnboarding } from './shared';

/** Step 2: what takes the client to the bank, an activation link or (serial flavour) a serial number. */
export function createIssueActivities({
  orm,
  activationLinkKeys,
  tokenCipher,
}: Pick<ActivityDeps, 'orm' | 'activationLinkKeys' | 'tokenCipher'>) {
  return {
    /** Step 2 (R-A9, R-A10): a new single-use link; earlier open links of this onboarding stop working. */
    async issueActivationLink(input: { onboardingId: string; deadline: string }): Promise<{ linkId: string }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      await em.nativeUpdate(ActivationLink, { onboarding, usedAt: null, revokedAt: null }, { revokedAt: new Date() });
      const link = em.create(ActivationLink, {
        organization: onboarding.organization,
        onboarding,
        tokenHash: '',
        expiresAt: new Date(input.deadline),
        usedAt: null,
        revokedAt: null,
      });
      link.id = randomUUID();
      link.tokenHash = hash(activationToken(activationLinkKeys[0]!, link.id));
      await em.flush();
      return { linkId: link.id };
    },

    /**
     * Step 2 of the serial flavour (R-V6, R-V7): a new serial number, valid until the consent deadline; earlier
     * open ones of this onboarding stop working (a resend, or staff replacing a locked one). Answers only its id.
     */
    async issueSerialNumber(input: { onboardingId: string; deadline: string }): Promise<{ serialNumberId: string }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      await em.nativeUpdate(SerialNumber, { onboarding, usedAt: null, revokedAt: null }, { revokedAt: new Date() });
      const serial = generateSerialNumber();
      const row = em.create(SerialNumber, {
        organization: onboarding.organization,
        onboarding,
        numberHash: serialNumberHash(tokenCipher, serial),
        numberEncrypted: tokenCipher.encrypt(serial),
        expiresAt: new Date(input.deadline),
        failedAttempts: 0,
        lockedAt: null,
        usedAt: null,
        revokedAt: null,
      });
      // 54 random bits: a clash with an existing hash fails the unique index, and the retried activity draws anew.
      await em.flush();
      return { serialNumberId: row.id };
    },
  };
}
