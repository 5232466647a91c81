import type { Router } from 'express';
import { emailProblem } from '../../../domain/email';
import { accountManagerUpdate } from '../../../workflows/onboarding/contract';
import { csrfField, ensureCsrfSecret } from '../csrf';
import { clearFormFlash, readFormFlash, writeFormFlash } from '../form-flash';
import { pageLanguage, sendPage } from '../pages';
import { progress, type FieldMessage } from '../wizard-text';
import { writeWizardSession } from '../wizard-session';
import { fields, messages, refusalReason, unusable, type WizardContext } from './context';

type ConnectionErrors = Partial<Record<'name' | 'email', FieldMessage>>;

/** Step 2 (R-V10): the account manager the office names for this connection. */
export function connectionStep(router: Router, { services, limits, secure, cipher, form, currentStep }: WizardContext) {
  router.get('/connection', limits.read, async (req, res) => {
    const step = await currentStep(req, res, { accepted: true });
    if (!step) return;
    const flash = readFormFlash(req, cipher, secure, 'connection');
    const onboarding = step.onboarding;
    const manager = flash
      ? { name: flash.fields.name ?? '', email: flash.fields.email ?? '' }
      : (step.session.accountManager ?? {
          name: onboarding.accountManagerName ?? '',
          email: onboarding.accountManagerEmail ?? '',
        });
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    const errors = flash?.errors ?? {};
    sendPage(req, res, 200, 'wizard-connection', {
      steps: progress('connection', lang),
      companyName: step.session.companyName,
      officeName: onboarding.organization.name,
      values: manager,
      errors: messages(['name', 'email'], errors, lang),
      hasErrors: Object.keys(errors).length > 0,
      csrf: csrfField(secret, step.session.serialNumberId, 'wizard-connection'),
      action: `/wizard/connection?lang=${lang}`,
      backUrl: `/wizard/terms?lang=${lang}`,
    });
  });

  router.post('/connection', limits.write, form, async (req, res) => {
    const lang = pageLanguage(req);
    const step = await currentStep(req, res, { purpose: 'wizard-connection', accepted: true });
    if (!step) return;
    const body = fields(req);
    const manager = { name: (body.name ?? '').trim(), email: (body.email ?? '').trim() };
    const errors: ConnectionErrors = {};
    if (!manager.name || manager.name.length > 200) errors.name = { code: 'name' };
    if (manager.email.length > 320 || emailProblem(manager.email)) errors.email = { code: 'email' };
    if (Object.keys(errors).length) {
      const typed = { name: manager.name.slice(0, 200), email: manager.email.slice(0, 320) };
      writeFormFlash(res, cipher, secure, { form: 'connection', fields: typed, choice: null, errors });
      return void res.redirect(303, `/wizard/connection?lang=${lang}`);
    }
    try {
      await services.temporal.workflow
        .getHandle(step.onboarding.workflowId)
        .executeUpdate(accountManagerUpdate, { args: [{ serialNumberId: step.session.serialNumberId, ...manager }] });
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      return unusable(req, res, 'refused', reason);
    }
    writeWizardSession(res, cipher, secure, { ...step.session, accountManager: manager });
    clearFormFlash(res, secure);
    res.redirect(303, `/wizard/consent?lang=${lang}`);
  });
}
