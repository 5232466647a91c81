import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import Handlebars from 'handlebars';
import type { Language } from '../../templates/render';
import type { LinkRefusal } from './link-state';

/**
 * Client pages: templates/pages/<name>.<language>.hbs, first line the title, the rest the body, set in
 * templates/pages/layout.hbs. Like the e-mails, `strict` turns a missing value into an error instead of a gap on a
 * page a client reads.
 */
const PAGES_DIR = path.join(__dirname, '..', '..', 'templates', 'pages');

/** Why an undo cannot be answered with "undone" (yet): nothing linked, still being set up, or still working on it. */
export type UndoWaitKind = 'not-connected' | 'not-yet' | 'in-progress';

export type ProblemKind = 'unknown-link' | 'csrf' | 'rate-limited' | 'bad-callback' | 'replayed' | 'not-processed' | 'server-error';

interface LinkView {
  officeName: string;
  companyName: string;
  bankName: string;
}

export interface PageData {
  connect: LinkView & { kvkNumber: string; deadline: string; csrf: string; action: string };
  /** `undoUrl`: the way to undo the connection (R-A11), once there is a connection to undo. */
  connected: LinkView & { alreadyUsed: boolean; undoUrl: string | null };
  'undo-confirm': LinkView & { csrf: string; action: string; backUrl: string };
  /** `already`: a second undo, or the link page after one. */
  undone: LinkView & { already: boolean };
  'undo-wait': { officeName: string; kind: UndoWaitKind };
  'link-unusable': { officeName: string; reason: LinkRefusal };
  'consent-given': LinkView;
  'consent-refused': { officeName: string; bankName: string; reason: string; roleRefused: boolean; retryUrl: string | null };
  problem: { kind: ProblemKind; retryUrl: string | null };
}

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(file: string): HandlebarsTemplateDelegate {
  let found = compiled.get(file);
  if (!found) {
    found = hbs.compile(readFileSync(path.join(PAGES_DIR, file), 'utf8'), { strict: true });
    compiled.set(file, found);
  }
  return found;
}

/** Dutch unless the client asks otherwise: `?lang=` first (the language switch), then the browser's preference. */
export function pageLanguage(req: Request): Language {
  const asked = req.query.lang;
  if (asked === 'en' || asked === 'nl') return asked;
  return req.acceptsLanguages('nl', 'en') === 'en' ? 'en' : 'nl';
}

export interface PageOptions {
  /**
   * Offer the other language as a link to the same path. Off where a second GET of the URL would mean something
   * (the bank's callback carries a single-use code).
   */
  languageSwitch?: boolean;
}

export function sendPage<P extends keyof PageData>(req: Request, res: Response, status: number, page: P, data: PageData[P], options: PageOptions = {}): void {
  const lang = pageLanguage(req);
  const nonce = randomBytes(16).toString('base64');
  const rendered = template(`${page}.${lang}.hbs`)(data);
  const newline = rendered.indexOf('\n');
  const other: Language = lang === 'nl' ? 'en' : 'nl';
  const html = template('layout.hbs')({
    lang,
    nonce,
    title: rendered.slice(0, newline).trim(),
    body: rendered.slice(newline + 1),
    switchUrl: options.languageSwitch ? `?lang=${other}` : null,
    switchLang: other,
    switchLabel: other === 'en' ? 'English' : 'Nederlands',
  });
  // Nothing but the page's own inline style may load or run. form-action is left out on the link page only: its
  // POST answers 303 to the bank, and browsers apply form-action to that redirect, whose origin differs per bank.
  // The undo question posts back to its own URL and answers with a page, so 'self' is enough there.
  const formAction = page === 'connect' ? '' : page === 'undo-confirm' ? "; form-action 'self'" : "; form-action 'none'";
  res.setHeader('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'${formAction}`);
  res.status(status).type('html').send(html);
}
