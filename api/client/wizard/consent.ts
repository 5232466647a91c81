import type { Router } from 'express';
import { ConsentAttempt } from '../../../db/entities';
import { bankName } from '../../../domain/bank';
import { pkceChallenge } from '../../../domain/pkce';
import { startConsentUpdate } from '../../../workflows/onboarding/contract';
import { bindBrowser } from '../browser-binding';
import { csrfField, ensureCsrfSecret } from '../csrf';
import { pageLanguage, sendPage } from '../pages';
import { progress } from '../wizard-text';
import { refusalReason, unusable, type WizardContext } from './context';

/** Step 3: the button that sends the client to the bank; the bank's way back is api/client/index.ts's callback. */
export function consentStep(router: Router, { services, log, limits, secure, form, currentStep }: WizardContext) {
  router.get('/consent', limits.read, async (req, res) => {
    const step = await currentStep(req, res, { accepted: true });
    if (!step) return;
    const lang = pageLanguage(req);
    if (!step.session.accountManager) return void res.redirect(303, `/wizard/connection?lang=${lang}`);
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, 200, 'wizard-consent', {
      steps: progress('consent', lang),
      companyName: step.session.companyName,
      bankName: bankName(step.onboarding.bankCode),
      ing: step.onboarding.bankCode === 'INGB',
      insideBusiness: step.session.insideBusiness === true,
      csrf: csrfField(secret, step.session.serialNumberId, 'wizard-consent'),
      action: `/wizard/consent?lang=${lang}`,
      backUrl: `/wizard/connection?lang=${lang}`,
    });
  });

  router.post('/consent', limits.write, form, async (req, res) => {
    const step = await currentStep(req, res, { purpose: 'wizard-consent', accepted: true });
    if (!step) return;
    let attemptId: string;
    try {
      ({ attemptId } = await services.temporal.workflow
        .getHandle(step.onboarding.workflowId)
        .executeUpdate(startConsentUpdate, { args: [{ linkId: step.session.serialNumberId }] }));
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      return unusable(req, res, 'refused', reason);
    }
    const em = services.orm.em.fork();
    await em.nativeUpdate(
      ConsentAttempt,
      { id: attemptId, onboarding: step.onboarding.id },
      { browserHash: bindBrowser(req, res, secure) },
    );
    const attempt = await em.findOneOrFail(ConsentAttempt, { id: attemptId, onboarding: step.onboarding.id });
    const authorizationUrl = await services.bankConnector(attempt.bankCode).authorizationUrl({
      consentId: attempt.bankConsentId,
      state: services.tokenCipher.decrypt(attempt.stateEncrypted),
      codeChallenge: pkceChallenge(services.tokenCipher.decrypt(attempt.codeVerifierEncrypted)),
      redirectUri: attempt.redirectUri,
    });
    log.info({ onboardingId: step.onboarding.id, attemptId }, 'wizard: client sent to the bank for consent');
    res.redirect(303, authorizationUrl);
  });
}
