import Handlebars from 'handlebars';

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

/** Block helpers a template may use; anything else (each, with, lookup, partials) is refused. */
const BLOCK_HELPERS = new Set(['if', 'unless']);

export interface TemplateProblem {
  field: 'subject' | 'body';
  message: string;
}

/**
 * Checks an organization's bank activation message before it is stored (and again before it is used): it must
 * compile as handlebars in strict mode, use only the known variables and `if`/`unless`, keep the subject on one
 * line without the link, and put `{{activationUrl}}` in the body. Every problem names its field.
 */
export function bankActivationTemplateProblems(template: { subject: string; body: string }): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const subject = inspect('subject', template.subject, MESSAGE_TEMPLATE_SUBJECT_MAX, problems);
  const body = inspect('body', template.body, MESSAGE_TEMPLATE_BODY_MAX, problems);
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
  problems: TemplateProblem[],
): Set<string> | null {
  if (!source.trim()) {
    problems.push({ field, message: 'must not be empty' });
    return null;
  }
  if (source.length > max) {
    problems.push({ field, message: `must be at most ${max} characters (is ${source.length})` });
    return null;
  }
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    problems.push({ field, message: `is not a valid handlebars template: ${firstLine(error)}` });
    return null;
  }
  const used = new Set<string>();
  const refused = new Set<string>();
  walk(program, used, refused);
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
  // The same compile and strict render the e-mail will do, with every known variable present.
  try {
    Handlebars.compile(source, { strict: true, noEscape: true })(sampleData());
  } catch (error) {
    problems.push({ field, message: `does not compile: ${firstLine(error)}` });
  }
  return used;
}

function walk(node: hbs.AST.Node, used: Set<string>, refused: Set<string>): void {
  switch (node.type) {
    case 'Program':
      for (const child of (node as hbs.AST.Program).body) walk(child, used, refused);
      return;
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement;
      if (mustache.params.length || (mustache.hash && mustache.hash.pairs.length)) {
        refused.add(`helper "${describe(mustache.path)}"`);
        return;
      }
      variable(mustache.path, used, refused);
      return;
    }
    case 'BlockStatement': {
      const block = node as hbs.AST.BlockStatement;
      const name = describe(block.path);
      if (!BLOCK_HELPERS.has(name) || block.params.length !== 1 || (block.hash && block.hash.pairs.length)) {
        refused.add(BLOCK_HELPERS.has(name) ? `{{#${name}}} with other than one variable` : `block "{{#${name}}}"`);
        return;
      }
      variable(block.params[0]!, used, refused);
      if (block.program) walk(block.program, used, refused);
      if (block.inverse) walk(block.inverse, used, refused);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      refused.add('partials ({{> ...}})');
      return;
    default:
      refused.add(`${node.type}`);
  }
}

function variable(expression: hbs.AST.Expression, used: Set<string>, refused: Set<string>): void {
  if (expression.type !== 'PathExpression') {
    refused.add(`literal ${describe(expression)}`);
    return;
  }
  const path = expression as hbs.AST.PathExpression;
  if (path.data || path.depth > 0 || path.parts.length !== 1 || path.original === 'this') {
    refused.add(`"${path.original}"`);
    return;
  }
  used.add(path.parts[0]!);
}

function describe(expression: hbs.AST.Expression): string {
  if (expression.type === 'PathExpression') return (expression as hbs.AST.PathExpression).original;
  const literal = expression as Partial<hbs.AST.StringLiteral>;
  return literal.original !== undefined ? JSON.stringify(literal.original) : expression.type;
}

function sampleData(): Record<string, string> {
  return Object.fromEntries(BANK_ACTIVATION_VARIABLES.map((name) => [name, name]));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').slice(0, 300);
}
