import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

/** Dutch by default (the clients are Dutch businesses), English on request. */
export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The e-mail's one main action, a variable of its template: where that URL stands on a line of its own, the HTML
 * part shows a button, so the client sees at once what to press. An organization's own message (R-A6) gets the
 * same button where it puts the link on a line of its own.
 */
const ACTIVATE = {
  variable: 'activationUrl',
  label: { nl: 'Bankkoppeling activeren', en: 'Activate the bank connection' },
};
const OPEN_WIZARD = { variable: 'wizardUrl', label: { nl: 'Wizard openen', en: 'Open the wizard' } };
const MAIN_ACTIONS: Record<string, { variable: string; label: Record<Language, string> }> = {
  'onboarding-activation': ACTIVATE,
  'onboarding-reminder': ACTIVATE,
  'onboarding-consent-refused': ACTIVATE,
  'onboarding-serial': OPEN_WIZARD,
  'onboarding-serial-consent-refused': OPEN_WIZARD,
};

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** E-mail bodies are plain text: nothing is HTML-escaped there; the HTML part escapes as it builds its tags. */
function template(file: string): HandlebarsTemplateDelegate {
  let found = compiled.get(file);
  if (!found) {
    found = Handlebars.compile(readFileSync(file, 'utf8'), { strict: true, noEscape: !file.endsWith('.html.hbs') });
    compiled.set(file, found);
  }
  return found;
}

/**
 * E-mail templates live in templates/emails/<name>.<language>.hbs: the first line is the subject, the rest the
 * plain-text body. The HTML part is built from that same text in the shared layout, so both parts always agree.
 * `strict` makes a missing variable an error instead of an empty gap in a message to a client. `links`: strings in
 * the body that stand for a URL put in only while sending (activities/email.ts), so the HTML part can make a link
 * of them before the URL is known.
 */
export function renderEmail(
  name: string,
  language: Language,
  data: Record<string, unknown>,
  links: readonly string[] = [],
): RenderedEmail {
  const rendered = template(path.join(__dirname, 'emails', `${name}.${language}.hbs`))(data);
  const [subject = '', ...rest] = rendered.split('\n');
  return assemble(name, language, data, links, subject, rest.join('\n'));
}

/** A template given as source rather than a file: an organization's own message (R-A6), subject and body apart. */
export interface EmailSource {
  subject: string;
  body: string;
}

/** The built-in template as source: what an organization starts from, and falls back to. */
export function emailTemplateSource(name: string, language: Language): EmailSource {
  const file = path.join(__dirname, 'emails', `${name}.${language}.hbs`);
  const [subject = '', ...rest] = readFileSync(file, 'utf8').split('\n');
  return { subject: subject.trim(), body: rest.join('\n').trim() };
}

/**
 * Renders a given source like a file template, `strict` and unescaped, so `{{x}}` and `{{{x}}}` mean the same in
 * a template staff edit. `name` is the built-in template it replaces, whose main action it shares.
 */
export function renderEmailSource(
  name: string,
  language: Language,
  source: EmailSource,
  data: Record<string, unknown>,
  links: readonly string[] = [],
): RenderedEmail {
  const options = { strict: true, noEscape: true };
  const subject = Handlebars.compile(source.subject, options)(data).replace(/\s+/g, ' ').slice(0, 300);
  return assemble(name, language, data, links, subject, Handlebars.compile(source.body, options)(data));
}

function assemble(
  name: string,
  language: Language,
  data: Record<string, unknown>,
  links: readonly string[],
  subject: string,
  body: string,
): RenderedEmail {
  const text = body.trim();
  const action = MAIN_ACTIONS[name];
  const actionUrl = action ? String(data[action.variable] ?? '') : '';
  const button = action && actionUrl ? { url: actionUrl, label: action.label[language] } : null;
  const html = template(path.join(__dirname, 'emails', 'layout.html.hbs'))({
    lang: language,
    subject: subject.trim(),
    blocks: htmlBlocks(text, button, links),
  });
  return { subject: subject.trim(), text: `${text}\n`, html };
}

type Segment = { text: string; href?: string };
type Block = { lines: Segment[][] } | { button: { href: string; label: string; address: Segment[] } };

/**
 * The plain text as HTML blocks: paragraphs at blank lines, every web address and e-mail address a real link,
 * and the main action's URL, where it stands on a line of its own, a button with the address beneath it.
 */
function htmlBlocks(text: string, button: { url: string; label: string } | null, links: readonly string[]): Block[] {
  const blocks: Block[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    let lines: Segment[][] = [];
    for (const line of paragraph.split('\n')) {
      if (button && line.trim() === button.url) {
        if (lines.length) blocks.push({ lines });
        blocks.push({ button: { href: button.url, label: button.label, address: linkify(button.url, links) } });
        lines = [];
      } else {
        lines.push(linkify(line, links));
      }
    }
    if (lines.length) blocks.push({ lines });
  }
  return blocks;
}

const WEB_ADDRESS = String.raw`https?://[^\s<>"]*[^\s<>".,;:!?)']`;
const EMAIL_ADDRESS = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`;

function linkify(line: string, links: readonly string[]): Segment[] {
  const escaped = links.map((link) => link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp([...escaped, WEB_ADDRESS, EMAIL_ADDRESS].join('|'), 'g');
  const segments: Segment[] = [];
  let at = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > at) segments.push({ text: line.slice(at, match.index) });
    const found = match[0];
    const isEmail = !links.includes(found) && !/^https?:/.test(found);
    segments.push({ text: found, href: isEmail ? `mailto:${found}` : found });
    at = match.index + found.length;
  }
  if (at < line.length) segments.push({ text: line.slice(at) });
  return segments;
}
