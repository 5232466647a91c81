import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import { fetchTransactionsWorkflow } from '../../workflows/fetch-transactions/workflow';
import {
  accountManagerUpdate,
  cancelUpdate,
  chooseAccountsUpdate,
  claimSerialUpdate,
  consentReturnedUpdate,
  firstTransactionsImportedSignal,
  resendUpdate,
  serialLockedSignal,
  startConsentUpdate,
  stateQuery,
} from '../../workflows/onboarding/contract';
import { onboardingWorkflow } from '../../workflows/onboarding/workflow';
import { timeSkippingEnvironment, withWorker } from '../support/temporal';

/**
 * Records the histories that test/workflow/replay.test.ts replays, so a change to a workflow that would break
 * the ones already running in production (nondeterminism) fails a test instead of a live onboarding.
 *
 * Recorded on the time-skipping server with stand-in activities: the histories then hold only made-up ids (no
 * token, code or bank secret can be in them), and the hours of R-A10 and R-V13 pass in seconds. Histories
 * stay as long as workflows recorded by that code may still be open; a deliberate change (behind `patched()`)
 * adds newly recorded ones beside them. It runs inside jest, which provides the test
 * server and the workflow bundle (test/support/global-setup.ts), through a throwaway file, deleted afterwards:
 *
 *   test/histories/record.run.ts:
 *     import { recordHistories } from './record-histories';
 *     test('record', () => recordHistories(__dirname), 300_000);
 *
 *   npx jest --testMatch '<rootDir>/test/histories/record.run.ts'
 *
 * `recordHistories(__dirname, ['onboarding-serial-locked-resent-active.json'])` records only the named ones, so
 * adding a history leaves the saved ones as their code recorded them.
 */

const HOUR = 3_600_000;
const ORGANIZATION_ID = '0a000000-0000-4000-8000-000000000001';
const CONNECTION_ID = '0c000000-0000-4000-8000-000000000001';

const CONNECTION_FETCH = `connection:${CONNECTION_ID}:fetch-now`;

/** Each saved history and the workflow id it ran under (a history does not hold it; the replayer must be told). */
export const HISTORY_FILES = {
  'onboarding-active.json': 'onboarding:0b000000-0000-4000-8000-000000000001',
  'onboarding-expired.json': 'onboarding:0b000000-0000-4000-8000-000000000002',
  'onboarding-cancelled.json': 'onboarding:0b000000-0000-4000-8000-000000000003',
  'onboarding-refused-then-consented.json': 'onboarding:0b000000-0000-4000-8000-000000000004',
  'onboarding-serial-locked-resent-active.json': 'onboarding:0b000000-0000-4000-8000-000000000005',
  'onboarding-serial-wizard-accounts.json': 'onboarding:0b000000-0000-4000-8000-000000000006',
  'fetch-imported.json': `${CONNECTION_FETCH}:history-imported`,
  'fetch-consent-invalid.json': `${CONNECTION_FETCH}:history-consent-invalid`,
  'onboarding-first-transactions-signalled.json': 'onboarding:0b000000-0000-4000-8000-000000000007',
  'fetch-refused-allowance-used.json': `${CONNECTION_FETCH}:history-refused-allowance-used`,
} as const;
type HistoryFile = keyof typeof HISTORY_FILES;

/**
 * Histories are stored in Temporal's JSON form (as `temporal workflow show --output json` writes them). The SDK's
 * own `historyToJSON`/`historyFromJSON` (@temporalio/common/lib/proto-utils) fail here with "type must be a
 * Type": npm installed two copies of protobufjs 8 (under @temporalio/common and under @temporalio/proto, because
 * the top level holds protobufjs 7 for another package), and the common copy's protojson rejects the proto
 * copy's types. So the conversion uses the protojson of the copy @temporalio/proto itself loads.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path resolved at run time (see above)
const protojson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] }),
) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyToJson(history: History): unknown {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/** A saved history as the History message the replayer takes (event ids as Long, so it is not converted again). */
export async function loadHistory(file: string): Promise<History> {
  const loaded = protojson.fromJson(historyType, JSON.parse(await readFile(file, 'utf8')), {
    ignoreUnknownFields: true,
  }) as History | null;
  if (!loaded?.events?.length) throw new Error(`${file} holds no history events`);
  return loaded;
}

interface World {
  startedAt: number;
  linkCount: number;
  firstTransactionAtHour: number | null;
  refuseFirstConsent: boolean;
  consentEndsOnSecondAccount: boolean;
  /** Today's bank call allowance is used for every account (domain/bank-allowance.ts). */
  allowanceUsed: boolean;
  flavour: 'activation-link' | 'serial';
  serialCount: number;
}

export async function recordHistories(dir: string, only?: readonly HistoryFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  /** A fresh server for each: the time-skipping server's clock runs far ahead once a run has skipped its hours. */
  const record = async (file: HistoryFile, run: (env: TestWorkflowEnvironment) => Promise<WorkflowHandle>) => {
    if (only && !only.includes(file)) return;
    // In clear: a saved history is read in review, and replays without this run's random key.
    const env = await timeSkippingEnvironment({});
    try {
      const history = await (await run(env)).fetchHistory();
      // Pretty-printed, so a diff of a re-recorded history can be read.
      await writeFile(path.join(dir, file), `${JSON.stringify(historyToJson(history), null, 2)}\n`);
      written.push(file);
    } finally {
      await env.teardown();
    }
  };

  await record('onboarding-active.json', (env) =>
    onboarding(env, 'onboarding-active.json', { firstTransactionAtHour: 2 * 24 + 3 }, (handle) =>
      consentOnDay(env, handle, 2),
    ),
  );
  await record('onboarding-expired.json', (env) =>
    onboarding(env, 'onboarding-expired.json', {}, async () => undefined),
  );
  await record('onboarding-cancelled.json', (env) =>
    onboarding(env, 'onboarding-cancelled.json', {}, async (handle) => {
      await waitingForConsent(handle);
      await env.sleep(10 * HOUR);
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'api-key:history-recorder' }] });
    }),
  );
  await record('onboarding-refused-then-consented.json', (env) =>
    onboarding(
      env,
      'onboarding-refused-then-consented.json',
      { refuseFirstConsent: true, firstTransactionAtHour: 30 },
      async (handle) => {
        await waitingForConsent(handle);
        await env.sleep(HOUR);
        const first = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'link-0' }] });
        const refused = await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId: first.attemptId }] });
        if (refused.outcome !== 'refused')
          throw new Error(`expected the first consent to be refused, got ${JSON.stringify(refused)}`);
        await consentOnDay(env, handle, 1);
      },
    ),
  );
  // Serial flavour (issue 7): five wrong KvK numbers lock the serial number, staff resend, the wizard claims the
  // new one, consent, active.
  await record('onboarding-serial-locked-resent-active.json', (env) =>
    onboarding(
      env,
      'onboarding-serial-locked-resent-active.json',
      { firstTransactionAtHour: 30, flavour: 'serial' },
      async (handle) => {
        await waitingForConsent(handle);
        await env.sleep(HOUR);
        await handle.signal(serialLockedSignal, { serialNumberId: 'serial-0' });
        await env.sleep(HOUR);
        await handle.executeUpdate(resendUpdate, { args: [{ by: 'api-key:history-recorder' }] });
        await env.sleep(HOUR);
        await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-1' }] });
        const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-1' }] });
        const answer = await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
        if (answer.outcome !== 'consented') throw new Error(`expected consent, got ${JSON.stringify(answer)}`);
      },
    ),
  );
  // Serial flavour with the whole wizard (issue 7): details, account manager, consent, accounts with options.
  await record('onboarding-serial-wizard-accounts.json', (env) =>
    onboarding(
      env,
      'onboarding-serial-wizard-accounts.json',
      { firstTransactionAtHour: 5, flavour: 'serial' },
      async (handle) => {
        await waitingForConsent(handle);
        await env.sleep(HOUR);
        await handle.executeUpdate(claimSerialUpdate, {
          args: [
            {
              serialNumberId: 'serial-0',
              details: {
                product: 'bookkeeping',
                insideBusiness: false,
                termsAcceptedAt: '2026-11-26T10:00:00.000Z',
                privacyAcceptedAt: '2026-11-26T10:00:00.000Z',
              },
            },
          ],
        });
        await handle.executeUpdate(accountManagerUpdate, {
          args: [{ serialNumberId: 'serial-0', name: 'Anna de Vries', email: 'anna@kantoor.test' }],
        });
        const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] });
        const answer = await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
        if (answer.outcome !== 'consented') throw new Error(`expected consent, got ${JSON.stringify(answer)}`);
        while ((await handle.query(stateQuery)).status !== 'choosing_accounts')
          await new Promise((resolve) => setTimeout(resolve, 20));
        await handle.executeUpdate(chooseAccountsUpdate, {
          args: [
            {
              serialNumberId: 'serial-0',
              accounts: [{ iban: 'NL69INGB0123456789', importTransactions: true, payments: true, directDebit: false }],
            },
          ],
        });
      },
    ),
  );
  // The import signals the waiting onboarding (issue 10): active between two hourly checks, not at the next one.
  await record('onboarding-first-transactions-signalled.json', (env) =>
    onboarding(env, 'onboarding-first-transactions-signalled.json', { firstTransactionAtHour: 3.5 }, async (handle) => {
      await consentOnDay(env, handle, 0);
      while ((await handle.query(stateQuery)).status !== 'waiting_for_first_transaction')
        await new Promise((resolve) => setTimeout(resolve, 20));
      // Between two checks: the test server hangs on a signal that lands as a timer fires (see the onboarding test).
      await env.sleep(3.5 * HOUR);
      await handle.signal(firstTransactionsImportedSignal);
    }),
  );
  await record('fetch-imported.json', (env) => fetchRun(env, 'fetch-imported.json', {}));
  await record('fetch-refused-allowance-used.json', (env) =>
    fetchRun(env, 'fetch-refused-allowance-used.json', { allowanceUsed: true }),
  );
  await record('fetch-consent-invalid.json', (env) =>
    fetchRun(env, 'fetch-consent-invalid.json', { consentEndsOnSecondAccount: true }),
  );
  return written;
}

function newWorld(startedAt: number, world: Partial<World>): World {
  return {
    startedAt,
    linkCount: 0,
    firstTransactionAtHour: null,
    refuseFirstConsent: false,
    consentEndsOnSecondAccount: false,
    allowanceUsed: false,
    flavour: 'activation-link',
    serialCount: 0,
    ...world,
  };
}

/** Stand-ins shaped like the real activities' answers; ids only, never a secret. */
function standInActivities(env: TestWorkflowEnvironment, world: World): Partial<Activities> {
  const hoursSinceStart = async () => ((await env.currentTimeMs()) - world.startedAt) / HOUR;
  const accounts = [
    { connectedAccountId: '0d000000-0000-4000-8000-000000000001', iban: 'NL69INGB0123456789' },
    { connectedAccountId: '0d000000-0000-4000-8000-000000000002', iban: 'NL47INGB0123456797' },
  ];
  return {
    recordOnboardingStatus: async () => undefined,
    prepareOnboarding: async () => ({ ok: true as const, companyName: 'Test BV Donald' }),
    issueActivationLink: async () => ({ linkId: `link-${world.linkCount++}` }),
    issueSerialNumber: async () => ({ serialNumberId: `serial-${world.serialCount++}` }),
    sendOnboardingEmail: async () => ({ status: 'sent' }),
    beginConsent: async () => ({ attemptId: `attempt-${Math.round(await hoursSinceStart())}` }),
    exchangeConsentCode: async () => {
      if (world.refuseFirstConsent) {
        world.refuseFirstConsent = false;
        return { outcome: 'refused' as const, reason: 'role Viewer may not link accounts (R-A3)' };
      }
      return { outcome: 'consented' as const, consentId: '0e000000-0000-4000-8000-000000000001' };
    },
    recordWizardAnswers: async () => undefined,
    offerConsentedAccounts: async () => ({
      accounts: [
        { iban: 'NL69INGB0123456789', notLinkable: null },
        { iban: 'NL47INGB0123456797', notLinkable: null },
      ],
      licence: { payments: true, directDebit: false },
    }),
    syncProfile: async () => ({
      connectionId: CONNECTION_ID,
      added: ['NL69INGB0123456789', 'NL47INGB0123456797'],
      kept: [],
    }),
    ensureFetchSchedule: async () => ({
      scheduleId: `connection:${CONNECTION_ID}:fetch`,
      times: ['06:17', '12:17', '18:17', '23:17'],
    }),
    firstTransactionImported: async () =>
      world.firstTransactionAtHour !== null && (await hoursSinceStart()) >= world.firstTransactionAtHour,
    planFetch: async () => {
      if (!world.allowanceUsed) return { skip: null, accounts };
      const at = new Date(await env.currentTimeMs()).toISOString();
      const nextRunAt = '2026-12-08T00:00:00+01:00';
      const reason = `the bank allows 4 unattended calls a day for the transactions of each account and today's are used; the next fetch can run at ${nextRunAt}`;
      return {
        skip: null,
        accounts: [],
        leftOut: accounts.map((a) => ({ ...a, result: { outcome: 'rate_limited' as const, at, reason, nextRunAt } })),
      };
    },
    fetchAccount: async ({ connectedAccountId }) => {
      const at = new Date(await env.currentTimeMs()).toISOString();
      if (world.consentEndsOnSecondAccount && connectedAccountId === accounts[1]!.connectedAccountId) {
        throw ApplicationFailure.nonRetryable('the bank reports the consent as revokedByPsu', 'ConsentInvalidError');
      }
      if (world.firstTransactionAtHour !== null && (await hoursSinceStart()) < world.firstTransactionAtHour)
        return { outcome: 'no_new_data' as const, at, duplicates: 0 };
      return { outcome: 'imported' as const, at, imported: 3, duplicates: 0, dates: [at.slice(0, 10)] };
    },
    markConsentInvalid: async () => ({
      organizationId: ORGANIZATION_ID,
      consentId: '0e000000-0000-4000-8000-000000000001',
      bankCode: 'INGB',
      companyName: 'Test BV Donald',
      kvkNumber: '68750110',
      clientEmail: 'eigenaar@testbvdonald.nl',
      staffEmail: 'backoffice@kantoor.test',
      accountManager: { name: 'Anna de Vries', email: 'anna@kantoor.test' },
    }),
    pauseFetchSchedule: async () => undefined,
    sendEmail: async ({ idempotencyKey }) => ({ status: 'sent' as const, messageId: `message:${idempotencyKey}` }),
  };
}

async function onboarding(
  env: TestWorkflowEnvironment,
  file: HistoryFile,
  world: Partial<World>,
  drive: (handle: WorkflowHandle<typeof onboardingWorkflow>) => Promise<void>,
): Promise<WorkflowHandle> {
  const workflowId = HISTORY_FILES[file];
  const onboardingId = workflowId.slice('onboarding:'.length);
  const full = newWorld(await env.currentTimeMs(), world);
  const taskQueue = `history-${onboardingId}`;
  return withWorker(env, taskQueue, standInActivities(env, full), async () => {
    const handle = await env.client.workflow.start(onboardingWorkflow, {
      taskQueue,
      workflowId,
      args: [{ onboardingId, organizationId: ORGANIZATION_ID, flavour: full.flavour }],
    });
    await drive(handle);
    await handle.result();
    return handle;
  });
}

async function fetchRun(
  env: TestWorkflowEnvironment,
  file: HistoryFile,
  world: Partial<World>,
): Promise<WorkflowHandle> {
  const workflowId = HISTORY_FILES[file];
  const full = newWorld(await env.currentTimeMs(), world);
  const taskQueue = `history-${workflowId}`;
  return withWorker(env, taskQueue, standInActivities(env, full), async () => {
    const handle = await env.client.workflow.start(fetchTransactionsWorkflow, {
      taskQueue,
      workflowId,
      args: [{ connectionId: CONNECTION_ID, trigger: 'fetch-now' }],
    });
    await handle.result();
    return handle;
  });
}

async function waitingForConsent(handle: WorkflowHandle<typeof onboardingWorkflow>): Promise<void> {
  while ((await handle.query(stateQuery)).status !== 'waiting_for_consent')
    await new Promise((resolve) => setTimeout(resolve, 20));
}

async function consentOnDay(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof onboardingWorkflow>,
  day: number,
): Promise<void> {
  await waitingForConsent(handle);
  await env.sleep(day * 24 * HOUR);
  const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'link-0' }] });
  const answer = await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
  if (answer.outcome !== 'consented') throw new Error(`expected consent, got ${JSON.stringify(answer)}`);
}
