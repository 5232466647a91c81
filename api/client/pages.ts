import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import Handlebars from 'handlebars';
import type { Language } from '../../templates/render';
import { readCookie } from './csrf';
import type { LinkRefusal } from './link-state';
import type { ProgressStep } from './wizard-text';

/**
 * Client pages: templates/pages/<name>.<language>.hbs, first line the title, the rest the body, set in
 * templates/pages/layout.hbs. Like the e-mails, `strict` turns a missing value into an error instead of a gap on a
 * page a client reads.
 */
const PAGES_DIR = path.join(__dirname, '..', '..', 'templates', 'pages');

/**
 * Why an undo cannot be answered with "undone": nothing linked, still being set up, still working on it, or the
 * link's right to undo has ended (30 days, or a newer link or consent took its place: ask the office).
 */
export type UndoWaitKind = 'not-connected' | 'not-yet' | 'in-progress' | 'undo-expired' | 'undo-replaced';

/** Why the wizard cannot go on: no (or an expired) wizard session, or a serial number that stopped working. */
export type WizardUnusableKind = 'no-session' | 'expired' | 'locked' | 'refused';

export type ProblemKind = 'unknown-link' | 'csrf' | 'rate-limited' | 'bad-callback' | 'not-processed' | 'server-error';

interface LinkView {
  officeName: string;
  companyName: string;
  bankName: string;
}

export interface PageData {
  connect: LinkView & { kvkNumber: string; deadline: string; csrf: string; action: string };
  /**
   * `undoUrl`: the way to undo the connection (R-A11), once there is a connection to undo and while the link's right
   * lasts; `undoEnded`: why it no longer does, and since when (an expired right's end).
   */
  connected: LinkView & {
    alreadyUsed: boolean;
    undoUrl: string | null;
    undoEnded: { reason: 'expired' | 'replaced'; on: string } | null;
  };
  'undo-confirm': LinkView & { csrf: string; action: string; backUrl: string };
  /** `already`: a second undo, or the link page after one. */
  undone: LinkView & { already: boolean };
  'undo-wait': { officeName: string; kind: UndoWaitKind };
  'link-unusable': { officeName: string; reason: LinkRefusal };
  /** `pending`: the profile sync is still adding the accounts; the page looks again by itself. */
  'consent-given': LinkView & { accounts: Array<{ name: string; iban: string }>; pending: boolean };
  'consent-wait': { officeName: string; bankName: string };
  /** The bank sent back a browser other than the one that went there (api/client/browser-binding.ts). */
  'consent-other-browser': { officeName: string; bankName: string };
  'consent-refused': {
    officeName: string;
    bankName: string;
    reason: string;
    roleRefused: boolean;
    retryUrl: string | null;
  };
  problem: { kind: ProblemKind; retryUrl: string | null };
  'wizard-start': { steps: ProgressStep[]; startUrl: string };
  'wizard-details': {
    steps: ProgressStep[];
    values: { kvkNumber: string; companyName: string | null; serial: string };
    errors: Record<'kvkNumber' | 'serial', string | null>;
    hasErrors: boolean;
    csrf: string;
    action: string;
    kvkUrl: string;
  };
  'wizard-terms': {
    steps: ProgressStep[];
    companyName: string;
    kvkNumber: string;
    serial: string;
    bankName: string;
    officeName: string;
    ing: boolean;
    values: { insideBusinessYes: boolean; insideBusinessNo: boolean; acceptTerms: boolean; acceptPrivacy: boolean };
    errors: Record<'insideBusiness' | 'acceptTerms' | 'acceptPrivacy', string | null>;
    hasErrors: boolean;
    termsUrl: string;
    privacyUrl: string;
    csrf: string;
    action: string;
    backUrl: string;
  };
  'wizard-connection': {
    steps: ProgressStep[];
    companyName: string;
    officeName: string;
    values: { name: string; email: string };
    errors: Record<'name' | 'email', string | null>;
    hasErrors: boolean;
    csrf: string;
    action: string;
    backUrl: string;
  };
  'wizard-consent': {
    steps: ProgressStep[];
    companyName: string;
    bankName: string;
    ing: boolean;
    insideBusiness: boolean;
    csrf: string;
    action: string;
    backUrl: string;
  };
  'wizard-accounts-wait': { steps: ProgressStep[]; refreshUrl: string };
  'wizard-accounts': {
    steps: ProgressStep[];
    companyName: string;
    bankName: string;
    officeName: string;
    accounts: Array<{
      iban: string;
      ibanFormatted: string;
      name: string;
      kind: string;
      currency: string;
      linkable: boolean;
      transactions: boolean;
      payments: boolean;
      directDebit: boolean;
    }>;
    licence: { payments: boolean; directDebit: boolean };
    error: string | null;
    freeAccounts: number;
    extraAccountCost: string;
    extraAccountCents: number;
    csrf: string;
    action: string;
  };
  'wizard-done': {
    steps: ProgressStep[];
    companyName: string;
    bankName: string;
    officeName: string;
    accounts: Array<{ name: string; iban: string; transactions: boolean; payments: boolean; directDebit: boolean }>;
    count: number;
    extraCost: string | null;
    active: boolean;
  };
  'wizard-unusable': { kind: WizardUnusableKind; reason: string | null; startUrl: string };
  terms: { freeAccounts: number; extraAccountCost: string };
  privacy: Record<string, never>;
}

/** Pages that run a script of their own (the wizard's KvK fill-in and cost estimate); every page works without it. */
const SCRIPTED: ReadonlySet<keyof PageData> = new Set(['wizard-details', 'wizard-accounts']);
/**
 * Where a page's form may post. Left out where the POST answers 303 to the bank, because browsers apply
 * form-action to that redirect and its origin differs per bank; 'self' where a form posts back here.
 */
const FORM_ACTION: Partial<Record<keyof PageData, string>> = {
  connect: '',
  'wizard-consent': '',
  'undo-confirm': "; form-action 'self'",
  'wizard-details': "; form-action 'self'",
  'wizard-terms': "; form-action 'self'",
  'wizard-connection': "; form-action 'self'",
  'wizard-accounts': "; form-action 'self'",
};

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
for (const [name, file] of [
  ['wizardProgress', 'wizard-progress'],
  ['wizardKvkScript', 'wizard-kvk-script'],
  ['wizardCostScript', 'wizard-cost-script'],
]) {
  hbs.registerPartial(name!, readFileSync(path.join(PAGES_DIR, 'partials', `${file}.hbs`), 'utf8'));
}
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(file: string): HandlebarsTemplateDelegate {
  let found = compiled.get(file);
  if (!found) {
    found = hbs.compile(readFileSync(path.join(PAGES_DIR, file), 'utf8'), { strict: true });
    compiled.set(file, found);
  }
  return found;
}

/**
 * The language the client chose, kept for the rest of the visit: the bank's redirect back to the callback carries
 * no `?lang=`, and the bank's pages are the client's only way between our pages.
 */
const LANGUAGE_COOKIE = 'bk_lang';

/** Dutch unless the client asks otherwise: `?lang=` first (the switch), then the choice kept, then the browser's. */
export function pageLanguage(req: Request): Language {
  const asked = req.query.lang;
  if (asked === 'en' || asked === 'nl') return asked;
  const kept = readCookie(req, LANGUAGE_COOKIE);
  if (kept === 'en' || kept === 'nl') return kept;
  return req.acceptsLanguages('nl', 'en') === 'en' ? 'en' : 'nl';
}

/** Keeps a language asked for with `?lang=` (a link in an e-mail, the switch) in a cookie for the pages without one. */
export function keepLanguage(secure: boolean): RequestHandler {
  return (req, res, next) => {
    const asked = req.query.lang;
    if ((asked === 'en' || asked === 'nl') && readCookie(req, LANGUAGE_COOKIE) !== asked) {
      // Lax: it must ride along on the bank's redirect back, a cross-site top-level navigation.
      res.cookie(LANGUAGE_COOKIE, asked, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    }
    next();
  };
}

/**
 * The other language's link: this very URL with only `lang` changed. Relative, so a page never repeats the token
 * in its path. Safe on every page: a GET here only shows (the bank's callback hands its code over once, then shows).
 */
function switchUrl(req: Request, other: Language): string {
  const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  query.set('lang', other);
  return `?${query.toString()}`;
}

export function sendPage<P extends keyof PageData>(
  req: Request,
  res: Response,
  status: number,
  page: P,
  data: PageData[P],
): void {
  const lang = pageLanguage(req);
  // base64url: no character HTML would escape in the attribute, all valid in a CSP nonce.
  const nonce = randomBytes(16).toString('base64url');
  const rendered = template(`${page}.${lang}.hbs`)({ ...data, nonce });
  const newline = rendered.indexOf('\n');
  const other: Language = lang === 'nl' ? 'en' : 'nl';
  const html = template('layout.hbs')({
    lang,
    nonce,
    title: rendered.slice(0, newline).trim(),
    body: rendered.slice(newline + 1),
    switchUrl: switchUrl(req, other),
    switchLang: other,
    switchLabel: other === 'en' ? 'English' : 'Nederlands',
  });
  // Nothing but the page's own inline style (and, on a few wizard pages, its own script) may load or run.
  const formAction = FORM_ACTION[page] ?? "; form-action 'none'";
  const script = SCRIPTED.has(page) ? `; script-src 'nonce-${nonce}'; connect-src 'self'` : '';
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'${formAction}${script}`,
  );
  res.status(status).type('html').send(html);
}
