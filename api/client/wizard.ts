import express, { type Request, type Response, Router } from 'express';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ConsentAttempt, Onboarding, SerialNumber, type IOnboarding } from '../../db/entities';
import { accountChoiceProblems, extraMonthlyCostCents, EXTRA_ACCOUNT_MONTHLY_CENTS, FREE_LINKED_ACCOUNTS, isLinked, type AccountOptions } from '../../domain/account-choice';
import { emailProblem } from '../../domain/email';
import { formatIban } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import { pkceChallenge } from '../../domain/pkce';
import { formatSerialNumber, serialNumberProblem } from '../../domain/serial-number';
import type { Language } from '../../templates/render';
import { accountManagerUpdate, chooseAccountsUpdate, claimSerialUpdate, startConsentUpdate } from '../../workflows/onboarding';
import type { ApiServices } from '../services';
import { csrfField, csrfValid, ensureCsrfSecret, type CsrfPurpose } from './csrf';
import { pageLanguage, sendPage, type WizardUnusableKind } from './pages';
import { reportSerialLocked, verifySerial } from './serial-check';
import { BANK_NAMES, bankOptions, fieldMessage, formatEuro, PRODUCTS, productOptions, progress, WIZARD_BANKS, type FieldMessage } from './wizard-text';
import { readWizardSession, writeWizardSession, type WizardSession } from './wizard-session';

/** Until the client has a session, the Details form's CSRF field is bound to this instead of a serial number. */
const DETAILS_BINDING = 'wizard-details';
/** Statuses after which the wizard only shows the Accounts and Done steps. */
const PAST_CONSENT = ['choosing_accounts', 'syncing_profile', 'waiting_for_first_transaction', 'active', 'active_awaiting_first_transaction'];

interface Limits {
  read: RequestHandler;
  write: RequestHandler;
  lookup: RequestHandler;
}

/**
 * The serial-number wizard (R-V6, R-V8..R-V13; DESIGN.md "Client pages"): five server-rendered steps that work
 * without JavaScript. Every POST answers 303 to the next step's GET (a reload never repeats a side effect); the
 * side effects themselves go through the onboarding workflow's Updates, whose validators have the last word.
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
    sendPage(req, res, 200, 'wizard-start', { steps: progress('details', lang), startUrl: `/wizard/details?lang=${lang}` });
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
    const values: DetailsValues = session
      ? { kvkNumber: session.kvkNumber, companyName: session.companyName, product: session.product, serial: session.serial, bank: session.bank, insideBusiness: session.insideBusiness ? 'yes' : 'no', acceptTerms: true, acceptPrivacy: true }
      : { kvkNumber: '', companyName: null, product: PRODUCTS[0], serial: '', bank: 'INGB', insideBusiness: null, acceptTerms: false, acceptPrivacy: false };
    renderDetails(req, res, 200, values, {});
  });

  router.post('/details', limits.write, form, async (req, res) => {
    const lang = pageLanguage(req);
    if (!csrfValid(req, secure, DETAILS_BINDING, 'wizard-details')) return problem(req, res, 'csrf');
    const body = fields(req);
    const values: DetailsValues = {
      kvkNumber: (body.kvkNumber ?? '').replace(/\s/g, '').slice(0, 20),
      companyName: null,
      product: body.product ?? '',
      serial: (body.serial ?? '').trim().slice(0, 40),
      bank: body.bank ?? '',
      insideBusiness: body.insideBusiness === 'yes' || body.insideBusiness === 'no' ? body.insideBusiness : null,
      acceptTerms: body.acceptTerms === 'yes',
      acceptPrivacy: body.acceptPrivacy === 'yes',
    };
    const errors: DetailsErrors = {};
    if (kvkNumberProblem(values.kvkNumber)) errors.kvkNumber = { code: 'kvk-format' };
    else {
      const found = await lookupCompany(values.kvkNumber);
      if (found.ok) values.companyName = found.companyName;
      else errors.kvkNumber = { code: found.error };
    }
    // Without JavaScript, "Look up" asks only for the company name: nothing is checked or counted yet.
    if (body.action === 'lookup') return renderDetails(req, res, errors.kvkNumber ? 422 : 200, values, errors.kvkNumber ? { kvkNumber: errors.kvkNumber } : {});

    const serialProblem = serialNumberProblem(values.serial);
    if (serialProblem) errors.serial = { code: 'serial-format', problem: serialProblem };
    if (!(PRODUCTS as readonly string[]).includes(values.product)) errors.product = { code: 'required' };
    if (!(WIZARD_BANKS as readonly string[]).includes(values.bank)) errors.bank = { code: 'required' };
    if (!values.insideBusiness) errors.insideBusiness = { code: 'required' };
    if (!values.acceptTerms) errors.acceptTerms = { code: 'accept-terms' };
    if (!values.acceptPrivacy) errors.acceptPrivacy = { code: 'accept-privacy' };
    if (Object.keys(errors).length) return renderDetails(req, res, 422, values, errors);

    // R-V7: only together with the matching KvK number; a wrong one counts towards the lock.
    const em = services.orm.em.fork();
    const check = await verifySerial(em, cipher, { serial: values.serial, kvkNumber: values.kvkNumber });
    if (!check.ok) {
      await reportSerialLocked(services.temporal, check);
      log.info({ onboardingId: check.onboardingId, reason: check.reason, attemptsLeft: check.attemptsLeft }, 'wizard refused a serial number');
      if (check.reason === 'kvk_mismatch') return renderDetails(req, res, 422, values, { kvkNumber: { code: 'kvk-mismatch', attemptsLeft: check.attemptsLeft ?? 0 } });
      const code = ({ unknown: 'serial-unknown', locked: 'serial-locked', expired: 'serial-expired', used: 'serial-used' } as const)[check.reason];
      return renderDetails(req, res, 422, values, { serial: { code } });
    }
    const onboarding = await em.findOneOrFail(Onboarding, { id: check.onboardingId });
    // R-V8: one run of the wizard per bank; the serial number belongs to one of them.
    if (onboarding.bankCode !== values.bank) {
      return renderDetails(req, res, 422, values, { bank: { code: 'bank-mismatch', bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode } });
    }
    const now = new Date().toISOString();
    try {
      await services.temporal.workflow.getHandle(onboarding.workflowId).executeUpdate(claimSerialUpdate, {
        args: [{ serialNumberId: check.serialNumberId, details: { product: values.product, insideBusiness: values.insideBusiness === 'yes', termsAcceptedAt: now, privacyAcceptedAt: now } }],
      });
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      return renderDetails(req, res, 422, values, { serial: { code: 'serial-refused', reason } });
    }
    const previous = readWizardSession(req, cipher, secure);
    writeWizardSession(res, cipher, secure, {
      serialNumberId: check.serialNumberId, onboardingId: check.onboardingId, serial: formatSerialNumber(values.serial), kvkNumber: values.kvkNumber,
      companyName: values.companyName ?? values.kvkNumber, product: values.product, bank: values.bank, insideBusiness: values.insideBusiness === 'yes',
      accountManager: previous?.serialNumberId === check.serialNumberId ? previous.accountManager : null, chosen: null,
    });
    log.info({ onboardingId: check.onboardingId }, 'wizard: serial number and KvK number accepted');
    res.redirect(303, `/wizard/connection?lang=${lang}`);
  });

  router.get('/connection', limits.read, async (req, res) => {
    const step = await currentStep(req, res);
    if (!step) return;
    const manager = step.session.accountManager ?? { name: step.onboarding.accountManagerName ?? '', email: step.onboarding.accountManagerEmail ?? '' };
    renderConnection(req, res, 200, step.session, manager, {});
  });

  router.post('/connection', limits.write, form, async (req, res) => {
    const lang = pageLanguage(req);
    const step = await currentStep(req, res, 'wizard-connection');
    if (!step) return;
    const body = fields(req);
    const manager = { name: (body.name ?? '').trim(), email: (body.email ?? '').trim() };
    const errors: ConnectionErrors = {};
    if (!manager.name || manager.name.length > 200) errors.name = { code: 'name' };
    if (manager.email.length > 320 || emailProblem(manager.email)) errors.email = { code: 'email' };
    if (Object.keys(errors).length) return renderConnection(req, res, 422, step.session, manager, errors);
    try {
      await services.temporal.workflow.getHandle(step.onboarding.workflowId).executeUpdate(accountManagerUpdate, { args: [{ serialNumberId: step.session.serialNumberId, ...manager }] });
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      return unusable(req, res, 'refused', reason);
    }
    writeWizardSession(res, cipher, secure, { ...step.session, accountManager: manager });
    res.redirect(303, `/wizard/consent?lang=${lang}`);
  });

  router.get('/consent', limits.read, async (req, res) => {
    const step = await currentStep(req, res);
    if (!step) return;
    const lang = pageLanguage(req);
    if (!step.session.accountManager) return void res.redirect(303, `/wizard/connection?lang=${lang}`);
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, 200, 'wizard-consent', {
      steps: progress('consent', lang),
      companyName: step.session.companyName,
      bankName: BANK_NAMES[step.onboarding.bankCode] ?? step.onboarding.bankCode,
      ing: step.onboarding.bankCode === 'INGB',
      insideBusiness: step.session.insideBusiness,
      csrf: csrfField(secret, step.session.serialNumberId, 'wizard-consent'),
      action: `/wizard/consent?lang=${lang}`,
      backUrl: `/wizard/connection?lang=${lang}`,
    });
  });

  router.post('/consent', limits.write, form, async (req, res) => {
    const step = await currentStep(req, res, 'wizard-consent');
    if (!step) return;
    let attemptId: string;
    try {
      ({ attemptId } = await services.temporal.workflow.getHandle(step.onboarding.workflowId)
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
      return sendPage(req, res, 200, 'wizard-accounts-wait', { steps: progress('accounts', lang), refreshUrl: `/wizard/accounts?lang=${lang}` });
    }
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const chosen = session.chosen ?? null;
    renderAccounts(req, res, 200, session, onboarding, chosen, null);
  });

  router.post('/accounts', limits.write, accountsForm, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res, 'wizard-accounts');
    if (!found) return;
    const { session, onboarding } = found;
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const offered = onboarding.offeredAccounts ?? [];
    const ticked = (name: string) => new Set(([] as unknown[]).concat(req.body?.[name] ?? []).filter((v): v is string => typeof v === 'string'));
    const [tx, pay, dd] = [ticked('tx'), ticked('pay'), ticked('dd')];
    const choice: AccountOptions[] = offered.filter((a) => !a.notLinkable)
      .map((a) => ({ iban: a.iban, importTransactions: tx.has(a.iban), payments: pay.has(a.iban), directDebit: dd.has(a.iban) }));
    const licence = { payments: onboarding.organization.licencePayments, directDebit: onboarding.organization.licenceDirectDebit };
    const problems = accountChoiceProblems(choice, offered, licence);
    if (problems.length) {
      return renderAccounts(req, res, 422, session, onboarding, choice, { code: 'accounts', problems: problems.filter((p) => p !== 'choose at least one account to link') });
    }
    const linked = choice.filter(isLinked);
    try {
      await services.temporal.workflow.getHandle(onboarding.workflowId).executeUpdate(chooseAccountsUpdate, { args: [{ serialNumberId: session.serialNumberId, accounts: linked }] });
    } catch (error) {
      // Chosen already (a second tab, a resubmitted form): the Done page tells what was linked.
      if (refusalReason(error) === null) throw error;
      return void res.redirect(303, `/wizard/done?lang=${lang}`);
    }
    writeWizardSession(res, cipher, secure, { ...session, chosen: linked });
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
      accounts: linked.map((a) => ({ name: names.get(a.iban) ?? '', iban: formatIban(a.iban), transactions: a.importTransactions, payments: a.payments, directDebit: a.directDebit })),
      count: linked.length,
      extraCost: extraMonthlyCostCents(linked.length) > 0 ? formatEuro(extraMonthlyCostCents(linked.length), lang) : null,
      active: onboarding.status === 'active',
    });
  });

  return router;

  async function lookupCompany(kvkNumber: string): Promise<{ ok: true; companyName: string } | { ok: false; error: 'kvk-unknown' | 'kvk-format' | 'kvk-unavailable' }> {
    try {
      const result = await services.kvk.lookup(kvkNumber);
      if (result.kind === 'found') return { ok: true, companyName: result.name };
      return { ok: false, error: result.kind === 'not_found' ? 'kvk-unknown' : 'kvk-format' };
    } catch (error) {
      log.warn({ err: error }, 'KvK lookup failed');
      return { ok: false, error: 'kvk-unavailable' };
    }
  }

  function renderDetails(req: Request, res: Response, status: number, values: DetailsValues, errors: DetailsErrors): void {
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, status, 'wizard-details', {
      steps: progress('details', lang),
      values: { ...values, insideBusinessYes: values.insideBusiness === 'yes', insideBusinessNo: values.insideBusiness === 'no' },
      products: productOptions(lang, values.product),
      banks: bankOptions(values.bank),
      errors: messages(['kvkNumber', 'product', 'serial', 'bank', 'insideBusiness', 'acceptTerms', 'acceptPrivacy'], errors, lang),
      hasErrors: Object.keys(errors).length > 0,
      csrf: csrfField(secret, DETAILS_BINDING, 'wizard-details'),
      action: `/wizard/details?lang=${lang}`,
      kvkUrl: '/wizard/kvk',
    });
  }

  function renderConnection(req: Request, res: Response, status: number, session: WizardSession, manager: { name: string; email: string }, errors: ConnectionErrors): void {
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    sendPage(req, res, status, 'wizard-connection', {
      steps: progress('connection', lang),
      companyName: session.companyName,
      values: manager,
      errors: messages(['name', 'email'], errors, lang),
      hasErrors: Object.keys(errors).length > 0,
      csrf: csrfField(secret, session.serialNumberId, 'wizard-connection'),
      action: `/wizard/connection?lang=${lang}`,
      backUrl: `/wizard/details?lang=${lang}`,
    });
  }

  function renderAccounts(req: Request, res: Response, status: number, session: WizardSession, onboarding: IOnboarding, chosen: AccountOptions[] | null, error: FieldMessage | null): void {
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    const licence = { payments: onboarding.organization.licencePayments, directDebit: onboarding.organization.licenceDirectDebit };
    sendPage(req, res, status, 'wizard-accounts', {
      steps: progress('accounts', lang),
      companyName: session.companyName,
      bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode,
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
  async function sessionOnboarding(req: Request, res: Response, purpose?: CsrfPurpose): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const session = readWizardSession(req, cipher, secure);
    if (!session) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    if (purpose && !csrfValid(req, secure, session.serialNumberId, purpose)) {
      problem(req, res, 'csrf');
      return null;
    }
    const onboarding = await services.orm.em.fork().findOne(Onboarding, { id: session.onboardingId }, { populate: ['organization'] });
    if (!onboarding) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    return { session, onboarding };
  }

  /** Steps 2 and 3: a session whose serial number still works, before the consent; after it, on to the Accounts step. */
  async function currentStep(req: Request, res: Response, purpose?: CsrfPurpose): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const found = await sessionOnboarding(req, res, purpose);
    if (!found) return null;
    if (PAST_CONSENT.includes(found.onboarding.status)) {
      res.redirect(303, `/wizard/accounts?lang=${pageLanguage(req)}`);
      return null;
    }
    const serial = await services.orm.em.fork().findOne(SerialNumber, { id: found.session.serialNumberId });
    const kind: WizardUnusableKind | null = !serial || serial.revokedAt || serial.expiresAt.getTime() <= Date.now() ? 'expired' : serial.lockedAt ? 'locked' : null;
    if (kind) {
      unusable(req, res, kind, null);
      return null;
    }
    return found;
  }

  async function pastConsent(session: WizardSession): Promise<boolean> {
    const onboarding = await services.orm.em.fork().findOne(Onboarding, { id: session.onboardingId }, { fields: ['status'] });
    return !!onboarding && PAST_CONSENT.includes(onboarding.status);
  }

  function unusable(req: Request, res: Response, kind: WizardUnusableKind, reason: string | null): void {
    const lang = pageLanguage(req);
    sendPage(req, res, kind === 'no-session' ? 400 : 410, 'wizard-unusable', { kind, reason, startUrl: `/wizard?lang=${lang}` });
  }

  function problem(req: Request, res: Response, kind: 'csrf'): void {
    sendPage(req, res, 403, 'problem', { kind, retryUrl: `/wizard?lang=${pageLanguage(req)}` });
  }
}

interface DetailsValues {
  kvkNumber: string;
  companyName: string | null;
  product: string;
  serial: string;
  bank: string;
  insideBusiness: 'yes' | 'no' | null;
  acceptTerms: boolean;
  acceptPrivacy: boolean;
}
type DetailsErrors = Partial<Record<'kvkNumber' | 'product' | 'serial' | 'bank' | 'insideBusiness' | 'acceptTerms' | 'acceptPrivacy', FieldMessage>>;
type ConnectionErrors = Partial<Record<'name' | 'email', FieldMessage>>;

/** Every field named, null where it is fine: the strict templates never meet a missing key. */
function messages<F extends string>(fieldNames: readonly F[], errors: Partial<Record<F, FieldMessage>>, lang: Language): Record<F, string | null> {
  return Object.fromEntries(fieldNames.map((f) => [f, errors[f] ? fieldMessage(errors[f]!, lang) : null])) as Record<F, string | null>;
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
