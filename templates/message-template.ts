import Handlebars from 'handlebars';
import {
  checkBankActivationTemplate,
  MESSAGE_TEMPLATE_BLOCKS,
  type TemplateLanguage,
  type TemplateProblem,
  type TemplateReading,
} from '../domain/message-template';

/**
 * An organization's own message (R-A6) read as handlebars, the language renderEmailSource (render.ts) renders it
 * in, with the same options: strict, unescaped.
 */
const HANDLEBARS: TemplateLanguage = {
  name: 'handlebars',
  read,
  renderError(source, data) {
    try {
      Handlebars.compile(source, { strict: true, noEscape: true })(data);
      return null;
    } catch (error) {
      return firstLine(error);
    }
  },
};

/** The rules of domain/message-template.ts for the bank activation message, read as handlebars. */
export function bankActivationTemplateProblems(template: { subject: string; body: string }): TemplateProblem[] {
  return checkBankActivationTemplate(template, HANDLEBARS);
}

function read(source: string): TemplateReading {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    return { error: firstLine(error) };
  }
  const variables = new Set<string>();
  const refused = new Set<string>();
  walk(program, variables, refused);
  return { variables, refused };
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
      const allowed = MESSAGE_TEMPLATE_BLOCKS.has(name);
      if (!allowed || block.params.length !== 1 || (block.hash && block.hash.pairs.length)) {
        refused.add(allowed ? `{{#${name}}} with other than one variable` : `block "{{#${name}}}"`);
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

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').slice(0, 300);
}
