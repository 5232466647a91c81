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

const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(file: string): HandlebarsTemplateDelegate {
  let found = compiled.get(file);
  if (!found) {
    found = Handlebars.compile(readFileSync(file, 'utf8'), { strict: true });
    compiled.set(file, found);
  }
  return found;
}

/**
 * E-mail templates live in templates/emails/<name>.<language>.hbs: the first line is the subject, the rest the
 * plain-text body. The HTML part is the same text in the shared layout, escaped, so both parts always agree.
 * `strict` makes a missing variable an error instead of an empty gap in a message to a client.
 */
export function renderEmail(name: string, language: Language, data: Record<string, unknown>): RenderedEmail {
  const rendered = template(path.join(__dirname, 'emails', `${name}.${language}.hbs`))(data);
  const [subject = '', ...rest] = rendered.split('\n');
  return assemble(subject, rest.join('\n'));
}

/** A template given as source rather than a file: an organization's own message (R-A6), subject and body apart. */
export interface EmailSource {
  subject: string;
  body: string;
}

/** The built-in template as source: what an organization starts from, and falls back to. */
export function emailTemplateSource(name: string, language: Language): EmailSource {
  const [subject = '', ...rest] = readFileSync(path.join(__dirname, 'emails', `${name}.${language}.hbs`), 'utf8').split('\n');
  return { subject: subject.trim(), body: rest.join('\n').trim() };
}

/**
 * Renders a given source like a file template: `strict`, and without HTML escaping, because the body is plain
 * text (the HTML part escapes it in the layout), so `{{x}}` and `{{{x}}}` mean the same in a template staff edit.
 */
export function renderEmailSource(source: EmailSource, data: Record<string, unknown>): RenderedEmail {
  const options = { strict: true, noEscape: true };
  const subject = Handlebars.compile(source.subject, options)(data).replace(/\s+/g, ' ').slice(0, 300);
  return assemble(subject, Handlebars.compile(source.body, options)(data));
}

function assemble(subject: string, body: string): RenderedEmail {
  const text = body.trim();
  const html = template(path.join(__dirname, 'emails', 'layout.html.hbs'))({
    subject: subject.trim(),
    paragraphs: text.split(/\n{2,}/).map((p) => p.split('\n')),
  });
  return { subject: subject.trim(), text: `${text}\n`, html };
}
