import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { BankConnector } from '../../banks/connector';
import { createConnectorFor } from '../../banks/registry';
import { Connection, Consent, Transaction } from '../../db/entities';
import { addDays, amsterdamDate } from '../../domain/amsterdam-time';
import { startSandboxBank } from '../../sandbox/bank';
import { fetchTransactionsWorkflow } from '../../workflows/fetch-transactions/workflow';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAtSandbox, createBankAccount, storeConnection } from '../support/sandbox-consent';
import { devServerEnvironment, TEST_TASK_QUEUE } from '../support/temporal';
import { createTenant } from '../support/tenant';
import { createTestWorker, testActivityDeps } from '../support/worker';

/**
 * Found by the chaos run (issue 12 item 3): the client links again (R-A9, a new onboarding) while a fetch is asking
 * the bank with the consent the new one replaces. The bank expires the old consent at once (Berlin Group), so the
 * fetch hears "consent expired": that is about the old consent, not the connection's. The run must go on with the new
 * consent instead of marking the connection consent_invalid, expiring the fresh consent and pausing the schedule.
 */
const IBAN = 'NL69INGB0123456789';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let bank: Awaited<ReturnType<typeof startSandboxBank>>;
let worker: Worker;
let running: Promise<void>;
/** Runs once, inside the bank call of the fetch: the client's new consent takes the connection's place meanwhile. */
let linkAgainDuringCall: (() => Promise<void>) | null = null;

beforeAll(async () => {
  [db, env, bank] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 3, maxFrequencyPerDay: 100 }),
  ]);
  const deps = testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
  const connectorOf = deps.bankConnector;
  deps.bankConnector = (bankCode) => linkingAgain(connectorOf(bankCode));
  worker = await createTestWorker(env, deps);
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), bank?.close()]);
  await db?.drop();
});

/** The bank's answer comes after the client linked again: the test's hook runs before each call is made. */
function linkingAgain(connector: BankConnector): BankConnector {
  const before = async () => {
    const hook = linkAgainDuringCall;
    linkAgainDuringCall = null;
    await hook?.();
  };
  const wrapped: Partial<BankConnector> = {
    listAccounts: async (session) => {
      await before();
      return connector.listAccounts(session);
    },
    transactions: (session, resourceId, query) => ({
      async *[Symbol.asyncIterator]() {
        await before();
        yield* connector.transactions(session, resourceId, query);
      },
    }),
  };
  return new Proxy(connector, {
    get: (target, name) => {
      const own = wrapped[name as keyof BankConnector];
      if (own) return own;
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

test.each([
  ['listing the accounts', false],
  ["fetching an account's transactions", true],
])(
  'a fetch that hears "consent expired" while %s, about the consent the client just replaced, goes on with the new one',
  async (_call, resourceIdKnown) => {
    const office = await createTenant(db.orm, `Kantoor Opnieuw Gekoppeld ${String(resourceIdKnown)}`);
    const connector = createConnectorFor('INGB', { sandboxBankUrl: bank.url });
    const consent = (username: string) =>
      consentAtSandbox({ connector, admin: bank.admin, username, ibans: [IBAN], frequencyPerDay: 100 });
    const old = await consent('ing-owner');
    const bankAccountId = await createBankAccount(db.orm, {
      organizationId: office.organizationId,
      environmentId: office.mainEnvironmentId,
      journalId: office.journalId,
      iban: IBAN,
    });
    const { connectionId } = await storeConnection(db.orm, deps().tokenCipher, {
      organizationId: office.organizationId,
      environmentId: office.mainEnvironmentId,
      bankCode: 'INGB',
      consentId: old.consentId,
      tokens: old.tokens,
      accounts: [{ iban: IBAN, bankAccountId }],
      switchOverDate: amsterdamDate(new Date()),
      frequencyPerDay: 100,
    });
    const fetchNow = () =>
      env.client.workflow.execute(fetchTransactionsWorkflow, {
        workflowId: `connection:${connectionId}:fetch-now`,
        taskQueue: TEST_TASK_QUEUE,
        args: [{ connectionId, trigger: 'fetch-now' }],
      });
    // A run before learns the bank's id of the account, so the next asks for its transactions straight away.
    if (resourceIdKnown) expect((await fetchNow()).outcome).toBe('fetched');
    bank.admin.addTransaction(IBAN, { amountCents: 1234, description: 'na de nieuwe koppeling' });

    linkAgainDuringCall = async () => {
      // The same person consents again at the bank (the old consent expires there), and profile sync moves the
      // connection to the new consent, as activities/onboarding/profile-sync.ts does.
      const fresh = await consent('ing-owner');
      const em = db.orm.em.fork();
      const cipher = deps().tokenCipher;
      const stored = em.create(Consent, {
        organization: office.organizationId,
        bankCode: 'INGB',
        bankConsentId: fresh.consentId,
        status: 'valid',
        validUntil: addDays(amsterdamDate(new Date()), 90),
        frequencyPerDay: 100,
        accessTokenEncrypted: cipher.encrypt(fresh.tokens.accessToken),
        refreshTokenEncrypted: cipher.encrypt(fresh.tokens.refreshToken),
        tokenExpiresAt: fresh.tokens.expiresAt,
      });
      const connection = await em.findOneOrFail(Connection, { id: connectionId });
      connection.consent = stored;
      await em.flush();
    };
    const summary = await fetchNow();

    expect(linkAgainDuringCall).toBeNull();
    expect(summary.outcome).toBe('fetched');
    const connection = await db.orm.em
      .fork()
      .findOneOrFail(Connection, { id: connectionId }, { populate: ['consent'] });
    expect([connection.state, connection.consent?.status]).toEqual(['active', 'valid']);
    expect(connection.consent?.bankConsentId).not.toBe(old.consentId);
    const rows = await db.orm.em.fork().find(Transaction, { bankAccount: bankAccountId });
    expect(rows.map((r) => r.amountCents)).toEqual([1234]);
  },
);

function deps() {
  return testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
}
