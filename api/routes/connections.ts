import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScheduleNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { allowanceDay, planCalls } from '../../domain/bank-allowance';
import { CONNECTION_STATES } from '../../domain/connection';
import { CONSENT_STATUSES } from '../../domain/consent';
import { communicationEnvironmentId } from '../../domain/environment';
import { fetchScheduleId } from '../../domain/fetch-schedule';
import { callsMadeToday } from '../../db/bank-call-counts';
import { ConnectedAccount, Connection, type IConnectedAccount, type IConnection } from '../../db/entities';
import {
  FETCH_TRANSACTIONS_WORKFLOW,
  fetchNowWorkflowId,
  type FetchTransactionsWorkflow,
} from '../../workflows/fetch-transactions/contract';
import { fetchSearchAttributes } from '../../workflows/search-attributes';
import { recordAudit } from '../audit';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';
import type { ApiServices } from '../services';
import { findEnvironment } from './environments';

const FetchResultView = z
  .object({ outcome: z.string(), at: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'FetchResult' });

const ConnectedAccountView = z
  .object({
    id: z.uuid(),
    bankAccountId: z.uuid(),
    iban: z.string(),
    currency: z.string(),
    environmentId: z.uuid(),
    importTransactions: z.boolean(),
    payments: z.boolean(),
    directDebit: z.boolean(),
    blocked: z.boolean(),
    statementImportEnabled: z.boolean().describe('R-A13: on once the first transactions were imported'),
    switchOverDate: z.string().describe('R-A5: the API channel imports from 00:00 of this day'),
    firstTransactionAt: z.iso.datetime().nullable(),
    lastFetchAt: z.iso.datetime().nullable(),
    lastFetchResult: FetchResultView.nullable(),
  })
  .meta({ id: 'ConnectedAccount' });

const ConnectionView = z
  .object({
    id: z.uuid(),
    bankCode: z.string(),
    bankAgreement: z.string(),
    communicationEnvironmentId: z.uuid(),
    state: z.enum(CONNECTION_STATES),
    stateReason: z.string().nullable(),
    syncProfileBlocked: z.boolean(),
    fetchesPerDay: z.number().int(),
    consent: z
      .object({
        status: z.enum(CONSENT_STATUSES),
        validUntil: z.string().nullable(),
        frequencyPerDay: z.number().int(),
      })
      .nullable(),
    accountManager: z.object({ name: z.string().nullable(), email: z.string().nullable() }),
    lastFetchAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Connection' });

const LeftOut = z.object({
  iban: z.string(),
  reason: z.string(),
  nextRunAt: z.string().describe('ISO 8601 with offset: when this account can be fetched again'),
});

const FetchStarted = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    temporalUiUrl: z.string(),
    accounts: z.array(z.string()).describe('IBANs this fetch asks the bank for'),
    leftOut: z.array(LeftOut).describe("accounts whose calls for today are used: the bank's daily allowance"),
  })
  .meta({ id: 'FetchStarted' });

const Allowance = z
  .object({
    day: z.string().describe('the calendar day in Amsterdam the bank counts in'),
    frequencyPerDay: z
      .number()
      .int()
      .describe('unattended calls a day per endpoint, as the bank granted on the consent'),
    callsMade: z.record(z.string(), z.number().int()).describe('per endpoint: "accounts" or "transactions:<IBAN>"'),
    leftOut: z.array(LeftOut).describe('accounts a fetch now would leave out'),
  })
  .meta({ id: 'BankCallAllowance' });

const ConnectionDetail = ConnectionView.extend({
  accounts: z.array(ConnectedAccountView),
  allowance: Allowance.nullable().describe(
    "today's bank call allowance (PSD2: 4 unattended calls a day); null without a consent",
  ),
  problems: z
    .array(z.string())
    .describe('what keeps this connection from fetching, in words: a used allowance, a failed fetch'),
  nextScheduledFetch: z.iso
    .datetime()
    .nullable()
    .describe('from the Temporal Schedule; null when paused or not scheduled'),
  scheduleUrl: z.string().describe('the Schedule in the Temporal UI'),
}).meta({ id: 'ConnectionDetail' });

const ConnectionList = z
  .object({ items: z.array(ConnectionView), nextCursor: z.string().nullable() })
  .meta({ id: 'ConnectionList' });

const UpdateConnection = z.object({ syncProfileBlocked: z.boolean() }).strict().meta({ id: 'UpdateConnection' });

const UpdateConnectedAccount = z
  .object({
    environmentId: z.uuid(),
    blocked: z.boolean(),
    importTransactions: z.boolean(),
    payments: z.boolean(),
    directDebit: z.boolean(),
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateConnectedAccount' });

function presentConnection(connection: IConnection): z.infer<typeof ConnectionView> {
  const consent = connection.consent;
  return {
    id: connection.id,
    bankCode: connection.bankCode,
    bankAgreement: connection.bankAgreement,
    communicationEnvironmentId: connection.communicationEnvironment.id,
    state: connection.state,
    stateReason: connection.stateReason ?? null,
    syncProfileBlocked: connection.syncProfileBlocked,
    fetchesPerDay: connection.fetchesPerDay,
    consent: consent
      ? { status: consent.status, validUntil: consent.validUntil ?? null, frequencyPerDay: consent.frequencyPerDay }
      : null,
    accountManager: { name: connection.accountManagerName ?? null, email: connection.accountManagerEmail ?? null },
    lastFetchAt: connection.lastFetchAt?.toISOString() ?? null,
    createdAt: connection.createdAt.toISOString(),
  };
}

function presentConnectedAccount(account: IConnectedAccount): z.infer<typeof ConnectedAccountView> {
  return {
    id: account.id,
    bankAccountId: account.bankAccount.id,
    iban: account.iban,
    currency: account.currency,
    environmentId: account.environment.id,
    importTransactions: account.importTransactions,
    payments: account.payments,
    directDebit: account.directDebit,
    blocked: account.blocked,
    statementImportEnabled: account.statementImportEnabled,
    switchOverDate: account.switchOverDate,
    firstTransactionAt: account.firstTransactionAt?.toISOString() ?? null,
    lastFetchAt: account.lastFetchAt?.toISOString() ?? null,
    lastFetchResult: account.lastFetchResult ?? null,
  };
}

async function findConnection(em: EntityManager, organizationId: string, id: string): Promise<IConnection> {
  const connection = await em.findOne(
    Connection,
    { id, organization: organizationId },
    { populate: ['consent', 'clientCompany'] },
  );
  if (!connection) throw Problem.notFound('connection');
  return connection;
}

async function nextScheduledFetch(services: ApiServices, connectionId: string): Promise<string | null> {
  try {
    const description = await services.temporal.schedule.getHandle(fetchScheduleId(connectionId)).describe();
    return description.state.paused ? null : (description.info.nextActionTimes[0]?.toISOString() ?? null);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

/** The Schedule follows the sync profile: blocked means no scheduled fetches at all (R-A17). */
async function setSchedulePaused(
  services: ApiServices,
  connectionId: string,
  paused: boolean,
  note: string,
): Promise<void> {
  try {
    const handle = services.temporal.schedule.getHandle(fetchScheduleId(connectionId));
    await (paused ? handle.pause(note) : handle.unpause(note));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

export const connectionRoutes = [
  defineRoute({
    method: 'get',
    path: '/connections',
    summary: 'List bank connections with their state and last fetch',
    tag: 'Connections',
    permission: 'read',
    query: PageQuery.extend({
      state: z.enum(CONNECTION_STATES).optional(),
      bankCode: z
        .string()
        .regex(/^[A-Z]{4}$/)
        .optional(),
    }),
    responses: { 200: { description: 'A page of connections', schema: ConnectionList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        Connection,
        {
          organization: auth.organizationId,
          ...(query.state ? { state: query.state } : {}),
          ...(query.bankCode ? { bankCode: query.bankCode } : {}),
          ...afterCursor(decodeCursor(query.cursor)),
        },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1, populate: ['consent'] },
      );
      return { status: 200, body: page(rows, query.limit, presentConnection) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/connections/{id}',
    summary: 'Show a connection: its accounts with options and last fetch, and the next scheduled fetch',
    tag: 'Connections',
    permission: 'read',
    params: IdParams,
    responses: {
      200: { description: 'The connection', schema: ConnectionDetail },
      404: { description: 'No such connection' },
    },
    handler: async ({ em, auth, params, services }) => {
      const connection = await findConnection(em, auth.organizationId, params.id);
      const accounts = await em.find(ConnectedAccount, { connection }, { orderBy: { iban: 'asc' } });
      const allowance = await todaysAllowance(em, connection, accounts, new Date());
      return {
        status: 200,
        body: {
          ...presentConnection(connection),
          accounts: accounts.map(presentConnectedAccount),
          allowance,
          problems: connectionProblems(accounts, allowance),
          nextScheduledFetch: await nextScheduledFetch(services, connection.id),
          scheduleUrl: `${services.temporalUiUrl}/namespaces/${encodeURIComponent(services.namespace)}/schedules/${encodeURIComponent(fetchScheduleId(connection.id))}`,
        },
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/connections/{id}',
    summary: 'Block or unblock the sync profile: a blocked profile fetches nothing, scheduled or by hand (R-A17)',
    tag: 'Connections',
    permission: 'write',
    params: IdParams,
    body: UpdateConnection,
    responses: { 200: { description: 'Changed', schema: ConnectionView }, 404: { description: 'No such connection' } },
    handler: async ({ em, auth, params, body, services }) => {
      const connection = await findConnection(em, auth.organizationId, params.id);
      connection.syncProfileBlocked = body.syncProfileBlocked;
      recordAudit(
        em,
        auth,
        body.syncProfileBlocked ? 'connection.sync_profile_blocked' : 'connection.sync_profile_unblocked',
        { type: 'Connection', entity: connection },
      );
      await em.flush();
      const resume = !body.syncProfileBlocked && connection.state === 'active';
      await setSchedulePaused(
        services,
        connection.id,
        !resume,
        body.syncProfileBlocked ? 'Sync profile blocked by staff' : 'Sync profile unblocked by staff',
      );
      return { status: 200, body: presentConnection(connection) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/connections/{id}/accounts/{accountId}',
    summary: "Change a connected account's environment, block it, or switch its options (R-A12, R-A13)",
    tag: 'Connections',
    permission: 'write',
    params: IdParams.extend({ accountId: z.uuid({ error: 'must be a UUID' }) }),
    body: UpdateConnectedAccount,
    responses: {
      200: { description: 'Changed', schema: ConnectedAccountView },
      404: { description: 'No such connection or account' },
    },
    handler: async ({ em, auth, params, body }) => {
      const connection = await findConnection(em, auth.organizationId, params.id);
      const account = await em.findOne(ConnectedAccount, { id: params.accountId, connection });
      if (!account) throw Problem.notFound('connected account');
      if (body.environmentId !== undefined) {
        const environment = await findEnvironment(em, auth.organizationId, body.environmentId, 'environmentId');
        const communication = communicationEnvironmentId({
          id: environment.id,
          kind: environment.kind,
          parentId: environment.parent?.id ?? null,
        });
        // R-A8: an account can live in the connection's main environment or one of its subs, nowhere else.
        if (communication !== connection.communicationEnvironment.id) {
          throw Problem.field(
            'environmentId',
            "must be the connection's main environment or one of its sub environments (R-A8)",
          );
        }
        account.environment = environment;
      }
      for (const option of ['blocked', 'importTransactions', 'payments', 'directDebit'] as const) {
        if (body[option] !== undefined) account[option] = body[option];
      }
      recordAudit(em, auth, 'connected_account.changed', { type: 'ConnectedAccount', entity: account }, { ...body });
      await em.flush();
      return { status: 200, body: presentConnectedAccount(account) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/connections/{id}/fetch-now',
    summary:
      "Fetch transactions now, beside the schedule, within the bank's daily allowance; never imports anything twice (R-A17)",
    tag: 'Connections',
    permission: 'write',
    params: IdParams,
    responses: {
      202: {
        description: 'The fetch started; `leftOut` names accounts whose allowance is used today',
        schema: FetchStarted,
      },
      404: { description: 'No such connection' },
      409: { description: 'Blocked sync profile, consent no longer valid, or a fetch of this connection is running' },
      429: {
        description: "The bank's daily allowance is used for every account; `retryAt` says when the next fetch can run",
      },
    },
    handler: async ({ em, auth, params, services }) => {
      const connection = await findConnection(em, auth.organizationId, params.id);
      if (connection.syncProfileBlocked)
        throw new Problem(409, 'Conflict', 'the sync profile is blocked; unblock it first (R-A17)');
      if (connection.state !== 'active') {
        throw new Problem(
          409,
          'Conflict',
          `the connection is ${connection.state.replace(/_/g, ' ')}${connection.stateReason ? `: ${connection.stateReason}` : ''}`,
        );
      }
      await refuseWhileFetching(services, connection.id);
      const accounts = await em.find(
        ConnectedAccount,
        { connection, blocked: false, importTransactions: true },
        { orderBy: { iban: 'asc' } },
      );
      if (!accounts.length)
        throw new Problem(409, 'Conflict', 'no unblocked account of this connection has transaction import on');
      const allowance = await todaysAllowance(em, connection, accounts, new Date());
      if (allowance && allowance.leftOut.length === accounts.length) {
        const retryAt = allowance.leftOut.map((l) => l.nextRunAt).sort()[0]!;
        const seconds = Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000));
        throw new Problem(429, 'Too many requests', allowance.leftOut[0]!.reason, [], {
          members: { retryAt, leftOut: allowance.leftOut },
          headers: { 'Retry-After': String(seconds) },
        });
      }
      const workflowId = fetchNowWorkflowId(connection.id);
      let handle;
      try {
        handle = await services.temporal.workflow.start<FetchTransactionsWorkflow>(FETCH_TRANSACTIONS_WORKFLOW, {
          workflowId,
          taskQueue: services.taskQueue,
          args: [{ connectionId: connection.id, trigger: 'fetch-now' }],
          workflowIdConflictPolicy: 'FAIL',
          typedSearchAttributes: fetchSearchAttributes({
            connectionId: connection.id,
            organizationId: auth.organizationId,
            bankCode: connection.bankCode,
            kvkNumber: connection.clientCompany?.kvkNumber ?? null,
          }),
          staticSummary: `Fetch now for connection ${connection.id} (${connection.bankCode}), asked by staff`,
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw fetchRunning(services, workflowId);
        throw error;
      }
      recordAudit(em, auth, 'connection.fetch_now', { type: 'Connection', entity: connection }, { workflowId });
      await em.flush();
      const leftOut = allowance?.leftOut ?? [];
      return {
        status: 202,
        body: {
          workflowId,
          runId: handle.firstExecutionRunId,
          temporalUiUrl: workflowUrl(services, workflowId),
          accounts: accounts.map((a) => a.iban).filter((iban) => !leftOut.some((l) => l.iban === iban)),
          leftOut,
        },
      };
    },
  }),
];

function workflowUrl(services: ApiServices, workflowId: string): string {
  return `${services.temporalUiUrl}/namespaces/${encodeURIComponent(services.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function fetchRunning(services: ApiServices, workflowId: string): Problem {
  return new Problem(
    409,
    'Conflict',
    `a fetch of this connection is running (${workflowId}); it imports what is new, wait for it to finish`,
    [],
    {
      members: { runningWorkflowId: workflowId, temporalUiUrl: workflowUrl(services, workflowId) },
    },
  );
}

/** Any fetch of the connection (scheduled, fetch now, the onboarding's first) carries its ConnectionId. */
async function refuseWhileFetching(services: ApiServices, connectionId: string): Promise<void> {
  const query = `ConnectionId = "${connectionId}" AND WorkflowType = "fetchTransactionsWorkflow" AND ExecutionStatus = "Running"`;
  for await (const running of services.temporal.workflow.list({ query, pageSize: 1 })) {
    throw fetchRunning(services, running.workflowId);
  }
}

/**
 * Today's calls on the connection's consent, and which of these accounts a fetch would leave out (domain/bank-
 * allowance.ts).
 */
async function todaysAllowance(
  em: EntityManager,
  connection: IConnection,
  accounts: readonly IConnectedAccount[],
  now: Date,
): Promise<z.infer<typeof Allowance> | null> {
  const consent = connection.consent;
  if (!consent) return null;
  const made = await callsMadeToday(em, consent.id, now);
  const eligible = accounts.filter((a) => !a.blocked && a.importTransactions);
  const plan = planCalls(
    eligible.map((a) => ({ iban: a.iban, resourceIdKnown: Boolean(a.bankResourceId) })),
    made,
    consent.frequencyPerDay,
    now,
  );
  return {
    day: allowanceDay(now),
    frequencyPerDay: consent.frequencyPerDay,
    callsMade: Object.fromEntries(made),
    leftOut: plan.leftOut.map(({ iban, verdict }) => ({ iban, reason: verdict.reason, nextRunAt: verdict.nextRunAt })),
  };
}

/** A rate limit or a failed fetch is a connection problem staff must see, never "no new data". */
function connectionProblems(
  accounts: readonly IConnectedAccount[],
  allowance: z.infer<typeof Allowance> | null,
): string[] {
  const problems = (allowance?.leftOut ?? []).map((l) => `${l.iban}: ${l.reason}`);
  for (const account of accounts) {
    const result = account.lastFetchResult;
    if (result?.outcome === 'failed') problems.push(`${account.iban}: the last fetch failed: ${result.reason}`);
  }
  return problems;
}
