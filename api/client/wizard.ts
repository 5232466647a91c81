import express, { type Request, type Response, Router } from 'express';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ConsentAttempt, Onboarding, SerialNumber, type IOnboarding } from '../../db/entities';
import {
  accountChoiceProblems,
  extraMonthlyCostCents,
  EXTRA_ACCOUNT_MONTHLY_CENTS,
  FREE_LINKED_ACCOUNTS,
  isLinked,
  type AccountOptions,
} from '../../domain/account-choice';
import { emailProblem } from '../../domain/email';
import { formatIban } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import { pkceChallenge } from '../../domain/pkce';
import { formatSerialNumber, serialNumberProblem } from '../../domain/serial-number';
import type { Language } from '../../templates/render';
import {
  accountManagerUpdate,
  chooseAccountsUpdate,
  claimSerialUpdate,
  startConsentUpdate,
} from '../../workflows/onboarding/contract';
import type { ApiServices } from '../services';
import { csrfField, csrfValid, ensureCsrfSecret, type CsrfPurpose } from './csrf';
import { pageLanguage, sendPage, type WizardUnusableKind } from './pages';
import { reportSerialLocked, verifySerial } from './serial-check';
import { clearFormFlash, readFormFlash, writeFormFlash } from './form-flash';
import { BANK_NAMES, fieldMessage, formatEuro, progress, type FieldMessage } from './wizard-text';
import { readWizardSession, writeWizardSession, type WizardSession } from './wizard-session';

/** Until the client has a session, the Details form's CSRF field is bound to this instead of a serial number. */
const DETAILS_BINDING = 'wizard-details';
/** Statuses after which the wizard only shows the Accounts and Done steps. */
const PAST_CONSENT = [
  'choosing_accounts',
  'syncing_profile',
  'waiting_for_first_transaction',
  'active',
  'active_awaiting_first_transaction',
];

interface Limits {
  read: RequestHandler;
  write: RequestHandler;
  lookup: RequestHandler;
}

/**
 * The serial-number wizard (R-V6, R-V8..R-V13; DESIGN.md "Client pages"): five server-rendered steps that work
 * without JavaScript. Every POST answers 303: to the next step, or back to its own page, which shows the refused
 * form's messages (api/client/form-flash.ts); so a reload or Back never sends a form again. The side effects go
 * through the onboarding workflow's Updates, whose validators have the last word.
 */
export function createWizardRouter(services: ApiServices, log: Logger, limits: Limits): Router {
  const router = Router();
  const secure = services.publicBaseUrl.startsWith('https:');
  const cipher = services.tokenCipher;
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 });
  const accountsForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 200 });

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });

  router.get('/', limits.read, (req, res) => {
    const lang = pageLanguage(req);
    const startUrl = `/wizard/details?lang=${lang}`;
    sendPage(req, res, 200, 'wizard-start', { steps: progress('details', lang), startUrl });
  });

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

  // Step 1, first half: KvK number and serial number, which together say which onboarding, bank and office.
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
    const check = await verifySerial(em, cipher, { serial: values.serial, kvkNumber: values.kvkNumber });
    if (!check.ok) {
      await reportSerialLocked(services.temporal, check);
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

  // Step 1, second half: now that the serial number told the bank and office, what only they decide.
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
      bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode,
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

  router.get('/consent', limits.read, async (req, res) => {
    const step = await currentStep(req, res, { accepted: true });
    if (!step) return;
    const lang = pageLanguage(req);
    if (!step.session.accountManager) return void res.redirect(303, `/wizard/connection?lang=${lang}`);
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, 200, 'wizard-consent', {
      steps: progress('consent', lang),
      companyName: step.session.companyName,
      bankName: BANK_NAMES[step.onboarding.bankCode] ?? step.onboarding.bankCode,
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
    const attempt = await em.findOneOrFail(ConsentAttempt, { id: attemptId, onboarding: step.onboarding.id });
    const authorizationUrl = await services.bankConnector(attempt.bankCode).authorizationUrl({
      consentId: attempt.bankConsentId,
      state: cipher.decrypt(attempt.stateEncrypted),
      codeChallenge: pkceChallenge(cipher.decrypt(attempt.codeVerifierEncrypted)),
      redirectUri: attempt.redirectUri,
    });
    log.info({ onboardingId: step.onboarding.id, attemptId }, 'wizard: client sent to the bank for consent');
    res.redirect(303, authorizationUrl);
  });

  router.get('/accounts', limits.read, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res);
    if (!found) return;
    const { session, onboarding } = found;
    if (onboarding.status === 'waiting_for_consent') return void res.redirect(303, `/wizard/consent?lang=${lang}`);
    if (onboarding.status === 'consent_in_progress') {
      // The bank's answer is being processed and the accounts listed; the page looks again by itself.
      res.setHeader('Refresh', `2; url=/wizard/accounts?lang=${lang}`);
      return sendPage(req, res, 200, 'wizard-accounts-wait', {
        steps: progress('accounts', lang),
        refreshUrl: `/wizard/accounts?lang=${lang}`,
      });
    }
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const flash = readFormFlash(req, cipher, secure, 'accounts');
    renderAccounts(req, res, session, onboarding, flash?.choice ?? session.chosen, flash?.errors.accounts ?? null);
  });

  router.post('/accounts', limits.write, accountsForm, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res, 'wizard-accounts');
    if (!found) return;
    const { session, onboarding } = found;
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const offered = onboarding.offeredAccounts ?? [];
    const ticked = (name: string) =>
      new Set(([] as unknown[]).concat(req.body?.[name] ?? []).filter((v): v is string => typeof v === 'string'));
    const [tx, pay, dd] = [ticked('tx'), ticked('pay'), ticked('dd')];
    const choice: AccountOptions[] = offered
      .filter((a) => !a.notLinkable)
      .map((a) => ({
        iban: a.iban,
        importTransactions: tx.has(a.iban),
        payments: pay.has(a.iban),
        directDebit: dd.has(a.iban),
      }));
    const licence = {
      payments: onboarding.organization.licencePayments,
      directDebit: onboarding.organization.licenceDirectDebit,
    };
    const problems = accountChoiceProblems(choice, offered, licence);
    if (problems.length) {
      const named = problems.filter((p) => p !== 'choose at least one account to link');
      const error: FieldMessage = { code: 'accounts', problems: named };
      writeFormFlash(res, cipher, secure, { form: 'accounts', fields: {}, choice, errors: { accounts: error } });
      return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
    }
    const linked = choice.filter(isLinked);
    try {
      await services.temporal.workflow
        .getHandle(onboarding.workflowId)
        .executeUpdate(chooseAccountsUpdate, { args: [{ serialNumberId: session.serialNumberId, accounts: linked }] });
    } catch (error) {
      // Chosen already (a second tab, a resubmitted form): the Done page tells what was linked.
      if (refusalReason(error) === null) throw error;
      return void res.redirect(303, `/wizard/done?lang=${lang}`);
    }
    writeWizardSession(res, cipher, secure, { ...session, chosen: linked });
    clearFormFlash(res, secure);
    log.info({ onboardingId: onboarding.id, accounts: linked.length }, 'wizard: accounts chosen');
    res.redirect(303, `/wizard/done?lang=${lang}`);
  });

  router.get('/done', limits.read, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res);
    if (!found) return;
    const { session, onboarding } = found;
    if (!PAST_CONSENT.includes(onboarding.status)) return void res.redirect(303, `/wizard/consent?lang=${lang}`);
    if (onboarding.status === 'choosing_accounts') return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
    const linked = (onboarding.accountChoice ?? session.chosen ?? []).filter(isLinked);
    const names = new Map((onboarding.offeredAccounts ?? []).map((a) => [a.iban, a.name]));
    sendPage(req, res, 200, 'wizard-done', {
      steps: progress('done', lang),
      companyName: session.companyName,
      bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode,
      officeName: onboarding.organization.name,
      accounts: linked.map((a) => ({
        name: names.get(a.iban) ?? '',
        iban: formatIban(a.iban),
        transactions: a.importTransactions,
        payments: a.payments,
        directDebit: a.directDebit,
      })),
      count: linked.length,
      extraCost:
        extraMonthlyCostCents(linked.length) > 0 ? formatEuro(extraMonthlyCostCents(linked.length), lang) : null,
      active: onboarding.status === 'active',
    });
  });

  return router;

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

  function renderAccounts(
    req: Request,
    res: Response,
    session: WizardSession,
    onboarding: IOnboarding,
    chosen: AccountOptions[] | null,
    error: FieldMessage | null,
  ): void {
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    const licence = {
      payments: onboarding.organization.licencePayments,
      directDebit: onboarding.organization.licenceDirectDebit,
    };
    sendPage(req, res, 200, 'wizard-accounts', {
      steps: progress('accounts', lang),
      companyName: session.companyName,
      bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode,
      officeName: onboarding.organization.name,
      accounts: (onboarding.offeredAccounts ?? []).map((account) => {
        const options = chosen?.find((c) => c.iban === account.iban);
        return {
          iban: account.iban,
          ibanFormatted: formatIban(account.iban),
          name: account.name ?? '',
          kind: account.kind,
          currency: account.currency,
          linkable: account.notLinkable === null,
          // R-V12: Transactions ticked by default; Payments and Direct debit only when asked for.
          transactions: options ? options.importTransactions : true,
          payments: options?.payments ?? false,
          directDebit: options?.directDebit ?? false,
        };
      }),
      licence,
      error: error ? fieldMessage(error, lang) : null,
      freeAccounts: FREE_LINKED_ACCOUNTS,
      extraAccountCost: formatEuro(EXTRA_ACCOUNT_MONTHLY_CENTS, lang),
      extraAccountCents: EXTRA_ACCOUNT_MONTHLY_CENTS,
      csrf: csrfField(secret, session.serialNumberId, 'wizard-accounts'),
      action: `/wizard/accounts?lang=${lang}`,
    });
  }

  /** The session and its onboarding, checked for a POST's CSRF field; otherwise the page that says why not. */
  async function sessionOnboarding(
    req: Request,
    res: Response,
    purpose?: CsrfPurpose,
  ): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const session = readWizardSession(req, cipher, secure);
    if (!session) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    if (purpose && !csrfValid(req, secure, session.serialNumberId, purpose)) {
      problem(req, res, 'csrf');
      return null;
    }
    const onboarding = await services.orm.em
      .fork()
      .findOne(Onboarding, { id: session.onboardingId }, { populate: ['organization'] });
    if (!onboarding) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    return { session, onboarding };
  }

  /**
   * The terms, Connection and Bank consent steps: a session whose serial number still works, before the consent;
   * after it, on to the Accounts step. `accepted`: the step comes after the terms, so sends the client back to them.
   */
  async function currentStep(
    req: Request,
    res: Response,
    options: { purpose?: CsrfPurpose; accepted: boolean },
  ): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const found = await sessionOnboarding(req, res, options.purpose);
    if (!found) return null;
    const lang = pageLanguage(req);
    if (PAST_CONSENT.includes(found.onboarding.status)) {
      res.redirect(303, `/wizard/accounts?lang=${lang}`);
      return null;
    }
    const serial = await services.orm.em.fork().findOne(SerialNumber, { id: found.session.serialNumberId });
    const kind: WizardUnusableKind | null =
      !serial || serial.revokedAt || serial.expiresAt.getTime() <= Date.now()
        ? 'expired'
        : serial.lockedAt
          ? 'locked'
          : null;
    if (kind) {
      unusable(req, res, kind, null);
      return null;
    }
    if (options.accepted && !found.session.accepted) {
      res.redirect(303, `/wizard/terms?lang=${lang}`);
      return null;
    }
    return found;
  }

  async function pastConsent(session: WizardSession): Promise<boolean> {
    const onboarding = await services.orm.em
      .fork()
      .findOne(Onboarding, { id: session.onboardingId }, { fields: ['status'] });
    return !!onboarding && PAST_CONSENT.includes(onboarding.status);
  }

  function unusable(req: Request, res: Response, kind: WizardUnusableKind, reason: string | null): void {
    const lang = pageLanguage(req);
    sendPage(req, res, kind === 'no-session' ? 400 : 410, 'wizard-unusable', {
      kind,
      reason,
      startUrl: `/wizard?lang=${lang}`,
    });
  }

  function problem(req: Request, res: Response, kind: 'csrf'): void {
    sendPage(req, res, 403, 'problem', { kind, retryUrl: `/wizard?lang=${pageLanguage(req)}` });
  }
}

interface DetailsValues {
  kvkNumber: string;
  companyName: string | null;
  serial: string;
}
type DetailsErrors = Partial<Record<'kvkNumber' | 'serial', FieldMessage>>;
type TermsErrors = Partial<Record<'insideBusiness' | 'acceptTerms' | 'acceptPrivacy', FieldMessage>>;
type ConnectionErrors = Partial<Record<'name' | 'email', FieldMessage>>;

/** Every field named, null where it is fine: the strict templates never meet a missing key. */
function messages<F extends string>(
  fieldNames: readonly F[],
  errors: Partial<Record<F, FieldMessage>>,
  lang: Language,
): Record<F, string | null> {
  return Object.fromEntries(fieldNames.map((f) => [f, errors[f] ? fieldMessage(errors[f]!, lang) : null])) as Record<
    F,
    string | null
  >;
}

function fields(req: Request): Record<string, string | undefined> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/** The workflow refused the Update in its validator: its reason in words; anything else is not a refusal. */
function refusalReason(error: unknown): string | null {
  if ((error as Error)?.name === 'WorkflowNotFoundError') return 'the onboarding has ended';
  if (error instanceof WorkflowUpdateFailedError) return (error.cause as Error | undefined)?.message ?? error.message;
  return null;
}
