import type { Router } from 'express';
import { Onboarding } from '../../../db/entities';
import { kvkNumberProblem } from '../../../domain/kvk';
import { formatSerialNumber, serialNumberProblem } from '../../../domain/serial-number';
import { csrfField, csrfValid, ensureCsrfSecret } from '../csrf';
import { clearFormFlash, readFormFlash, writeFormFlash } from '../form-flash';
import { pageLanguage, sendPage } from '../pages';
import { reportSerialLocked, verifySerial } from '../serial-check';
import { progress, type FieldMessage } from '../wizard-text';
import { readWizardSession, writeWizardSession } from '../wizard-session';
import { fields, messages, problem, type WizardContext } from './context';

/** Until the client has a session, the Details form's CSRF field is bound to this instead of a serial number. */
const DETAILS_BINDING = 'wizard-details';

interface DetailsValues {
  kvkNumber: string;
  companyName: string | null;
  serial: string;
}
type DetailsErrors = Partial<Record<'kvkNumber' | 'serial', FieldMessage>>;

/** Step 1, first half: KvK number and serial number, which together say which onboarding, bank and office. */
export function detailsStep(
  router: Router,
  { services, log, limits, secure, cipher, form, pastConsent }: WizardContext,
) {
  // R-V3: the company name from the KvK number, for the Details form's live fill-in.
  router.get('/kvk', limits.lookup, async (req, res) => {
    const number = typeof req.query.number === 'string' ? req.query.number.trim() : '';
    if (kvkNumberProblem(number)) return void res.status(400).json({ error: 'kvk-format' });
    const found = await lookupCompany(number);
    if (found.ok) return void res.json({ kvkNumber: number, companyName: found.companyName });
    res.status(found.error === 'kvk-unknown' ? 404 : 503).json({ error: found.error });
  });

  router.get('/details', limits.read, async (req, res) => {
    const lang = pageLanguage(req);
    const session = readWizardSession(req, cipher, secure);
    if (session && (await pastConsent(session))) return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
    const flash = readFormFlash(req, cipher, secure, 'details');
    const typed = flash?.fields;
    const values: DetailsValues = typed
      ? { kvkNumber: typed.kvkNumber ?? '', companyName: typed.companyName || null, serial: typed.serial ?? '' }
      : session
        ? { kvkNumber: session.kvkNumber, companyName: session.companyName, serial: session.serial }
        : { kvkNumber: '', companyName: null, serial: '' };
    const secret = ensureCsrfSecret(req, res, secure);
    const errors = flash?.errors ?? {};
    sendPage(req, res, 200, 'wizard-details', {
      steps: progress('details', lang),
      values,
      errors: messages(['kvkNumber', 'serial'], errors, lang),
      hasErrors: Object.keys(errors).length > 0,
      csrf: csrfField(secret, DETAILS_BINDING, 'wizard-details'),
      action: `/wizard/details?lang=${lang}`,
      kvkUrl: '/wizard/kvk',
    });
  });

  router.post('/details', limits.write, form, async (req, res) => {
    const lang = pageLanguage(req);
    if (!csrfValid(req, secure, DETAILS_BINDING, 'wizard-details')) return problem(req, res, 'csrf');
    const body = fields(req);
    const values: DetailsValues = {
      kvkNumber: (body.kvkNumber ?? '').replace(/\s/g, '').slice(0, 20),
      companyName: null,
      serial: (body.serial ?? '').trim().slice(0, 40),
    };
    const refuse = (errors: DetailsErrors) => {
      const kept = { kvkNumber: values.kvkNumber, serial: values.serial, companyName: values.companyName ?? '' };
      writeFormFlash(res, cipher, secure, { form: 'details', fields: kept, choice: null, errors });
      res.redirect(303, `/wizard/details?lang=${lang}`);
    };
    const errors: DetailsErrors = {};
    if (kvkNumberProblem(values.kvkNumber)) errors.kvkNumber = { code: 'kvk-format' };
    else {
      const found = await lookupCompany(values.kvkNumber);
      if (found.ok) values.companyName = found.companyName;
      else errors.kvkNumber = { code: found.error };
    }
    // Without JavaScript, "Look up" asks only for the company name: nothing is checked or counted yet.
    if (body.action === 'lookup') return refuse(errors.kvkNumber ? { kvkNumber: errors.kvkNumber } : {});
    const serialProblem = serialNumberProblem(values.serial);
    if (serialProblem) errors.serial = { code: 'serial-format', problem: serialProblem };
    if (Object.keys(errors).length) return refuse(errors);

    // R-V7: only together with the matching KvK number; a wrong one counts towards the lock.
    const em = services.orm.em.fork();
    const check = await verifySerial(em, services.tokenCipher, { serial: values.serial, kvkNumber: values.kvkNumber });
    if (!check.ok) {
      // The database's lock is what refuses the number from now on; telling the workflow only spares it a claim it
      // would refuse anyway, so Temporal out of reach must not turn the client's answer into an error page.
      await reportSerialLocked(services.temporal, check).catch((error: unknown) =>
        log.warn({ onboardingId: check.onboardingId, err: error }, 'the workflow was not told of the lock'),
      );
      log.info(
        { onboardingId: check.onboardingId, reason: check.reason, attemptsLeft: check.attemptsLeft },
        'wizard refused a serial number',
      );
      if (check.reason === 'kvk_mismatch') {
        return refuse({ kvkNumber: { code: 'kvk-mismatch', attemptsLeft: check.attemptsLeft ?? 0 } });
      }
      const code = (
        { unknown: 'serial-unknown', locked: 'serial-locked', expired: 'serial-expired', used: 'serial-used' } as const
      )[check.reason];
      return refuse({ serial: { code } });
    }
    const onboarding = await em.findOneOrFail(Onboarding, { id: check.onboardingId });
    // Back to step 1 with the same serial number: what was answered after it still holds.
    const previous = readWizardSession(req, cipher, secure);
    const same = previous?.serialNumberId === check.serialNumberId ? previous : null;
    writeWizardSession(res, cipher, secure, {
      serialNumberId: check.serialNumberId,
      onboardingId: check.onboardingId,
      serial: formatSerialNumber(values.serial),
      kvkNumber: values.kvkNumber,
      companyName: values.companyName ?? values.kvkNumber,
      bank: onboarding.bankCode,
      insideBusiness: same?.insideBusiness ?? null,
      accepted: same?.accepted ?? false,
      accountManager: same?.accountManager ?? null,
      chosen: null,
    });
    clearFormFlash(res, secure);
    log.info({ onboardingId: check.onboardingId }, 'wizard: serial number and KvK number accepted');
    res.redirect(303, `/wizard/terms?lang=${lang}`);
  });

  async function lookupCompany(
    kvkNumber: string,
  ): Promise<
    { ok: true; companyName: string } | { ok: false; error: 'kvk-unknown' | 'kvk-format' | 'kvk-unavailable' }
  > {
    try {
      const result = await services.kvk.lookup(kvkNumber);
      if (result.kind === 'found') return { ok: true, companyName: result.name };
      return { ok: false, error: result.kind === 'not_found' ? 'kvk-unknown' : 'kvk-format' };
    } catch (error) {
      log.warn({ err: error }, 'KvK lookup failed');
      return { ok: false, error: 'kvk-unavailable' };
    }
  }
}
