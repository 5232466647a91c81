import { createHash } from 'node:crypto';
import type { Request } from 'express';
import busboy from 'busboy';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ingestPage, type IngestPageResult } from '../../db/ingest';
import { balanceChainBreaks } from '../../domain/balance-chain';
import { STATEMENT_STATUSES } from '../../domain/daily-statement';
import { normaliseIban } from '../../domain/iban';
import { OccurrenceCounter, prepareRows, type IncomingEntry } from '../../domain/ingest';
import { decodeStatementBytes } from '../../domain/statements/parse';
import {
  type Statement,
  type StatementFile,
  StatementParseError,
  StatementValueError,
} from '../../domain/statements/types';
import { parseStatementFile } from '../../bank-files/parse';
import { BOOKED_BY, TRANSACTION_SOURCES } from '../../domain/transaction';
import { pgArray } from '../../db/pg-array';
import {
  BankAccount,
  ConnectedAccount,
  DailyStatement,
  Transaction,
  TransactionCodeRule,
  type IBankAccount,
  type IDailyStatement,
  type ITransaction,
} from '../../db/entities';
import { recordAudit } from '../audit';
import { PageQuery } from '../pagination';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';
import {
  assertCodeFree,
  completeRule,
  LedgerAccount,
  RuleCode,
  RuleDescription,
  RulePriority,
} from './transaction-code-rules';

/*
 * Daily statements per account and date (R-A16, R-A18), booking their transactions by hand and processing them
 * (R-A19), and statement files (MT940, camt.053) into the same ingest as the bank connection (R-A5, R-A14).
 */

const IsoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

const StatementView = z
  .object({
    id: z.uuid(),
    bankAccountId: z.uuid(),
    date: IsoDate,
    status: z.enum(STATEMENT_STATUSES).describe('in_progress until processed; new transactions reopen it (R-A18)'),
    transactionCount: z.number().int(),
    unbookedCount: z.number().int().describe('transactions without a ledger account; processing needs 0'),
    sumCents: z.number().int(),
    openingBalanceCents: z.number().int().nullable().describe('as a statement file reported it'),
    closingBalanceCents: z.number().int().nullable().describe('as a statement file reported it'),
    processedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'DailyStatement' });

const StatementList = z
  .object({ items: z.array(StatementView), nextCursor: z.string().nullable() })
  .meta({ id: 'DailyStatementList' });

const TransactionView = z
  .object({
    id: z.uuid(),
    statementId: z.uuid(),
    source: z.enum(TRANSACTION_SOURCES),
    bookingDate: IsoDate,
    valueDate: IsoDate,
    amountCents: z.number().int().describe('credit positive, debit negative'),
    currency: z.string(),
    counterpartyIban: z.string().nullable(),
    counterpartyName: z.string().nullable(),
    description: z.string(),
    endToEndId: z.string().nullable(),
    bankReference: z.string().nullable(),
    bankTransactionCode: z.string().nullable(),
    ledgerAccount: z.string().nullable(),
    bookedBy: z.enum(BOOKED_BY).nullable(),
    ruleId: z.uuid().nullable(),
    importedAt: z.iso.datetime(),
  })
  .meta({ id: 'Transaction' });

const ChainBreak = z.object({ date: IsoDate, problem: z.string() }).meta({ id: 'BalanceChainBreak' });

const StatementDetail = StatementView.extend({
  transactions: z.object({ items: z.array(TransactionView), nextCursor: z.string().nullable() }),
  chainBreaks: z
    .array(ChainBreak)
    .describe('between this day and the statement before it, and within this day; reported, never fixed'),
}).meta({ id: 'DailyStatementDetail' });

const BookTransaction = z
  .object({
    ledgerAccount: LedgerAccount,
    createRule: z
      .object({ code: RuleCode, description: RuleDescription, priority: RulePriority.default(100) })
      .strict()
      .optional()
      .describe(
        'also save a transaction-code rule (R-A19) matching this bank transaction code and counterparty IBAN, for later imports',
      ),
  })
  .strict()
  .meta({ id: 'BookTransaction' });

const BookedTransaction = TransactionView.extend({ createdRuleId: z.uuid().nullable() }).meta({
  id: 'BookedTransaction',
});

const StatementParams = IdParams.extend({ date: IsoDate });

const Warning = z.object({ line: z.number().int().nullable(), message: z.string() });

const StatementFileImport = z
  .object({
    format: z.enum(['mt940', 'camt.053']),
    fileName: z.string(),
    sha256: z.string(),
    sizeBytes: z.number().int(),
    statements: z.number().int(),
    entries: z.number().int(),
    imported: z.number().int(),
    duplicates: z
      .number()
      .int()
      .describe('already there: from this file before, another file, or the bank connection (R-A5)'),
    firstDate: IsoDate.nullable(),
    lastDate: IsoDate.nullable(),
    dates: z.array(IsoDate).describe('booking dates that received new transactions; their statements are in progress'),
    switchOverDate: IsoDate.nullable().describe(
      'from this day on the bank connection imports (R-A5); null without a connection',
    ),
    warnings: z
      .array(Warning)
      .describe(
        'from the parser: a balance chain that does not close, a schema deviation, free text shortened to fit, ' +
          'NUL characters removed',
      ),
  })
  .meta({ id: 'StatementFileImport' });

/** Statement files can hold months of history; 20 MB is far beyond a year of a busy account's MT940. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const FILE_FIELD = 'file';
/** Rows per ingest call: bounded parameter size, all of them still inside the upload's one transaction. */
const INGEST_CHUNK = 5_000;

function presentStatement(statement: IDailyStatement, unbookedCount: number): z.infer<typeof StatementView> {
  return {
    id: statement.id,
    bankAccountId: statement.bankAccount.id,
    date: statement.date,
    status: statement.status,
    transactionCount: statement.transactionCount,
    unbookedCount,
    sumCents: statement.sumCents,
    openingBalanceCents: statement.openingBalanceCents ?? null,
    closingBalanceCents: statement.closingBalanceCents ?? null,
    processedAt: statement.processedAt?.toISOString() ?? null,
    updatedAt: statement.updatedAt.toISOString(),
  };
}

function presentTransaction(transaction: ITransaction): z.infer<typeof TransactionView> {
  return {
    id: transaction.id,
    statementId: transaction.dailyStatement.id,
    source: transaction.source,
    bookingDate: transaction.bookingDate,
    valueDate: transaction.valueDate,
    amountCents: transaction.amountCents,
    currency: transaction.currency,
    counterpartyIban: transaction.counterpartyIban ?? null,
    counterpartyName: transaction.counterpartyName ?? null,
    description: transaction.description,
    endToEndId: transaction.endToEndId ?? null,
    bankReference: transaction.bankReference ?? null,
    bankTransactionCode: transaction.bankTransactionCode ?? null,
    ledgerAccount: transaction.ledgerAccount ?? null,
    bookedBy: transaction.bookedBy ?? null,
    ruleId: transaction.rule?.id ?? null,
    importedAt: transaction.importedAt.toISOString(),
  };
}

async function findAccount(em: EntityManager, organizationId: string, id: string): Promise<IBankAccount> {
  const account = await em.findOne(BankAccount, { id, organization: organizationId });
  if (!account) throw Problem.notFound('bank account');
  return account;
}

async function findStatement(
  em: EntityManager,
  organizationId: string,
  accountId: string,
  date: string,
  lock = false,
): Promise<IDailyStatement> {
  const account = await findAccount(em, organizationId, accountId);
  const statement = await em.findOne(
    DailyStatement,
    { bankAccount: account.id, date },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
  );
  if (!statement)
    throw new Problem(
      404,
      'Not found',
      `no statement on ${date}: there is one only for days with transactions (R-A16)`,
    );
  return statement;
}

async function unbookedCounts(em: EntityManager, statementIds: readonly string[]): Promise<Map<string, number>> {
  if (statementIds.length === 0) return new Map();
  const rows = await em.execute<{ id: string; n: number }[]>(
    `SELECT daily_statement_id AS id, count(*)::int AS n FROM bank_transaction
     WHERE daily_statement_id = ANY(?::uuid[]) AND ledger_account IS NULL GROUP BY daily_statement_id`,
    [pgArray(statementIds)],
  );
  return new Map(rows.map((row) => [row.id, row.n]));
}

/** Newest day first; the cursor is the last day shown, since an account has one statement per day. */
function encodeDateCursor(date: string): string {
  return Buffer.from(JSON.stringify({ d: date })).toString('base64url');
}

function decodeDateCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  try {
    const { d } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown };
    if (typeof d === 'string' && IsoDate.safeParse(d).success) return d;
  } catch {
    // falls through to the problem below
  }
  throw Problem.field('cursor', 'is not a cursor this API returned');
}

/*
 * Transactions page in import order, (imported_at, id). imported_at is written by PostgreSQL with microseconds,
 * which a JavaScript Date would round away, so the keyset runs in SQL and the cursor carries the database's text.
 */
const TRANSACTIONS_PAGE = `
SELECT t.*, to_char(t.imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS keyset_at
FROM bank_transaction t
WHERE t.daily_statement_id = ?::uuid AND (?::timestamp IS NULL OR (t.imported_at AT TIME ZONE 'UTC', t.id) > (?::timestamp, ?::uuid))
ORDER BY t.imported_at, t.id
LIMIT ?`;

const KEYSET_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

function decodeTransactionCursor(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof t === 'string' && KEYSET_AT.test(t) && typeof i === 'string' && z.uuid().safeParse(i).success)
      return { at: t, id: i };
  } catch {
    // falls through to the problem below
  }
  throw Problem.field('cursor', 'is not a cursor this API returned');
}

async function transactionsPage(em: EntityManager, statementId: string, limit: number, cursor: string | undefined) {
  const after = decodeTransactionCursor(cursor);
  const rows = await em.execute<(Record<string, unknown> & { keyset_at: string })[]>(TRANSACTIONS_PAGE, [
    statementId,
    after?.at ?? null,
    after?.at ?? null,
    after?.id ?? null,
    limit + 1,
  ]);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(({ keyset_at: _, ...row }) => presentTransaction(em.map(Transaction, row))),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify({ t: last.keyset_at, i: last.id })).toString('base64url')
        : null,
  };
}

// ---- statement files ------------------------------------------------------------------------------------

function tooLarge(): Problem {
  return new Problem(
    413,
    'Payload too large',
    `${FILE_FIELD}: the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`,
    [{ field: FILE_FIELD, message: `larger than ${MAX_FILE_BYTES} bytes` }],
  );
}

/** Busboy gives a part sent with an empty name (`name=""`) as undefined; the problem still names a field. */
function partName(name: string | undefined): string {
  return name || 'body';
}

interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/**
 * Reads the one file of a multipart upload into memory, at most MAX_FILE_BYTES. Every refusal waits until the
 * whole request is read, so the client always gets the answer instead of a reset connection.
 */
function readUploadedFile(req: Request): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: MAX_FILE_BYTES, parts: 10 } });
    } catch {
      reject(
        Problem.field('body', `send multipart/form-data with the statement file in the field "${FILE_FIELD}"`, 415),
      );
      return;
    }
    let refusal: Problem | null = null;
    let file: UploadedFile | null = null;
    const refuse = (problem: Problem) => {
      refusal ??= problem;
    };
    parser.on('file', (field, stream, info) => {
      if (field !== FILE_FIELD) {
        refuse(
          Problem.field(partName(field), `unexpected file field; send the statement file in the field "${FILE_FIELD}"`),
        );
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => refuse(tooLarge()));
      stream.on('end', () => {
        file = { name: info.filename ?? '', bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('field', (field) =>
      refuse(
        Problem.field(partName(field), `unexpected field; send only the statement file, in the field "${FILE_FIELD}"`),
      ),
    );
    parser.on('filesLimit', () => refuse(Problem.field(FILE_FIELD, 'send exactly one file per request')));
    parser.on('partsLimit', () => refuse(Problem.field('body', 'too many parts; send only the statement file')));
    parser.on('error', (error: Error) => reject(Problem.field('body', `unreadable multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (refusal) reject(refusal);
      else if (!file)
        reject(Problem.field(FILE_FIELD, `missing: send the statement file in the field "${FILE_FIELD}"`));
      else resolve(file);
    });
    req.on('close', () => {
      if (!req.complete) reject(Problem.field('body', 'the upload was interrupted'));
    });
    req.pipe(parser);
  });
}

/**
 * Whether a statement's account (as the file names it) is this bank account: by IBAN, or, for older Dutch MT940
 * that names the account number only, by the number that ends the Dutch IBAN.
 */
function isThisAccount(fileAccount: string, iban: string): boolean {
  const named = normaliseIban(fileAccount);
  if (named === iban) return true;
  return (
    iban.startsWith('NL') && /^\d{1,10}$/.test(named) && named.replace(/^0+/, '') === iban.slice(8).replace(/^0+/, '')
  );
}

/** The whole file belongs to this account and its currency, or none of it is imported. */
function checkFileAccount(file: StatementFile, account: IBankAccount): void {
  const iban = account.iban;
  if (!iban)
    throw new Problem(
      422,
      'Wrong account',
      `bank account "${account.name}" has no IBAN, so no statement file can be matched to it`,
    );
  const others = [...new Set(file.statements.map((s) => s.account).filter((named) => !isThisAccount(named, iban)))];
  if (others.length) {
    throw new Problem(
      422,
      'Wrong account',
      `the file is for account ${others.join(', ')}, not ${iban}; upload it to the bank account with that IBAN (nothing was imported)`,
      [{ field: FILE_FIELD, message: `statements for ${others.join(', ')}` }],
    );
  }
  const currencies = [
    ...new Set(file.statements.map((s) => s.currency).filter((currency) => currency !== account.currency)),
  ];
  if (currencies.length) {
    throw new Problem(
      422,
      'Wrong currency',
      `the file has statements in ${currencies.join(', ')}; the account is kept in ${account.currency} (nothing was imported)`,
      [{ field: FILE_FIELD, message: `statements in ${currencies.join(', ')}` }],
    );
  }
}

/**
 * Which daily statements get the balances a file reports. Daily statements exist only for days with mutations
 * (R-A16), so the balances' own dates (MT940 :60F:/:62F:, camt OPBD/CLBD) often have none:
 * - a file statement's closing balance is the closing of the day of its last entry, since nothing changes the
 *   balance after it within that statement; a later file overwrites it (the bank's newest word counts).
 * - its opening balance is the opening of the day of its first entry, unless the file already closed that day
 *   with an earlier statement: then this one is a second page that starts mid-day. The database write adds the
 *   same rule across files (no opening once the day has any balance).
 * A statement without entries has no day to put balances on; one without balances (camt.053 allows it) leaves
 * its days' balances as they were.
 */
function reportedBalances(statements: readonly Statement[]): {
  openings: Map<string, number>;
  closings: Map<string, number>;
} {
  const openings = new Map<string, number>();
  const closings = new Map<string, number>();
  for (const statement of statements) {
    if (statement.entries.length === 0) continue;
    const days = statement.entries.map((entry) => entry.bookingDate).sort();
    const first = days[0] as string;
    const last = days[days.length - 1] as string;
    const { openingBalance: opening, closingBalance: closing } = statement;
    if (opening !== null && !openings.has(first) && !closings.has(first)) openings.set(first, opening.amountCents);
    if (closing !== null) closings.set(last, closing.amountCents);
  }
  return { openings, closings };
}

const SET_OPENINGS = `
UPDATE daily_statement d SET opening_balance_cents = b.cents, updated_at = now()
FROM unnest(?::date[], ?::bigint[]) AS b(date, cents)
WHERE d.bank_account_id = ?::uuid AND d.date = b.date AND d.opening_balance_cents IS NULL AND d.closing_balance_cents IS NULL`;

const SET_CLOSINGS = `
UPDATE daily_statement d SET closing_balance_cents = b.cents, updated_at = now()
FROM unnest(?::date[], ?::bigint[]) AS b(date, cents)
WHERE d.bank_account_id = ?::uuid AND d.date = b.date`;

async function storeBalances(
  em: EntityManager,
  bankAccountId: string,
  statements: readonly Statement[],
): Promise<void> {
  const { openings, closings } = reportedBalances(statements);
  for (const [sql, balances] of [
    [SET_OPENINGS, openings],
    [SET_CLOSINGS, closings],
  ] as const) {
    if (balances.size)
      await em.execute(sql, [pgArray([...balances.keys()]), pgArray([...balances.values()]), bankAccountId]);
  }
}

function toIncoming(statements: readonly Statement[]): IncomingEntry[] {
  return statements.flatMap((statement) => statement.entries.map((entry) => ({ ...entry, booked: true })));
}

export const statementRoutes = [
  defineRoute({
    method: 'get',
    path: '/bank-accounts/{id}/statements',
    summary: 'List the daily statements of a bank account, newest day first (R-A16)',
    tag: 'Statements',
    permission: 'read',
    params: IdParams,
    query: PageQuery.extend({
      status: z.enum(STATEMENT_STATUSES).optional(),
      dateFrom: IsoDate.optional(),
      dateTo: IsoDate.optional(),
    }),
    responses: {
      200: { description: 'A page of daily statements', schema: StatementList },
      404: { description: 'No such bank account' },
    },
    handler: async ({ em, auth, params, query }) => {
      const account = await findAccount(em, auth.organizationId, params.id);
      const before = decodeDateCursor(query.cursor);
      const date = {
        ...(query.dateFrom ? { $gte: query.dateFrom } : {}),
        ...(query.dateTo ? { $lte: query.dateTo } : {}),
        ...(before ? { $lt: before } : {}),
      };
      const rows = await em.find(
        DailyStatement,
        {
          bankAccount: account.id,
          ...(query.status ? { status: query.status } : {}),
          ...(Object.keys(date).length ? { date } : {}),
        },
        { orderBy: { date: 'desc' }, limit: query.limit + 1 },
      );
      const items = rows.slice(0, query.limit);
      const unbooked = await unbookedCounts(
        em,
        items.map((s) => s.id),
      );
      const last = items[items.length - 1];
      return {
        status: 200,
        body: {
          items: items.map((s) => presentStatement(s, unbooked.get(s.id) ?? 0)),
          nextCursor: rows.length > query.limit && last ? encodeDateCursor(last.date) : null,
        },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bank-accounts/{id}/statements/{date}',
    summary:
      'Show the statement of one day with its transactions (paginated by limit and cursor) and any balance-chain breaks',
    tag: 'Statements',
    permission: 'read',
    params: StatementParams,
    query: PageQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
    responses: {
      200: { description: 'The statement', schema: StatementDetail },
      404: { description: 'No such bank account, or no statement that day' },
    },
    handler: async ({ em, auth, params, query }) => {
      const statement = await findStatement(em, auth.organizationId, params.id, params.date);
      const previous = await em.findOne(
        DailyStatement,
        { bankAccount: params.id, date: { $lt: params.date } },
        { orderBy: { date: 'desc' } },
      );
      const chain = [...(previous ? [previous] : []), statement].map((s) => ({
        date: s.date,
        openingBalanceCents: s.openingBalanceCents ?? null,
        closingBalanceCents: s.closingBalanceCents ?? null,
        sumCents: s.sumCents,
      }));
      const unbooked = await unbookedCounts(em, [statement.id]);
      return {
        status: 200,
        body: {
          ...presentStatement(statement, unbooked.get(statement.id) ?? 0),
          transactions: await transactionsPage(em, statement.id, query.limit, query.cursor),
          chainBreaks: balanceChainBreaks(chain).filter((b) => b.date === statement.date),
        },
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/transactions/{id}',
    summary:
      'Book a transaction to a ledger account by hand while processing its statement (R-A19), optionally saving a rule for next time',
    tag: 'Statements',
    permission: 'write',
    params: IdParams,
    body: BookTransaction,
    responses: {
      200: { description: 'Booked', schema: BookedTransaction },
      404: { description: 'No such transaction' },
      409: { description: 'The statement is processed, or the rule code is taken' },
    },
    handler: async ({ em, auth, params, body }) =>
      em.transactional(async (tx) => {
        const transaction = await tx.findOne(Transaction, { id: params.id, organization: auth.organizationId });
        if (!transaction) throw Problem.notFound('transaction');
        // Locked so a concurrent "process" sees either the booking or the refusal, never half of each.
        const statement = await tx.findOneOrFail(
          DailyStatement,
          { id: transaction.dailyStatement.id },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (statement.status === 'processed') {
          throw Problem.field(
            'ledgerAccount',
            `the statement of ${statement.date} is processed; its bookings are final`,
            409,
          );
        }
        transaction.ledgerAccount = body.ledgerAccount;
        transaction.bookedBy = 'hand';
        transaction.rule = null;
        let createdRuleId: string | null = null;
        if (body.createRule) {
          const { values, errors } = completeRule({
            code: body.createRule.code,
            description: body.createRule.description,
            bankTransactionCode: transaction.bankTransactionCode ?? null,
            counterpartyIban: transaction.counterpartyIban ?? null,
            descriptionContains: null,
            ledgerAccount: body.ledgerAccount,
            priority: body.createRule.priority,
          });
          if (errors.length)
            throw Problem.field(
              'createRule',
              'this transaction has no bank transaction code or valid counterparty IBAN to make a rule of',
            );
          await assertCodeFree(tx, auth.organizationId, values.code, 'createRule.code');
          const rule = tx.create(TransactionCodeRule, { organization: auth.organizationId, ...values });
          recordAudit(
            tx,
            auth,
            'transaction_code_rule.created',
            { type: 'TransactionCodeRule', entity: rule },
            { code: values.code, ledgerAccount: values.ledgerAccount, fromTransaction: transaction.id },
          );
          createdRuleId = rule.id;
        }
        recordAudit(
          tx,
          auth,
          'transaction.booked',
          { type: 'Transaction', entity: transaction },
          { ledgerAccount: body.ledgerAccount, date: statement.date },
        );
        await tx.flush();
        return { status: 200, body: { ...presentTransaction(transaction), createdRuleId } };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/bank-accounts/{id}/statements/{date}/process',
    summary:
      'Mark a statement processed, once every transaction on it has a ledger account; a later import reopens it (R-A18)',
    tag: 'Statements',
    permission: 'write',
    params: StatementParams,
    responses: {
      200: { description: 'Processed', schema: StatementView },
      404: { description: 'No such bank account, or no statement that day' },
      409: { description: 'Transactions without a ledger account remain' },
    },
    handler: async ({ em, auth, params }) =>
      em.transactional(async (tx) => {
        // The row lock orders this against an import into the same day: the import either lands before the count
        // below (and is counted) or after the commit (and reopens the statement).
        const statement = await findStatement(tx, auth.organizationId, params.id, params.date, true);
        const unbooked = await tx.count(Transaction, { dailyStatement: statement.id, ledgerAccount: null });
        if (unbooked > 0) {
          const message = `${unbooked} of ${statement.transactionCount} transactions have no ledger account yet; book them by hand or with a transaction-code rule first`;
          throw new Problem(409, 'Conflict', `the statement of ${statement.date} cannot be processed: ${message}`, [
            { field: 'transactions', message },
          ]);
        }
        if (statement.status !== 'processed') {
          statement.status = 'processed';
          statement.processedAt = new Date();
          recordAudit(
            tx,
            auth,
            'daily_statement.processed',
            { type: 'DailyStatement', entity: statement },
            { date: statement.date, transactions: statement.transactionCount },
          );
        }
        await tx.flush();
        return { status: 200, body: presentStatement(statement, 0) };
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/bank-accounts/{id}/statement-files',
    summary:
      'Import an MT940 or camt.053 statement file into the account, all or nothing (R-A5, R-A14, R-A16). The same file twice imports nothing new; ' +
      'payments the bank connection already imported are recognised by their fingerprint and imported once.',
    tag: 'Statements',
    permission: 'write',
    params: IdParams,
    rawBody: {
      contentType: 'multipart/form-data',
      description: `Exactly one file, in the field "${FILE_FIELD}", at most ${MAX_FILE_BYTES / 1024 / 1024} MB; the format is detected from its content`,
      schema: z.object({ [FILE_FIELD]: z.string().meta({ format: 'binary' }) }),
    },
    responses: {
      201: { description: 'Imported; at least one transaction was new', schema: StatementFileImport },
      200: { description: 'Nothing new: every transaction was already there', schema: StatementFileImport },
      400: {
        description: 'The file cannot be read (the problem names the line), or no single file in the field "file"',
      },
      404: { description: 'No such bank account' },
      409: { description: 'The account is blocked on its bank connection' },
      413: { description: 'The file is too large' },
      415: { description: 'Not multipart/form-data' },
      422: {
        description:
          'The file is for another account or currency, or holds a value that cannot be stored, such as an identifier ' +
          'longer than its column (the problem names the line)',
      },
    },
    handler: async ({ em, auth, params, req }) => {
      const account = await findAccount(em, auth.organizationId, params.id);
      if (!req.is('multipart/form-data'))
        throw Problem.field(
          'body',
          `send multipart/form-data with the statement file in the field "${FILE_FIELD}"`,
          415,
        );
      // Multipart adds headers and boundaries around the file: a few kilobytes, never megabytes.
      if (Number(req.get('content-length') ?? 0) > MAX_FILE_BYTES + 64 * 1024) throw tooLarge();
      const upload = await readUploadedFile(req);
      let file: StatementFile;
      try {
        file = await parseStatementFile(decodeStatementBytes(upload.bytes));
      } catch (error) {
        if (!(error instanceof StatementParseError)) throw error;
        // Read, but holding a value the books cannot store (an over-long identifier): like another account's file.
        const [status, title] =
          error instanceof StatementValueError
            ? [422, 'Unprocessable statement file']
            : [400, 'Unreadable statement file'];
        throw new Problem(status, title, `${error.message} (nothing was imported)`, [
          { field: FILE_FIELD, message: error.message },
        ]);
      }
      checkFileAccount(file, account);
      const connected = await em.find(
        ConnectedAccount,
        { bankAccount: account.id },
        { orderBy: { switchOverDate: 'asc' } },
      );
      if (connected.some((c) => c.blocked)) {
        throw new Problem(
          409,
          'Account blocked',
          `${account.iban} is blocked on its bank connection; unblock it before importing transactions into it (nothing was imported)`,
        );
      }
      // The earliest: from that day on the bank connection imports (R-A5), and files overlap it only by dedupe.
      const switchOverDate = connected[0]?.switchOverDate ?? null;
      const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
      const entries = toIncoming(file.statements);
      const days = entries.map((e) => e.bookingDate).sort();
      const result = await em.transactional(async (tx) => {
        const { rows } = prepareRows(entries, { source: 'file', switchOverDate }, new OccurrenceCounter());
        const total: IngestPageResult = { imported: 0, duplicates: 0, dates: [] };
        for (let i = 0; i < rows.length; i += INGEST_CHUNK) {
          const part = await ingestPage(
            tx,
            { organizationId: auth.organizationId, bankAccountId: account.id, source: 'file' },
            rows.slice(i, i + INGEST_CHUNK),
          );
          total.imported += part.imported;
          total.duplicates += part.duplicates;
          total.dates.push(...part.dates);
        }
        await storeBalances(tx, account.id, file.statements);
        recordAudit(
          tx,
          auth,
          'statement_file.imported',
          { type: 'BankAccount', entity: account },
          {
            sha256,
            fileName: upload.name,
            sizeBytes: upload.bytes.length,
            format: file.format,
            statements: file.statements.length,
            entries: entries.length,
            imported: total.imported,
            duplicates: total.duplicates,
          },
        );
        return total;
      });
      const body: z.infer<typeof StatementFileImport> = {
        format: file.format,
        fileName: upload.name,
        sha256,
        sizeBytes: upload.bytes.length,
        statements: file.statements.length,
        entries: entries.length,
        imported: result.imported,
        duplicates: result.duplicates,
        firstDate: days[0] ?? null,
        lastDate: days[days.length - 1] ?? null,
        dates: [...new Set(result.dates)].sort(),
        switchOverDate,
        warnings: file.warnings,
      };
      return { status: result.imported > 0 ? 201 : 200, body };
    },
  }),
];
