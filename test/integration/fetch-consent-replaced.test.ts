import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { BankConnector } from '../../banks/connector';
import { createConnectorFor } from '../../banks/registry';
import { ConnectedAccount, Connection, Consent, EmailMessage, Transaction } from '../../db/entities';
import { addDays, amsterdamDate } from '../../domain/amsterdam-time';
import { startSandboxBank } from '../../sandbox/bank';
import { fetchTransactionsWorkflow } from '../../workflows/fetch-transactions/workflow';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAtSandbox, createBankAccount, storeConnection } from '../support/sandbox-consent';
import { devServerEnvironment, TEST_TASK_QUEUE, workflowBundle } from '../support/temporal';
import { createTenant } from '../support/tenant';
import { testActivityDeps } from '../support/worker';

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
/** Runs once, just before the fetch marks the connection's consent invalid. */
let switchBeforeMarking: (() => Promise<void>) | null = null;

beforeAll(async () => {
  [db, env, bank] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 3, maxFrequencyPerDay: 100 }),
  ]);
  const deps = testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
  const connectorOf = deps.bankConnector;
  deps.bankConnector = (bankCode) => linkingAgain(connectorOf(bankCode));
  const activities = createActivities(deps);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TEST_TASK_QUEUE,
    workflowBundle: workflowBundle(),
    activities: {
      ...activities,
      markConsentInvalid: async (input: Parameters<typeof activities.markConsentInvalid>[0]) => {
        const hook = switchBeforeMarking;
        switchBeforeMarking = null;
        await hook?.();
        return activities.markConsentInvalid(input);
      },
    },
    dataConverter: env.client.options.dataConverter,
  });
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

/** When the client's new consent takes the connection's place, as seen from the fetch. */
type Moment = 'during the account list' | 'during the transactions' | 'after the bank refused, before marking';

test.each<[Moment]>([
  ['during the account list'],
  ['during the transactions'],
  ['after the bank refused, before marking'],
])(
  'the client links again %s: the fetch never ends the new consent, and goes on with it where it can',
  async (moment) => {
    const office = await createTenant(db.orm, `Kantoor Opnieuw Gekoppeld (${moment})`);
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
    if (moment !== 'during the account list') expect((await fetchNow()).outcome).toBe('fetched');
    bank.admin.addTransaction(IBAN, { amountCents: 1234, description: 'na de nieuwe koppeling' });

    // The same person consents again at the bank, which expires the old consent there at once; profile sync then
    // moves the connection to the new consent, as activities/onboarding/profile-sync.ts does.
    let fresh: Awaited<ReturnType<typeof consent>> | null = null;
    const consentAgain = async () => {
      fresh = await consent('ing-owner');
    };
    const moveConnection = async () => {
      const em = db.orm.em.fork();
      const cipher = deps().tokenCipher;
      const stored = em.create(Consent, {
        organization: office.organizationId,
        bankCode: 'INGB',
        bankConsentId: fresh!.consentId,
        status: 'valid',
        validUntil: addDays(amsterdamDate(new Date()), 90),
        frequencyPerDay: 100,
        accessTokenEncrypted: cipher.encrypt(fresh!.tokens.accessToken),
        refreshTokenEncrypted: cipher.encrypt(fresh!.tokens.refreshToken),
        tokenExpiresAt: fresh!.tokens.expiresAt,
      });
      const connection = await em.findOneOrFail(Connection, { id: connectionId });
      connection.consent = stored;
      // Profile sync replaces the bank's ids with the new consent's; without them the next run asks the list.
      await em.nativeUpdate(ConnectedAccount, { connection: connectionId }, { bankResourceId: null });
      await em.flush();
    };
    if (moment === 'after the bank refused, before marking') {
      linkAgainDuringCall = consentAgain;
      switchBeforeMarking = moveConnection;
    } else {
      linkAgainDuringCall = async () => {
        await consentAgain();
        await moveConnection();
      };
    }
    const summary = await fetchNow();

    expect([linkAgainDuringCall, switchBeforeMarking]).toEqual([null, null]);
    expect(summary.outcome).toBe('fetched');
    const connection = await db.orm.em
      .fork()
      .findOneOrFail(Connection, { id: connectionId }, { populate: ['consent'] });
    expect([connection.state, connection.consent?.status]).toEqual(['active', 'valid']);
    expect(connection.consent?.bankConsentId).toBe(fresh!.consentId);
    expect(
      await db.orm.em.fork().count(EmailMessage, { idempotencyKey: { $like: `consent-ended:${connectionId}:%` } }),
    ).toBe(0);
    // The bank's ids of the accounts belong to a consent: once the run knew them, the next run (which lists the
    // accounts of the new consent) imports today's payments; otherwise this one did, retried on the new consent.
    if (moment === 'after the bank refused, before marking')
      expect(summary.reason).toMatch(/replaced by the client's new one/);
    if (moment !== 'during the account list') expect((await fetchNow()).outcome).toBe('fetched');
    const today = amsterdamDate(new Date());
    const booked = bank.admin.ledger(IBAN).entries.filter((e) => e.status === 'booked' && e.bookingDate >= today);
    const rows = await db.orm.em.fork().find(Transaction, { bankAccount: bankAccountId });
    expect(rows.map((r) => r.bankReference).sort()).toEqual(booked.map((e) => e.entryReference).sort());
    expect(booked.map((e) => e.amountCents)).toContain(1234);
  },
);

function deps() {
  return testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
}
