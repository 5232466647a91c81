import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { createConnectorFor } from '../../banks/registry';
import { ConnectedAccount, Connection, DailyStatement, EmailMessage, Transaction } from '../../db/entities';
import { addDays, amsterdamDate } from '../../domain/amsterdam-time';
import { startSandboxBank } from '../../sandbox/bank';
import { type FetchSummary } from '../../workflows/fetch-transactions/contract';
import { fetchTransactionsWorkflow } from '../../workflows/fetch-transactions/workflow';
import { createTenant, type Tenant } from '../support/tenant';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAtSandbox, createBankAccount, storeConnection } from '../support/sandbox-consent';
import { startSmtpSink } from '../support/smtp-sink';
import { devServerEnvironment, TEST_TASK_QUEUE } from '../support/temporal';
import { createTestWorker, testActivityDeps } from '../support/worker';
import { createActivities, type ActivityDeps } from '../../activities';

const IBAN = 'NL69INGB0123456789';
const SECOND_IBAN = 'NL47INGB0123456797';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let bank: Awaited<ReturnType<typeof startSandboxBank>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
let office: Tenant;
let connectionId: string;
let bankAccountIds: Record<string, string>;
const switchOverDate = addDays(amsterdamDate(new Date()), -10);

beforeAll(async () => {
  [db, env, bank, smtp] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 7, maxFrequencyPerDay: 100 }),
    startSmtpSink(),
  ]);
  deps = testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url, smtpUrl: smtp.url });
  worker = await createTestWorker(env, deps);
  running = worker.run();
  office = await createTenant(db.orm, 'Kantoor Fetch');
  const { consentId, tokens } = await consentAtSandbox({
    connector: createConnectorFor('INGB', { sandboxBankUrl: bank.url }),
    admin: bank.admin,
    username: 'ing-owner',
    ibans: [IBAN, SECOND_IBAN],
    frequencyPerDay: 100,
  });
  bankAccountIds = {
    [IBAN]: await createBankAccount(db.orm, {
      organizationId: office.organizationId,
      environmentId: office.mainEnvironmentId,
      journalId: office.journalId,
      iban: IBAN,
    }),
    [SECOND_IBAN]: await createBankAccount(db.orm, {
      organizationId: office.organizationId,
      environmentId: office.mainEnvironmentId,
      journalId: office.journalId,
      iban: SECOND_IBAN,
    }),
  };
  const em = db.orm.em.fork();
  await em.nativeUpdate('Organization', { id: office.organizationId }, { staffEmail: 'backoffice@kantoor.test' });
  ({ connectionId } = await storeConnection(db.orm, deps.tokenCipher, {
    organizationId: office.organizationId,
    environmentId: office.mainEnvironmentId,
    bankCode: 'INGB',
    consentId,
    tokens,
    accounts: Object.entries(bankAccountIds).map(([iban, bankAccountId]) => ({ iban, bankAccountId })),
    switchOverDate,
    accountManagerEmail: 'anna@klant.test',
    frequencyPerDay: 100,
  }));
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), bank?.close(), smtp?.close()]);
  await db?.drop();
});

function fetchNow(
  id = `connection:${connectionId}:fetch-now:${Math.random().toString(36).slice(2)}`,
): Promise<FetchSummary> {
  return env.client.workflow.execute(fetchTransactionsWorkflow, {
    workflowId: id,
    taskQueue: TEST_TASK_QUEUE,
    args: [{ connectionId, trigger: 'fetch-now' }],
  });
}

/** What the bank holds: booked entries from the switch-over day on (R-A5, R-A14). */
function bankBooked(iban: string) {
  return bank.admin.ledger(iban).entries.filter((e) => e.status === 'booked' && e.bookingDate >= switchOverDate);
}

async function imported(iban: string) {
  return db.orm.em.fork().find(Transaction, { bankAccount: bankAccountIds[iban] }, { orderBy: { bookingDate: 'asc' } });
}

test("a fetch imports exactly the bank's booked transactions since the switch-over day, two identical payments included", async () => {
  const summary = await fetchNow();
  expect(summary.outcome).toBe('fetched');
  for (const iban of [IBAN, SECOND_IBAN]) {
    const expected = bankBooked(iban);
    const rows = await imported(iban);
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((r) => r.amountCents).reduce((a, b) => a + b, 0)).toBe(
      expected.reduce((a, e) => a + e.amountCents, 0),
    );
    expect(new Set(rows.map((r) => r.bankReference))).toEqual(
      new Set(expected.map((e) => e.entryReference ?? e.transactionId)),
    );
    expect(rows.every((r) => r.bookingDate >= switchOverDate)).toBe(true);
  }
  const account = await db.orm.em.fork().findOneOrFail(ConnectedAccount, { iban: IBAN, connection: connectionId });
  expect(account.statementImportEnabled).toBe(true);
  expect(account.lastFetchResult).toMatchObject({ outcome: 'imported' });
  const days = new Set(bankBooked(IBAN).map((e) => e.bookingDate));
  expect(await db.orm.em.fork().count(DailyStatement, { bankAccount: bankAccountIds[IBAN] })).toBe(days.size);
});

test('repeated and overlapping fetches (fetch-now beside a scheduled run) never import anything twice', async () => {
  bank.admin.addTransaction(IBAN, { amountCents: 1, description: 'Eén cent ter controle' });
  const [a, b] = await Promise.all([fetchNow(), fetchNow()]);
  expect([a.outcome, b.outcome]).toEqual(['fetched', 'fetched']);
  const rows = await imported(IBAN);
  expect(rows).toHaveLength(bankBooked(IBAN).length);
  expect(rows.filter((r) => r.amountCents === 1 && r.description.includes('cent'))).toHaveLength(1);
  expect((await fetchNow()).accounts.every((acc) => acc.result.outcome === 'no_new_data')).toBe(true);
});

test('a run of 429s is retried and recorded as rate limited, never as "no new data"', async () => {
  bank.admin.addTransaction(IBAN, { amountCents: 2_500, description: 'Na de 429' });
  bank.admin.failNext({ status: 429, count: 2, retryAfterSeconds: 1 });
  const summary = await fetchNow();
  expect(summary.outcome).toBe('fetched');
  expect(summary.accounts.find((a) => a.iban === IBAN)?.result).toMatchObject({ outcome: 'imported', imported: 1 });
  expect((await imported(IBAN)).filter((r) => r.description.includes('Na de 429'))).toHaveLength(1);
});

test('the connection gets one Schedule, spread over the day, found by its ConnectionId', async () => {
  const { ensureFetchSchedule } = createActivities(deps);
  const result = await ensureFetchSchedule({ connectionId });
  expect(result.scheduleId).toBe(`connection:${connectionId}:fetch`);
  expect(result.times).toHaveLength(4);
  expect(await ensureFetchSchedule({ connectionId })).toEqual(result);
  const description = await env.client.schedule.getHandle(result.scheduleId).describe();
  expect(description.state.paused).toBe(false);
  expect(description.spec.calendars).toHaveLength(4);
  expect(description.policies.overlap).toBe('SKIP');
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'fetchTransactionsWorkflow' });
  const hours = result.times.map((t) => Number(t.slice(0, 2)));
  expect(hours[1]! - hours[0]!).toBe(6);
});

test('24 hours of scheduled runs (a Schedule backfill) import every booked transaction exactly once', async () => {
  const handle = env.client.schedule.getHandle(`connection:${connectionId}:fetch`);
  bank.admin.addTransaction(IBAN, { amountCents: -1_999, description: 'Tijdens de geplande runs' });
  const end = new Date();
  await handle.backfill({
    start: new Date(end.getTime() - 24 * 3_600_000),
    end,
    overlap: ScheduleOverlapPolicy.BUFFER_ALL,
  });
  const runs: string[] = [];
  for (let i = 0; i < 200 && runs.length < 4; i++) {
    runs.length = 0;
    for await (const execution of env.client.workflow.list({
      query: `ConnectionId="${connectionId}" AND WorkflowType="fetchTransactionsWorkflow" AND ExecutionStatus="Completed"`,
    })) {
      if (
        execution.workflowId.startsWith(`connection:${connectionId}:fetch-`) &&
        !execution.workflowId.includes(':fetch-now')
      )
        runs.push(execution.workflowId);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(runs).toHaveLength(4);
  const rows = await imported(IBAN);
  expect(rows).toHaveLength(bankBooked(IBAN).length);
  expect(rows.filter((r) => r.description.includes('Tijdens de geplande runs'))).toHaveLength(1);
});

test('a revoked consent ends in consent_invalid: the connection is marked, the schedule paused, staff and the account manager mailed', async () => {
  const connection = await db.orm.em.fork().findOneOrFail(Connection, { id: connectionId }, { populate: ['consent'] });
  bank.admin.revokeConsent(connection.consent!.bankConsentId);
  const summary = await fetchNow();
  expect(summary.outcome).toBe('consent_invalid');
  const after = await db.orm.em.fork().findOneOrFail(Connection, { id: connectionId });
  expect(after.state).toBe('consent_invalid');
  expect(after.stateReason).toMatch(/consent/i);
  const mails = await db.orm.em
    .fork()
    .find(EmailMessage, { organization: office.organizationId }, { orderBy: { to: 'asc' } });
  expect(mails.map((m) => [m.to, m.status])).toEqual([
    ['anna@klant.test', 'sent'],
    ['backoffice@kantoor.test', 'sent'],
  ]);
  expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['anna@klant.test', 'backoffice@kantoor.test']);
  const account = await db.orm.em.fork().findOneOrFail(ConnectedAccount, { iban: IBAN, connection: connectionId });
  expect(account.lastFetchResult).toMatchObject({ outcome: 'failed' });
  expect((await fetchNow()).outcome).toBe('skipped');
  expect(smtp.messages).toHaveLength(2);
  expect(smtp.messages[0]?.raw).toContain('Bankkoppeling ING gestopt');
  const schedule = await env.client.schedule.getHandle(`connection:${connectionId}:fetch`).describe();
  expect(schedule.state.paused).toBe(true);
  expect(schedule.state.note).toContain('Consent no longer valid');
});
