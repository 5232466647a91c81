import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ibanProblem, normaliseIban } from '../../domain/iban';
import { decodeStatementBytes } from '../../domain/statements/parse';
import { TransactionCodeRule, type ITransactionCodeRule } from '../../db/entities';
import { recordAudit } from '../audit';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { type FieldError, Problem } from '../problem';
import { defineRoute, IdParams } from '../route';

/*
 * Transaction-code rules ("transactiecodes", R-A19): matching transactions are booked to a ledger account at
 * import (db/ingest.ts). Many rules move between offices or administrations as one CSV file.
 */

export const LedgerAccount = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .regex(/^[0-9A-Za-z.-]+$/, 'letters, digits, . and - only');

export const RuleCode = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[0-9A-Za-z._-]+$/, 'letters, digits, ., _ and - only');

export const RuleDescription = z.string().trim().min(1).max(200);
export const RulePriority = z.number().int().min(0).max(10_000).describe('lower wins when several rules match');

const ruleFields = {
  code: RuleCode,
  description: RuleDescription,
  bankTransactionCode: z.string().trim().min(1).max(60).nullable(),
  counterpartyIban: z.string().trim().min(1).max(42).nullable(),
  descriptionContains: z.string().trim().min(1).max(140).nullable(),
  ledgerAccount: LedgerAccount,
  priority: RulePriority,
};

const CRITERIA = 'a rule needs a bankTransactionCode, a counterpartyIban or a descriptionContains to match on';

const CreateRule = z
  .object({
    ...ruleFields,
    bankTransactionCode: ruleFields.bankTransactionCode.optional(),
    counterpartyIban: ruleFields.counterpartyIban.optional(),
    descriptionContains: ruleFields.descriptionContains.optional(),
    priority: ruleFields.priority.default(100),
  })
  .strict()
  .describe(CRITERIA)
  .meta({ id: 'CreateTransactionCodeRule' });

const UpdateRule = z.object(ruleFields).partial().strict().meta({ id: 'UpdateTransactionCodeRule' });

const RuleView = z
  .object({
    id: z.uuid(),
    code: z.string(),
    description: z.string(),
    bankTransactionCode: z.string().nullable(),
    counterpartyIban: z.string().nullable(),
    descriptionContains: z.string().nullable().describe('matched case-insensitively anywhere in the description'),
    ledgerAccount: z.string(),
    priority: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'TransactionCodeRule' });

const RuleList = z
  .object({ items: z.array(RuleView), nextCursor: z.string().nullable() })
  .meta({ id: 'TransactionCodeRuleList' });

const ImportReport = z
  .object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() })
  .meta({ id: 'TransactionCodeRuleImport' });

export interface RuleValues {
  code: string;
  description: string;
  bankTransactionCode: string | null;
  counterpartyIban: string | null;
  descriptionContains: string | null;
  ledgerAccount: string;
  priority: number;
}

function presentRule(rule: ITransactionCodeRule): z.infer<typeof RuleView> {
  return {
    id: rule.id,
    code: rule.code,
    description: rule.description,
    bankTransactionCode: rule.bankTransactionCode ?? null,
    counterpartyIban: rule.counterpartyIban ?? null,
    descriptionContains: rule.descriptionContains ?? null,
    ledgerAccount: rule.ledgerAccount,
    priority: rule.priority,
    createdAt: rule.createdAt.toISOString(),
  };
}

/** The checks a schema cannot do alone: the IBAN's check digits, and at least one thing to match on. */
export function completeRule(values: RuleValues): { values: RuleValues; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const iban = values.counterpartyIban === null ? null : normaliseIban(values.counterpartyIban);
  const problem = iban === null ? null : ibanProblem(iban);
  if (problem) errors.push({ field: 'counterpartyIban', message: problem });
  if (!values.bankTransactionCode && !iban && !values.descriptionContains)
    errors.push({ field: 'bankTransactionCode', message: CRITERIA });
  return { values: { ...values, counterpartyIban: iban }, errors };
}

export async function assertCodeFree(
  em: EntityManager,
  organizationId: string,
  code: string,
  field: string,
  exceptId?: string,
): Promise<void> {
  const clash = await em.findOne(TransactionCodeRule, {
    organization: organizationId,
    code,
    ...(exceptId ? { id: { $ne: exceptId } } : {}),
  });
  if (clash) throw Problem.field(field, `another rule already has the code "${code}"`, 409);
}

async function findRule(em: EntityManager, organizationId: string, id: string): Promise<ITransactionCodeRule> {
  const rule = await em.findOne(TransactionCodeRule, { id, organization: organizationId });
  if (!rule) throw Problem.notFound('transaction-code rule');
  return rule;
}

function valuesOf(rule: ITransactionCodeRule): RuleValues {
  return {
    code: rule.code,
    description: rule.description,
    bankTransactionCode: rule.bankTransactionCode ?? null,
    counterpartyIban: rule.counterpartyIban ?? null,
    descriptionContains: rule.descriptionContains ?? null,
    ledgerAccount: rule.ledgerAccount,
    priority: rule.priority,
  };
}

// ---- CSV -------------------------------------------------------------------------------------------------

const CSV_COLUMNS = [
  'code',
  'description',
  'bankTransactionCode',
  'counterpartyIban',
  'descriptionContains',
  'ledgerAccount',
  'priority',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly CsvColumn[] = ['code', 'description', 'ledgerAccount'];

/** A rules file is small; a megabyte holds some ten thousand rules. */
const MAX_CSV_BYTES = 1024 * 1024;

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection") is written with a leading single quote.
 * Quotes already in front of such a character get one more, so import can take exactly one off and every value
 * survives the round trip.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function uncsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value) ? value.slice(1) : value;
}

function rulesToCsv(rules: readonly RuleValues[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const rule of rules) lines.push(CSV_COLUMNS.map((column) => csvCell(String(rule[column] ?? ''))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

class CsvError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * RFC 4180 records: quoted cells may hold the delimiter, "" and line breaks. Rows are numbered like a
 * spreadsheet's (the header is row 1), which is what the person fixing the file sees.
 */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let atCellStart = true;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (atCellStart && ch === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new CsvError(rows.length + 1, 'a quoted cell is never closed');
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i += 1;
        }
        cell += text[i];
        i += 1;
      }
      i += 1;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
        throw new CsvError(rows.length + 1, 'text after a closing quote; write a quote inside a quoted cell as ""');
      }
      atCellStart = false;
    } else if (ch === delimiter) {
      row.push(cell);
      cell = '';
      atCellStart = true;
      i += 1;
    } else if (ch === '\r' || ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      atCellStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += ch;
      atCellStart = false;
      i += 1;
    }
  }
  if (!atCellStart || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

interface CsvRule {
  row: number;
  values: RuleValues;
}

/** Every row checked before anything is written; all problems are reported at once, by row and column. */
function rulesFromCsv(text: string): CsvRule[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r\n|\r|\n/, 1)[0] ?? '';
  // Dutch spreadsheet programs save CSV with semicolons; the header row says which one this file uses.
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: string[][];
  try {
    records = parseCsv(body, delimiter);
  } catch (error) {
    if (error instanceof CsvError) throw Problem.validation([{ field: `row ${error.row}`, message: error.message }]);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header || header.every((cell) => cell.trim() === ''))
    throw Problem.validation([
      { field: 'row 1', message: `the header row is missing; expected ${CSV_COLUMNS.join(',')}` },
    ]);
  const columns = header.map((cell) => cell.trim());
  const headerErrors: FieldError[] = [];
  columns.forEach((column, index) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(column))
      headerErrors.push({
        field: `row 1, column ${index + 1}`,
        message: `unknown column "${column}"; known are ${CSV_COLUMNS.join(', ')}`,
      });
    else if (columns.indexOf(column) !== index)
      headerErrors.push({ field: `row 1, ${column}`, message: 'this column appears twice' });
  });
  for (const required of REQUIRED_COLUMNS)
    if (!columns.includes(required))
      headerErrors.push({ field: `row 1, ${required}`, message: 'required column is missing' });
  if (headerErrors.length) throw Problem.validation(headerErrors);

  const errors: FieldError[] = [];
  const rules: CsvRule[] = [];
  const rowOfCode = new Map<string, number>();
  rows.forEach((cells, index) => {
    const rowNumber = index + 2;
    if (cells.length === 1 && cells[0]?.trim() === '') return;
    if (cells.length !== columns.length) {
      errors.push({
        field: `row ${rowNumber}`,
        message: `has ${cells.length} cells; the header has ${columns.length}`,
      });
      return;
    }
    const cell = (column: CsvColumn): string | null => {
      const at = columns.indexOf(column);
      const value = at < 0 ? '' : uncsvCell(cells[at] as string).trim();
      return value === '' ? null : value;
    };
    const priority = cell('priority');
    const parsed = CreateRule.safeParse({
      code: cell('code') ?? '',
      description: cell('description') ?? '',
      bankTransactionCode: cell('bankTransactionCode'),
      counterpartyIban: cell('counterpartyIban'),
      descriptionContains: cell('descriptionContains'),
      ledgerAccount: cell('ledgerAccount') ?? '',
      ...(priority === null ? {} : { priority: /^-?\d+$/.test(priority) ? Number(priority) : Number.NaN }),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ field: `row ${rowNumber}, ${issue.path.join('.')}`, message: issue.message });
      return;
    }
    const { values, errors: ruleErrors } = completeRule({
      ...parsed.data,
      bankTransactionCode: parsed.data.bankTransactionCode ?? null,
      counterpartyIban: parsed.data.counterpartyIban ?? null,
      descriptionContains: parsed.data.descriptionContains ?? null,
    });
    for (const error of ruleErrors) errors.push({ field: `row ${rowNumber}, ${error.field}`, message: error.message });
    const earlier = rowOfCode.get(values.code);
    if (earlier !== undefined)
      errors.push({ field: `row ${rowNumber}, code`, message: `"${values.code}" is already on row ${earlier}` });
    rowOfCode.set(values.code, earlier ?? rowNumber);
    if (ruleErrors.length === 0 && earlier === undefined) rules.push({ row: rowNumber, values });
  });
  // A huge broken file should not answer with a huge problem document; the first errors are enough to start.
  if (errors.length) throw Problem.validation(errors.slice(0, 50));
  return rules;
}

/** Reads a raw body the JSON parser left alone, refusing it past `maxBytes` before it is all in memory. */
async function readRawBody(req: Request, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new Problem(413, 'Payload too large', `body: the ${what} is larger than ${maxBytes / 1024 / 1024} MB`, [
      { field: 'body', message: `larger than ${maxBytes} bytes` },
    ]);
  if (Number(req.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export const transactionCodeRuleRoutes = [
  // Before /{id}, which would otherwise take "export" for an id.
  defineRoute({
    method: 'get',
    path: '/transaction-code-rules/export',
    summary:
      'Export every transaction-code rule as CSV (R-A19); cells a spreadsheet would run as a formula start with a single quote',
    tag: 'Transaction-code rules',
    permission: 'read',
    responses: {
      200: { description: `CSV with the header ${CSV_COLUMNS.join(',')}`, schema: z.string(), contentType: 'text/csv' },
    },
    handler: async ({ em, auth }) => {
      const rules = await em.find(
        TransactionCodeRule,
        { organization: auth.organizationId },
        { orderBy: { code: 'asc' } },
      );
      return {
        status: 200,
        text: rulesToCsv(rules.map(valuesOf)),
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="transaction-code-rules.csv"',
        },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/transaction-code-rules/import',
    summary:
      'Import rules from CSV (R-A19): all or nothing; a rule whose code exists is updated, others are created, none are deleted',
    tag: 'Transaction-code rules',
    permission: 'write',
    rawBody: {
      contentType: 'text/csv',
      description: `The CSV of the export (comma or semicolon separated, UTF-8), at most ${MAX_CSV_BYTES / 1024 / 1024} MB. Required columns: ${REQUIRED_COLUMNS.join(', ')}.`,
      schema: z.string(),
    },
    responses: {
      200: { description: 'How many rules were created, updated and left as they were', schema: ImportReport },
      400: { description: 'A row is invalid: the errors name its row and column; nothing was written' },
      413: { description: 'The file is too large' },
      415: { description: 'Not text/csv' },
    },
    handler: async ({ em, auth, req }) => {
      if (!req.is('text/csv')) throw Problem.field('body', 'send the CSV file with Content-Type: text/csv', 415);
      // Spreadsheets on Windows still save in Windows-1252; the same decoding as statement files keeps an é.
      const rules = rulesFromCsv(decodeStatementBytes(await readRawBody(req, MAX_CSV_BYTES, 'CSV file')));
      const report = await em.transactional(async (tx) => {
        const existing = new Map(
          (
            await tx.find(TransactionCodeRule, {
              organization: auth.organizationId,
              code: { $in: rules.map((r) => r.values.code) },
            })
          ).map((rule) => [rule.code, rule]),
        );
        const counts = { created: 0, updated: 0, unchanged: 0 };
        for (const { values } of rules) {
          const rule = existing.get(values.code);
          if (!rule) {
            tx.create(TransactionCodeRule, { organization: auth.organizationId, ...values });
            counts.created += 1;
          } else if (CSV_COLUMNS.every((column) => valuesOf(rule)[column] === values[column])) {
            counts.unchanged += 1;
          } else {
            tx.assign(rule, values);
            counts.updated += 1;
          }
        }
        recordAudit(
          tx,
          auth,
          'transaction_code_rule.imported',
          { type: 'Organization', entity: { id: auth.organizationId } },
          { rows: rules.length, ...counts },
        );
        return counts;
      });
      return { status: 200, body: report };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/transaction-code-rules',
    summary: 'List transaction-code rules (R-A19)',
    tag: 'Transaction-code rules',
    permission: 'read',
    query: PageQuery,
    responses: { 200: { description: 'A page of rules', schema: RuleList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        TransactionCodeRule,
        { organization: auth.organizationId, ...afterCursor(decodeCursor(query.cursor)) },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
      );
      return { status: 200, body: page(rows, query.limit, presentRule) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/transaction-code-rules/{id}',
    summary: 'Show one transaction-code rule',
    tag: 'Transaction-code rules',
    permission: 'read',
    params: IdParams,
    responses: { 200: { description: 'The rule', schema: RuleView }, 404: { description: 'No such rule' } },
    handler: async ({ em, auth, params }) => ({
      status: 200,
      body: presentRule(await findRule(em, auth.organizationId, params.id)),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/transaction-code-rules',
    summary: 'Create a transaction-code rule: matching transactions are booked to its ledger account at import (R-A19)',
    tag: 'Transaction-code rules',
    permission: 'write',
    body: CreateRule,
    responses: {
      201: { description: 'Created', schema: RuleView },
      400: { description: 'Invalid' },
      409: { description: 'The code is taken' },
    },
    handler: async ({ em, auth, body }) => {
      const { values, errors } = completeRule({
        ...body,
        bankTransactionCode: body.bankTransactionCode ?? null,
        counterpartyIban: body.counterpartyIban ?? null,
        descriptionContains: body.descriptionContains ?? null,
      });
      if (errors.length) throw Problem.validation(errors);
      await assertCodeFree(em, auth.organizationId, values.code, 'code');
      const rule = em.create(TransactionCodeRule, { organization: auth.organizationId, ...values });
      recordAudit(
        em,
        auth,
        'transaction_code_rule.created',
        { type: 'TransactionCodeRule', entity: rule },
        { code: values.code, ledgerAccount: values.ledgerAccount },
      );
      await em.flush();
      return { status: 201, body: presentRule(rule) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/transaction-code-rules/{id}',
    summary: 'Change a transaction-code rule; transactions booked before keep their ledger account',
    tag: 'Transaction-code rules',
    permission: 'write',
    params: IdParams,
    body: UpdateRule,
    responses: {
      200: { description: 'Changed', schema: RuleView },
      404: { description: 'No such rule' },
      409: { description: 'The code is taken' },
    },
    handler: async ({ em, auth, params, body }) => {
      const rule = await findRule(em, auth.organizationId, params.id);
      const { values, errors } = completeRule({ ...valuesOf(rule), ...body });
      if (errors.length) throw Problem.validation(errors);
      if (values.code !== rule.code) await assertCodeFree(em, auth.organizationId, values.code, 'code', rule.id);
      em.assign(rule, values);
      recordAudit(
        em,
        auth,
        'transaction_code_rule.changed',
        { type: 'TransactionCodeRule', entity: rule },
        { fields: Object.keys(body) },
      );
      await em.flush();
      return { status: 200, body: presentRule(rule) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/transaction-code-rules/{id}',
    summary: 'Delete a transaction-code rule; transactions it booked keep their ledger account',
    tag: 'Transaction-code rules',
    permission: 'write',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such rule' } },
    handler: async ({ em, auth, params }) => {
      const rule = await findRule(em, auth.organizationId, params.id);
      recordAudit(
        em,
        auth,
        'transaction_code_rule.deleted',
        { type: 'TransactionCodeRule', entity: rule },
        { code: rule.code },
      );
      em.remove(rule);
      await em.flush();
      return { status: 204 };
    },
  }),
];
