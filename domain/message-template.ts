/**
 * Message templates an organization can make its own (R-A6): the "bank activation message" ("Bericht
 * bankactivatie") that carries the activation link, in Dutch and English.
 */
export const MESSAGE_TEMPLATE_KINDS = ['bank-activation'] as const;
export type MessageTemplateKind = (typeof MESSAGE_TEMPLATE_KINDS)[number];

/**
 * What a bank activation message may use; the e-mail always provides each of them. `contactEmail` is whom the
 * client can ask: the account manager's address, else the office's (empty when neither is known).
 */
export const BANK_ACTIVATION_VARIABLES = [
  'companyName',
  'kvkNumber',
  'bankName',
  'officeName',
  'deadline',
  'accountManagerName',
  'contactEmail',
  'activationUrl',
] as const;

export const MESSAGE_TEMPLATE_SUBJECT_MAX = 200;
export const MESSAGE_TEMPLATE_BODY_MAX = 10_000;

/** Block helpers a template may use, around one variable; anything else (each, with, lookup, partials) is refused. */
export const MESSAGE_TEMPLATE_BLOCKS: ReadonlySet<string> = new Set(['if', 'unless']);

export interface TemplateProblem {
  field: 'subject' | 'body';
  message: string;
}

/** What the template language makes of one source: why it does not parse, or what it uses. */
export type TemplateReading =
  | { error: string }
  | {
      variables: ReadonlySet<string>;
      /** Constructs beyond variables and MESSAGE_TEMPLATE_BLOCKS, described as a person would name them. */
      refused: ReadonlySet<string>;
    };

/**
 * The template language the e-mail renders in (handlebars, templates/message-template.ts), kept out of domain/
 * so that these rules stay pure: it reads a source, and renders one the rules accept as the e-mail would.
 */
export interface TemplateLanguage {
  name: string;
  read(source: string): TemplateReading;
  /** Why the source does not render with `data`, or null when it does. */
  renderError(source: string, data: Record<string, string>): string | null;
}

/**
 * Checks an organization's bank activation message before it is stored (and again before it is used): it must
 * parse in the template language, use only the known variables and `if`/`unless`, render in strict mode, keep the
 * subject on one line without the link, and put `{{activationUrl}}` in the body. Every problem names its field.
 */
export function checkBankActivationTemplate(
  template: { subject: string; body: string },
  language: TemplateLanguage,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const subject = inspect('subject', template.subject, MESSAGE_TEMPLATE_SUBJECT_MAX, language, problems);
  const body = inspect('body', template.body, MESSAGE_TEMPLATE_BODY_MAX, language, problems);
  if (/[\r\n]/.test(template.subject)) problems.push({ field: 'subject', message: 'must be a single line' });
  if (subject?.has('activationUrl'))
    problems.push({ field: 'subject', message: 'must not contain {{activationUrl}}: the link belongs in the body' });
  if (body && !body.has('activationUrl'))
    problems.push({ field: 'body', message: 'must contain {{activationUrl}}, the link the client opens' });
  return problems;
}

/** The variables a template uses, or null when it does not parse; problems are added in words. */
function inspect(
  field: TemplateProblem['field'],
  source: string,
  max: number,
  language: TemplateLanguage,
  problems: TemplateProblem[],
): ReadonlySet<string> | null {
  if (!source.trim()) {
    problems.push({ field, message: 'must not be empty' });
    return null;
  }
  if (source.length > max) {
    problems.push({ field, message: `must be at most ${max} characters (is ${source.length})` });
    return null;
  }
  const reading = language.read(source);
  if ('error' in reading) {
    problems.push({ field, message: `is not a valid ${language.name} template: ${reading.error}` });
    return null;
  }
  const { variables: used, refused } = reading;
  if (refused.size)
    problems.push({
      field,
      message: `uses what a message template may not: ${[...refused].join(', ')}; only {{variable}}, {{{variable}}}, {{#if variable}} and {{#unless variable}} are allowed`,
    });
  const unknown = [...used].filter((name) => !(BANK_ACTIVATION_VARIABLES as readonly string[]).includes(name));
  if (unknown.length) {
    problems.push({
      field,
      message: `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')}; known are ${BANK_ACTIVATION_VARIABLES.join(', ')}`,
    });
  }
  if (refused.size || unknown.length) return used;
  // The same render the e-mail will do, with every known variable present.
  const error = language.renderError(source, sampleData());
  if (error !== null) problems.push({ field, message: `does not compile: ${error}` });
  return used;
}

function sampleData(): Record<string, string> {
  return Object.fromEntries(BANK_ACTIVATION_VARIABLES.map((name) => [name, name]));
}
