import { ApplicationFailure } from '@temporalio/common';
import { ActivationLink, Consent, ConsentAttempt, SerialNumber } from '../../db/entities';
import { ERROR_TYPES } from '../../domain/error-types';
import { createOAuthState, createPkcePair } from '../../domain/pkce';
import type { ActivityDeps } from '..';
import { hash, loadOnboarding } from './shared';

export function callbackUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}/connect/callback`;
}

/** Step 4: the client's trip to the bank and back, which ends in a consent or a refusal. */
export function createConsentActivities({
  orm,
  bankConnector,
  tokenCipher,
  publicBaseUrl,
}: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher' | 'publicBaseUrl'>) {
  return {
    /** Step 4a: the bank consent and the client's trip there (OAuth2 authorization code, state, PKCE S256). */
    async beginConsent(input: { onboardingId: string; linkId: string }): Promise<{ attemptId: string }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      const connector = bankConnector(onboarding.bankCode);
      const validUntil = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
      const consent = await connector.createConsent({ validUntil, frequencyPerDay: 6, recurringIndicator: true });
      const state = createOAuthState();
      const pkce = createPkcePair();
      const attempt = em.create(ConsentAttempt, {
        organization: onboarding.organization,
        onboarding,
        bankCode: onboarding.bankCode,
        bankConsentId: consent.consentId,
        stateHash: hash(state),
        stateEncrypted: tokenCipher.encrypt(state),
        codeVerifierEncrypted: tokenCipher.encrypt(pkce.verifier),
        codeEncrypted: null,
        error: null,
        redirectUri: callbackUrl(publicBaseUrl),
        returnedAt: null,
      });
      await em.flush();
      return { attemptId: attempt.id };
    },

    /**
     * Step 4b: exchange the code the bank returned, store the consent with its tokens encrypted (R-A3 refusals
     * pass through).
     */
    async exchangeConsentCode(input: {
      onboardingId: string;
      attemptId: string;
    }): Promise<{ outcome: 'consented'; consentId: string } | { outcome: 'refused'; reason: string }> {
      const em = orm.em.fork();
      const attempt = await em.findOneOrFail(ConsentAttempt, { id: input.attemptId, onboarding: input.onboardingId });
      if (attempt.error) return { outcome: 'refused', reason: attempt.error };
      if (!attempt.codeEncrypted)
        throw ApplicationFailure.nonRetryable(
          'the bank returned neither a code nor an error',
          ERROR_TYPES.consentInvalid,
        );
      const connector = bankConnector(attempt.bankCode);
      const tokens = await connector.exchangeCode({
        code: tokenCipher.decrypt(attempt.codeEncrypted),
        codeVerifier: tokenCipher.decrypt(attempt.codeVerifierEncrypted),
        redirectUri: attempt.redirectUri,
      });
      const bankConsent = await connector.getConsent(attempt.bankConsentId, {
        consentId: attempt.bankConsentId,
        accessToken: tokens.accessToken,
        unattended: true,
      });
      if (bankConsent.status !== 'valid')
        return { outcome: 'refused', reason: `the bank reports the consent as ${bankConsent.status}` };
      const consent = em.create(Consent, {
        organization: attempt.organization,
        bankCode: attempt.bankCode,
        bankConsentId: attempt.bankConsentId,
        status: 'valid',
        validUntil: bankConsent.validUntil,
        frequencyPerDay: bankConsent.frequencyPerDay,
        accessTokenEncrypted: tokenCipher.encrypt(tokens.accessToken),
        refreshTokenEncrypted: tokenCipher.encrypt(tokens.refreshToken),
        tokenExpiresAt: tokens.expiresAt,
      });
      attempt.codeEncrypted = null;
      await em.flush();
      await em.nativeUpdate(
        ActivationLink,
        { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
        { usedAt: new Date() },
      );
      await em.nativeUpdate(
        SerialNumber,
        { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
        { usedAt: new Date() },
      );
      return { outcome: 'consented', consentId: consent.id };
    },
  };
}
