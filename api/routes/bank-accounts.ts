import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  accountShapeProblem,
  BANK_ACCOUNT_TYPES,
  CONNECTION_STATUSES,
  connectabilityProblems,
  connectionStatusOf,
  type ConnectionStatus,
} from '../../domain/bank-account';
import { ibanProblem, normaliseIban } from '../../domain/iban';
import { OPEN_STATUSES } from '../../domain/onboarding';
import { BankAccount, ConnectedAccount, Transaction, type IBankAccount } from '../../db/entities';
import { pgArray } from '../../db/pg-array';
import {
  ACCOUNT_CHECK_WORKFLOW,
  accountCheckWorkflowId,
  type AccountCheckWorkflow,
} from '../../workflows/account-check/contract';
import type { AuthContext } from '../auth';
import { recordAudit } from '../audit';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';
import { findBankJournal } from './bank-journals';
import { findEnvironment } from './environments';
import { currentSerialNumber, readsSerialNumbers } from './onboardings';
import type { TokenCipher } from '../../db/token-cipher';

const CheckView = z
  .object({ connectable: z.boolean(), problems: z.array(z.string()), checkedAt: z.iso.datetime() })
  .meta({ id: 'ConnectabilityCheck' });

export const BankAccountView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(BANK_ACCOUNT_TYPES),
    iban: z.string().nullable(),
    currency: z.string(),
    ledgerAccount: z.string(),
    environmentId: z.uuid(),
    journalId: z.uuid().nullable(),
    connectionStatus: z.enum(CONNECTION_STATUSES).describe('R-V14; "none" until a connection links this account'),
    connectable: z.boolean().describe('R-V1 type and IBAN, R-A4 linked to a bank journal'),
    problems: z.array(z.string()).describe('why the account cannot be connected yet, in words'),
    lastCheck: CheckView.nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'BankAccount' });

const BankAccountDetail = BankAccountView.extend({
  serialNumber: z
    .string()
    .nullable()
    .describe(
      'R-V9 "serial number unknown?": the serial number of the open serial onboarding for this account (named in its bankAccountIds, or without bankAccountIds for its environment and bank), null when there is none. Only staff and admin keys see it: a support key always gets null, since whoever holds a live serial number can start a consent for the client',
    ),
}).meta({ id: 'BankAccountDetail' });

/** R-V9: the serial number the client asks for, from the newest open serial onboarding of this account. */
async function openSerialNumber(
  em: EntityManager,
  cipher: TokenCipher,
  account: IBankAccount,
  reader: AuthContext,
): Promise<string | null> {
  if (!readsSerialNumbers(reader)) return null;
  const bankCode = account.iban?.startsWith('NL') ? account.iban.slice(4, 8) : null;
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `SELECT id FROM onboarding
      WHERE organization_id = ? AND flavour = 'serial' AND status = ANY(?::text[])
        AND (bank_account_ids @> ?::jsonb OR (bank_account_ids = '[]'::jsonb AND environment_id = ? AND bank_code = ?))
      ORDER BY created_at DESC LIMIT 1`,
    [
      account.organization.id,
      pgArray(OPEN_STATUSES),
      JSON.stringify([account.id]),
      account.environment.id,
      bankCode ?? '',
    ],
  );
  return rows[0] ? (await currentSerialNumber(em, cipher, rows[0].id, reader)).serialNumber : null;
}

const BankAccountList = z
  .object({ items: z.array(BankAccountView), nextCursor: z.string().nullable() })
  .meta({ id: 'BankAccountList' });

const Currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const LedgerAccount = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .regex(/^[0-9A-Za-z.-]+$/, 'letters, digits, . and - only');

/** Checked in the schema, so that a bad IBAN is named in the same answer as every other failing field. */
const Iban = z
  .string()
  .trim()
  .max(42)
  .superRefine(
    (iban, ctx) => {
      const problem = iban ? ibanProblem(iban) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: `IBAN ${problem}` });
    },
    { when: ({ issues }) => issues.length === 0 },
  );

/**
 * The type-and-IBAN rule runs even when other fields are missing or wrong, so that one answer names them all; only
 * the body being an object and its type and IBAN being sound themselves are needed.
 */
function typeAndIbanSound({ issues }: z.core.ParsePayload): boolean {
  return !issues.some((issue) => {
    const field = issue.path?.[0];
    return field === undefined ? issue.code !== 'unrecognized_keys' : field === 'type' || field === 'iban';
  });
}

const CreateBankAccount = z
  .object({
    environmentId: z.uuid(),
    journalId: z.uuid().nullable().optional(),
    name: z.string().trim().min(1).max(200),
    type: z.enum(BANK_ACCOUNT_TYPES),
    iban: Iban.nullable().optional(),
    currency: Currency.default('EUR'),
    ledgerAccount: LedgerAccount,
  })
  .strict()
  .superRefine(
    ({ type, iban }, ctx) => {
      const problem = accountShapeProblem({ type, iban: iban ? normaliseIban(iban) : null });
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    },
    { when: typeAndIbanSound },
  )
  .meta({ id: 'CreateBankAccount' });

const UpdateBankAccount = z
  .object({
    journalId: z.uuid().nullable(),
    name: z.string().trim().min(1).max(200),
    type: z.enum(BANK_ACCOUNT_TYPES),
    iban: Iban.nullable(),
    currency: Currency,
    ledgerAccount: LedgerAccount,
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateBankAccount' });

export function presentBankAccount(
  account: IBankAccount,
  connectionStatus: ConnectionStatus,
): z.infer<typeof BankAccountView> {
  const problems = connectabilityProblems({
    type: account.type,
    iban: account.iban ?? null,
    journalId: account.journal?.id ?? null,
    currency: account.currency,
  });
  return {
    id: account.id,
    name: account.name,
    type: account.type,
    iban: account.iban ?? null,
    currency: account.currency,
    ledgerAccount: account.ledgerAccount,
    environmentId: account.environment.id,
    journalId: account.journal?.id ?? null,
    connectionStatus,
    connectable: problems.length === 0,
    problems,
    lastCheck: account.lastCheck ?? null,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

/** One query for a whole page: the connection status of each listed account (R-V14). */
async function connectionStatuses(em: EntityManager, accountIds: string[]): Promise<Map<string, ConnectionStatus>> {
  const links = accountIds.length
    ? await em.find(ConnectedAccount, { bankAccount: { $in: accountIds } }, { populate: ['connection'] })
    : [];
  return new Map(
    accountIds.map((id) => [
      id,
      connectionStatusOf(
        links
          .filter((l) => l.bankAccount.id === id)
          .map((l) => ({ connectionState: l.connection.state, statementImportEnabled: l.statementImportEnabled })),
      ),
    ]),
  );
}

async function present(em: EntityManager, accounts: IBankAccount[]): Promise<z.infer<typeof BankAccountView>[]> {
  const statuses = await connectionStatuses(
    em,
    accounts.map((a) => a.id),
  );
  return accounts.map((account) => presentBankAccount(account, statuses.get(account.id) ?? 'none'));
}

async function presentOne(em: EntityManager, account: IBankAccount): Promise<z.infer<typeof BankAccountView>> {
  return (await present(em, [account]))[0]!;
}

async function findBankAccount(em: EntityManager, organizationId: string, id: string): Promise<IBankAccount> {
  const account = await em.findOne(BankAccount, { id, organization: organizationId });
  if (!account) throw Problem.notFound('bank account');
  return account;
}

async function assertIbanFree(
  em: EntityManager,
  environmentId: string,
  iban: string,
  exceptId?: string,
): Promise<void> {
  const clash = await em.findOne(BankAccount, {
    environment: environmentId,
    iban,
    ...(exceptId ? { id: { $ne: exceptId } } : {}),
  });
  if (clash) throw Problem.field('iban', `this environment already has an account with IBAN ${iban}`, 409);
}

/**
 * The database cascades a bank account's delete to its statements, transactions and connected accounts. Booked
 * history and a live connection's accounts must not go with a click, so such an account is refused and kept.
 */
async function assertNothingHangsOn(em: EntityManager, accountId: string): Promise<void> {
  if (await em.findOne(Transaction, { bankAccount: accountId }, { fields: ['id'] })) {
    throw new Problem(409, 'Conflict', 'the bank account has booked transactions; it is kept with its history');
  }
  if (await em.findOne(ConnectedAccount, { bankAccount: accountId }, { fields: ['id'] })) {
    throw new Problem(
      409,
      'Conflict',
      'the bank account is connected to a bank; it is kept while a connection lists it (block it there to stop fetching)',
    );
  }
}

function checkShape(type: IBankAccount['type'], iban: string | null): void {
  const problem = accountShapeProblem({ type, iban });
  if (problem) throw Problem.field(problem.field, problem.message);
}

export const bankAccountRoutes = [
  defineRoute({
    method: 'get',
    path: '/bank-accounts',
    summary: 'List bank accounts with type, currency, ledger account and connection status (R-V14)',
    tag: 'Bank accounts',
    permission: 'read',
    query: PageQuery.extend({ environmentId: z.uuid().optional(), type: z.enum(BANK_ACCOUNT_TYPES).optional() }),
    responses: { 200: { description: 'A page of bank accounts', schema: BankAccountList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        BankAccount,
        {
          organization: auth.organizationId,
          ...(query.environmentId ? { environment: query.environmentId } : {}),
          ...(query.type ? { type: query.type } : {}),
          ...afterCursor(decodeCursor(query.cursor)),
        },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
      );
      const listed = page(rows, query.limit, (row) => row);
      return { status: 200, body: { items: await present(em, listed.items), nextCursor: listed.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bank-accounts/{id}',
    summary: 'Show one bank account, with the serial number of its open serial onboarding (R-V9)',
    tag: 'Bank accounts',
    permission: 'read',
    params: IdParams,
    responses: {
      200: { description: 'The bank account', schema: BankAccountDetail },
      404: { description: 'No such bank account' },
    },
    handler: async ({ em, auth, params, services }) => {
      const account = await findBankAccount(em, auth.organizationId, params.id);
      return {
        status: 200,
        body: {
          ...(await presentOne(em, account)),
          serialNumber: await openSerialNumber(em, services.tokenCipher, account, auth),
        },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/bank-accounts',
    summary: 'Record a bank account: current or savings with an IBAN, or cash (never connectable, R-V1)',
    tag: 'Bank accounts',
    permission: 'write',
    body: CreateBankAccount,
    responses: {
      201: { description: 'Created', schema: BankAccountView },
      400: { description: 'Invalid' },
      404: { description: 'No such environment or bank journal (`errors` names environmentId or journalId)' },
      409: { description: 'IBAN already recorded' },
    },
    handler: async ({ em, auth, body }) => {
      const environment = await findEnvironment(em, auth.organizationId, body.environmentId, 'environmentId');
      const journal = body.journalId
        ? await findBankJournal(em, auth.organizationId, body.journalId, 'journalId')
        : null;
      if (journal && journal.environment.id !== environment.id)
        throw Problem.field('journalId', 'the bank journal belongs to another environment');
      const iban = body.iban ? normaliseIban(body.iban) : null;
      if (iban) await assertIbanFree(em, environment.id, iban);
      const account = em.create(BankAccount, {
        organization: auth.organizationId,
        environment,
        journal,
        name: body.name,
        type: body.type,
        iban,
        currency: body.currency,
        ledgerAccount: body.ledgerAccount,
        lastCheck: null,
      });
      recordAudit(
        em,
        auth,
        'bank_account.created',
        { type: 'BankAccount', entity: account },
        { type: body.type, iban },
      );
      await em.flush();
      return { status: 201, body: await presentOne(em, account) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/bank-accounts/{id}',
    summary: 'Change a bank account',
    tag: 'Bank accounts',
    permission: 'write',
    params: IdParams,
    body: UpdateBankAccount,
    responses: {
      200: { description: 'Changed', schema: BankAccountView },
      404: { description: 'No such bank account' },
      409: { description: 'Another account in this environment has the IBAN' },
    },
    handler: async ({ em, auth, params, body }) => {
      const account = await findBankAccount(em, auth.organizationId, params.id);
      if (body.journalId !== undefined) {
        const journal = body.journalId
          ? await findBankJournal(em, auth.organizationId, body.journalId, 'journalId')
          : null;
        if (journal && journal.environment.id !== account.environment.id)
          throw Problem.field('journalId', 'the bank journal belongs to another environment');
        account.journal = journal;
      }
      const iban = body.iban === undefined ? (account.iban ?? null) : body.iban ? normaliseIban(body.iban) : null;
      const type = body.type ?? account.type;
      checkShape(type, iban);
      if (iban && iban !== account.iban) await assertIbanFree(em, account.environment.id, iban, account.id);
      account.iban = iban;
      account.type = type;
      if (body.name !== undefined) account.name = body.name;
      if (body.currency !== undefined) account.currency = body.currency;
      if (body.ledgerAccount !== undefined) account.ledgerAccount = body.ledgerAccount;
      recordAudit(
        em,
        auth,
        'bank_account.changed',
        { type: 'BankAccount', entity: account },
        { fields: Object.keys(body) },
      );
      await em.flush();
      return { status: 200, body: await presentOne(em, account) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/bank-accounts/{id}',
    summary: 'Delete a bank account that has no booked transactions and no connection (admin only)',
    tag: 'Bank accounts',
    permission: 'admin',
    params: IdParams,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No such bank account' },
      409: {
        description:
          'The account has booked transactions or is connected to a bank: deleting it would delete them too, so it is kept (`detail` says which)',
      },
    },
    handler: async ({ em, auth, params }) => {
      const account = await findBankAccount(em, auth.organizationId, params.id);
      await assertNothingHangsOn(em, account.id);
      recordAudit(
        em,
        auth,
        'bank_account.deleted',
        { type: 'BankAccount', entity: account },
        { iban: account.iban ?? null },
      );
      em.remove(account);
      await em.flush();
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/bank-accounts/{id}/check',
    summary:
      'Check whether the account can be connected (R-V1, R-A4); runs as a Temporal workflow and records the result',
    tag: 'Bank accounts',
    permission: 'write',
    params: IdParams,
    responses: {
      200: { description: 'The recorded check', schema: CheckView },
      404: { description: 'No such bank account' },
    },
    handler: async ({ em, auth, params, services }) => {
      const account = await findBankAccount(em, auth.organizationId, params.id);
      const result = await services.temporal.workflow.execute<AccountCheckWorkflow>(ACCOUNT_CHECK_WORKFLOW, {
        workflowId: accountCheckWorkflowId(account.id),
        taskQueue: services.taskQueue,
        args: [{ organizationId: auth.organizationId, bankAccountId: account.id }],
        workflowExecutionTimeout: '1 minute',
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `Check bank account ${account.iban ?? account.name} for a bank connection`,
      });
      return { status: 200, body: result };
    },
  }),
];
