import type { Router } from 'express';
import { bankName } from '../../../domain/bank';
import { claimSerialUpdate } from '../../../workflows/onboarding/contract';
import { csrfField, ensureCsrfSecret } from '../csrf';
import { clearFormFlash, readFormFlash, writeFormFlash } from '../form-flash';
import { pageLanguage, sendPage } from '../pages';
import { progress, type FieldMessage } from '../wizard-text';
import { writeWizardSession } from '../wizard-session';
import { fields, messages, refusalReason, unusable, type WizardContext } from './context';

type TermsErrors = Partial<Record<'insideBusiness' | 'acceptTerms' | 'acceptPrivacy', FieldMessage>>;

/** Step 1, second half: now that the serial number told the bank and office, what only they decide. */
export function termsStep(router: Router, { services, limits, secure, cipher, form, currentStep }: WizardContext) {
  router.get('/terms', limits.read, async (req, res) => {
    const step = await currentStep(req, res, { accepted: false });
    if (!step) return;
    const { session, onboarding } = step;
    const lang = pageLanguage(req);
    const flash = readFormFlash(req, cipher, secure, 'terms');
    const answered = session.insideBusiness === null ? '' : session.insideBusiness ? 'yes' : 'no';
    const insideBusiness = flash ? flash.fields.insideBusiness : answered;
    const errors = flash?.errors ?? {};
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, 200, 'wizard-terms', {
      steps: progress('details', lang),
      companyName: session.companyName,
      kvkNumber: session.kvkNumber,
      serial: session.serial,
      bankName: bankName(onboarding.bankCode),
      officeName: onboarding.organization.name,
      ing: onboarding.bankCode === 'INGB',
      values: {
        insideBusinessYes: insideBusiness === 'yes',
        insideBusinessNo: insideBusiness === 'no',
        acceptTerms: flash ? flash.fields.acceptTerms === 'yes' : session.accepted,
        acceptPrivacy: flash ? flash.fields.acceptPrivacy === 'yes' : session.accepted,
      },
      errors: messages(['insideBusiness', 'acceptTerms', 'acceptPrivacy'], errors, lang),
      hasErrors: Object.keys(errors).length > 0,
      termsUrl: onboarding.organization.termsUrl ?? `/terms?lang=${lang}`,
      privacyUrl: onboarding.organization.privacyUrl ?? `/privacy?lang=${lang}`,
      csrf: csrfField(secret, session.serialNumberId, 'wizard-terms'),
      action: `/wizard/terms?lang=${lang}`,
      backUrl: `/wizard/details?lang=${lang}`,
    });
  });

  router.post('/terms', limits.write, form, async (req, res) => {
    const lang = pageLanguage(req);
    const step = await currentStep(req, res, { purpose: 'wizard-terms', accepted: false });
    if (!step) return;
    const { session, onboarding } = step;
    const body = fields(req);
    const ing = onboarding.bankCode === 'INGB';
    const answers = {
      insideBusiness: body.insideBusiness === 'yes' || body.insideBusiness === 'no' ? body.insideBusiness : '',
      acceptTerms: body.acceptTerms === 'yes' ? 'yes' : '',
      acceptPrivacy: body.acceptPrivacy === 'yes' ? 'yes' : '',
    };
    const errors: TermsErrors = {};
    if (ing && !answers.insideBusiness) errors.insideBusiness = { code: 'required' };
    if (!answers.acceptTerms) errors.acceptTerms = { code: 'accept-terms' };
    if (!answers.acceptPrivacy) errors.acceptPrivacy = { code: 'accept-privacy' };
    if (Object.keys(errors).length) {
      writeFormFlash(res, cipher, secure, { form: 'terms', fields: answers, choice: null, errors });
      return void res.redirect(303, `/wizard/terms?lang=${lang}`);
    }
    const insideBusiness = ing && answers.insideBusiness === 'yes';
    const now = new Date().toISOString();
    try {
      await services.temporal.workflow.getHandle(onboarding.workflowId).executeUpdate(claimSerialUpdate, {
        args: [
          {
            serialNumberId: session.serialNumberId,
            details: { insideBusiness, termsAcceptedAt: now, privacyAcceptedAt: now },
          },
        ],
      });
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      return unusable(req, res, 'refused', reason);
    }
    const answered = { insideBusiness: ing ? insideBusiness : null, accepted: true };
    writeWizardSession(res, cipher, secure, { ...session, ...answered });
    clearFormFlash(res, secure);
    res.redirect(303, `/wizard/connection?lang=${lang}`);
  });
}
