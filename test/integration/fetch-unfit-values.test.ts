import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { createActivities, type ActivityDeps } from '../../activities';
import { BankRequestError } from '../../banks/errors';
import { createConnectorFor } from '../../banks/registry';
import { ConnectedAccount, Transaction } from '../../db/entities';
import { amsterdamDate } from '../../domain/amsterdam-time';
import { startSandboxBank } from '../../sandbox/bank';
import type { FetchSummary } from '../../workflows/fetch-transactions/contract';
import { fetchTransactionsWorkflow } from '../../workflows/fetch-transactions/workflow';
import { createTenant } from '../support/tenant';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAtSandbox, createBankAccount, storeConnection } from '../support/sandbox-consent';
import { devServerEnvironment, TEST_TASK_QUEUE } from '../support/temporal';
import { createTestWorker, testActivityDeps } from '../support/worker';

/*
 * Issue 12: what a bank API sends is fitted by the rule of domain/value-limits.ts before ingest. Free text that is
 * too long is shortened and the fetch says so; an identifier that cannot fit fails the account's fetch once, with
 * a reason that names the entry and holds no SQL, instead of retrying a database refusal for as long as the retry
 * policy allows.
 */

const IBAN = 'NL69INGB0123456789';
const SECOND_IBAN = 'NL47INGB0123456797';
const SQL_WORDS = /INSERT|SELECT|unnest|bank_transaction|\?::|varchar|character varying/i;

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let bank: Awaited<ReturnType<typeof startSandboxBank>>;
let worker: Worker;
let running: Promise<void>;
let connectionId: string;
let connectedAccountIds: string[];
let deps: ActivityDeps;
let bankAccountIds: Record<string, string>;

beforeAll(async () => {
  [db, env, bank] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 11, maxFrequencyPerDay: 100 }),
  ]);
  deps = testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
  worker = await createTestWorker(env, deps);
  running = worker.run();
  const office = await createTenant(db.orm, 'Kantoor Bankwaarden');
  const { consentId, tokens } = await consentAtSandbox({
    connector: createConnectorFor('INGB', { sandboxBankUrl: bank.url }),
    admin: bank.admin,
    username: 'ing-owner',
    ibans: [IBAN, SECOND_IBAN],
    frequencyPerDay: 100,
  });
  bankAccountIds = {};
  for (const iban of [IBAN, SECOND_IBAN]) {
    bankAccountIds[iban] = await createBankAccount(db.orm, {
      organizationId: office.organizationId,
      environmentId: office.mainEnvironmentId,
      journalId: office.journalId,
      iban,
    });
  }
  ({ connectionId, connectedAccountIds } = await storeConnection(db.orm, deps.tokenCipher, {
    organizationId: office.organizationId,
    environmentId: office.mainEnvironmentId,
    bankCode: 'INGB',
    consentId,
    tokens,
    accounts: Object.entries(bankAccountIds).map(([iban, bankAccountId]) => ({ iban, bankAccountId })),
    // Only what the tests book today is fetched: the sandbox's generated history stays out of the way.
    switchOverDate: amsterdamDate(new Date()),
    frequencyPerDay: 100,
  }));
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), bank?.close()]);
  await db?.drop();
});

/** The summary, the failures recorded in the history (as text, stack traces included) and each activity's attempt. */
async function fetchNow(): Promise<{ summary: FetchSummary; failures: string; attempts: number[] }> {
  const workflowId = `connection:${connectionId}:fetch-now:${Math.random().toString(36).slice(2)}`;
  const summary = await env.client.workflow.execute(fetchTransactionsWorkflow, {
    workflowId,
    taskQueue: TEST_TASK_QUEUE,
    args: [{ connectionId, trigger: 'fetch-now' }],
  });
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const attempts = (history.events ?? [])
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
  // Failures are encrypted in the history (the payload codec); what support would read is the decoded text.
  const converter = loadDataConverter(env.client.options.dataConverter);
  const failures = await Promise.all(
    (history.events ?? [])
      .map((e) => e.activityTaskFailedEventAttributes?.failure)
      .filter((failure) => failure)
      .map(async (failure) => {
        const error = await decodeOptionalFailureToOptionalError(converter, failure);
        return `${error?.message}\n${error?.stack}\n${String(error?.cause ?? '')}`;
      }),
  );
  return { summary, failures: failures.join('\n'), attempts };
}

async function lastFetchResult(iban: string) {
  const account = await db.orm.em.fork().findOneOrFail(ConnectedAccount, { iban, connection: connectionId });
  return account.lastFetchResult;
}

test('a 300-character name is shortened with a warning naming the entry; NUL in the JSON is removed', async () => {
  const name = 'Vereniging tot Behoud van Zeer Lange Namen in het Betalingsverkeer '.repeat(5).slice(0, 300);
  const booked = bank.admin.addTransaction(IBAN, {
    amountCents: 4_200,
    counterpartyName: name,
    description: 'Contributie\u00002026',
  });
  const { summary, failures } = await fetchNow();
  expect(summary.outcome).toBe('fetched');
  const result = summary.accounts.find((a) => a.iban === IBAN)?.result;
  expect(result).toMatchObject({
    outcome: 'imported',
    imported: 1,
    warnings: [`entry ${booked.entryReference}: counterparty name of 300 characters shortened to 140`],
  });
  expect(await lastFetchResult(IBAN)).toEqual(result);
  const [row] = await db.orm.em.fork().find(Transaction, { bankAccount: bankAccountIds[IBAN] });
  expect(row?.counterpartyName).toBe(name.slice(0, 140));
  expect(row?.description).toBe('Contributie2026');
  expect(failures).toBe('');
});

test('a 200-character reference and a 44-character IBAN fail the fetch once, naming the entry, without SQL', async () => {
  const reference = `REF${'9'.repeat(197)}`;
  bank.admin.addTransaction(SECOND_IBAN, {
    amountCents: -1_500,
    counterpartyIban: `NL91ABNA0417164300${'7'.repeat(26)}`,
    entryReference: reference,
    unchecked: true,
  });
  const { summary, failures, attempts } = await fetchNow();
  const result = summary.accounts.find((a) => a.iban === SECOND_IBAN)?.result;
  expect(result).toMatchObject({ outcome: 'failed' });
  const reason = (result as { reason: string }).reason;
  expect(reason).toContain(`entry ${reference.slice(0, 20)}`);
  expect(reason).toMatch(/bank reference of 200 characters.*at most 115/);
  expect(reason).toMatch(/counterparty IBAN of 44 characters.*at most 34/);
  expect(reason).not.toMatch(SQL_WORDS);
  expect(await lastFetchResult(SECOND_IBAN)).toMatchObject({ outcome: 'failed', reason });
  // One attempt per account: a refusal that names the data is not retried.
  expect(attempts.every((attempt) => attempt === 1)).toBe(true);
  expect(failures).toContain('bank reference of 200 characters');
  expect(failures).not.toMatch(SQL_WORDS);
  expect(await db.orm.em.fork().count(Transaction, { bankAccount: bankAccountIds[SECOND_IBAN] })).toBe(0);
  // The other account of the connection still fetched.
  expect(summary.accounts.find((a) => a.iban === IBAN)?.result).toMatchObject({ outcome: 'no_new_data' });
});

test("a bank's error text with NUL is stored without it: the fetch's result is recorded, not a database error", async () => {
  const real = deps.bankConnector('INGB');
  const activities = createActivities({
    ...deps,
    bankConnector: () => ({
      ...real,
      // eslint-disable-next-line require-yield -- the bank refuses before the first page
      transactions: async function* () {
        throw new BankRequestError('the bank says: format\u0000error', { bankCode: 'INGB' });
      },
    }),
  });
  const connectedAccountId = connectedAccountIds[0]!;
  // Run alone, no plan has asked the account list yet; the stub bank needs no real id.
  await db.orm.em
    .fork()
    .nativeUpdate(ConnectedAccount, { id: connectedAccountId, bankResourceId: null }, { bankResourceId: 'stub' });
  const failure = await activities.fetchAccount({ connectionId, connectedAccountId }).catch((error: unknown) => error);
  expect(failure).toMatchObject({ type: 'BankRequestError', nonRetryable: true });
  expect(await lastFetchResult(IBAN)).toMatchObject({ outcome: 'failed', reason: 'INGB: the bank says: formaterror' });
});
