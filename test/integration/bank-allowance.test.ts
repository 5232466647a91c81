import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConnectedAccount, DailyStatement, Onboarding, Transaction } from '../../db/entities';
import { amsterdamDate, amsterdamIso, nextAmsterdamMidnight } from '../../domain/amsterdam-time';
import { fetchScheduleId } from '../../domain/fetch-schedule';
import { SANDBOX_COMPANIES } from '../../sandbox/bank/test-users';
import type { FetchSummary } from '../../workflows/fetch-transactions/contract';
import { createTenant, type Tenant } from '../support/tenant';
import { eventually } from '../support/eventually';
import { decodedHistory } from '../support/history';
import { linkMailedTo } from '../support/mail';
import { consentAtBank } from '../support/sandbox-consent';
import { Visitor } from '../support/visitor';
import { startWorld, type World } from '../support/world';

/**
 * The bank call allowance (PSD2: 4 unattended calls a day per consent and endpoint), with the sandbox bank's real
 * limit on: a connection with three accounts, onboarded through the staff API and the client pages, is fetched by
 * its onboarding, by staff's fetch now and by its schedule as often as the allowance lets it, and no more.
 */
const IBANS = SANDBOX_COMPANIES.find((c) => c.key === 'ing-donald')!
  .accounts.map((a) => a.iban)
  .sort();

let world: World;
let env: TestWorkflowEnvironment;
let office: Tenant;
let connectionId: string;
let onboardingId: string;

beforeAll(async () => {
  world = await startWorld({ seed: 11, maxFrequencyPerDay: 4 });
  env = world.env;
  office = await createTenant(world.db.orm, 'Kantoor Vier Keer');
  ({ onboardingId, connectionId } = await onboardThreeAccounts());
});

afterAll(async () => {
  await world?.stop();
});

function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${world.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${office.keys.staff}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/** Staff start the onboarding; the client presses "Koppelen" and consents to all three accounts as the Owner. */
async function onboardThreeAccounts(): Promise<{ onboardingId: string; connectionId: string }> {
  const started = await api('POST', '/api/onboardings', {
    flavour: 'activation-link',
    environmentId: office.mainEnvironmentId,
    bank: 'INGB',
    client: { kvkNumber: '68750110', email: 'eigenaar@donald.test' },
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  const link = await linkMailedTo(world, 'eigenaar@donald.test');
  const client = new Visitor(world.baseUrl);
  const koppelen = await client.post(link, { csrf: await client.csrf(link) });
  expect(koppelen.status).toBe(303);
  const callback = await consentAtBank(koppelen.headers.get('location')!, 'ing-owner', IBANS);
  expect((await client.follow(callback.toString())).response.status).toBe(200);
  const onboarding = await eventually(async () => {
    const row = await world.db.orm.em.fork().findOneOrFail(Onboarding, { id });
    return row.connection ? row : undefined;
  });
  // The onboarding's own first fetch, from 00:00 of today (R-A5), has to finish before staff come in.
  const firstFetch = env.client.workflow.getHandle(`onboarding:${id}:fetch-first`);
  await eventually(() =>
    firstFetch.describe().then(
      (d) => d.status.name === 'COMPLETED' || undefined,
      () => undefined,
    ),
  );
  return { onboardingId: id, connectionId: onboarding.connection!.id };
}

async function bookCentOnEach(description: string): Promise<void> {
  for (const iban of IBANS) world.bank.admin.addTransaction(iban, { amountCents: 1, description });
}

async function importedWith(description: string): Promise<string[]> {
  const rows = await world.db.orm.em.fork().find(Transaction, { description }, { populate: ['bankAccount'] });
  return rows.map((row) => row.bankAccount.iban ?? '').sort();
}

async function scheduledRun(): Promise<FetchSummary> {
  const before = new Set<string>();
  const query = `ConnectionId = "${connectionId}" AND WorkflowType = "fetchTransactionsWorkflow"`;
  for await (const run of env.client.workflow.list({ query })) before.add(run.runId);
  await env.client.schedule.getHandle(fetchScheduleId(connectionId)).trigger();
  const started = await eventually(async () => {
    for await (const run of env.client.workflow.list({ query })) {
      if (!before.has(run.runId) && run.workflowId.startsWith(`${fetchScheduleId(connectionId)}-`)) return run;
    }
    return undefined;
  });
  return env.client.workflow.getHandle(started.workflowId, started.runId).result();
}

test("three accounts: fetch now after the onboarding's first fetch imports a cent on each, into a statement per account", async () => {
  await bookCentOnEach('Cent voor fetch now');
  const answer = await api('POST', `/api/connections/${connectionId}/fetch-now`);
  expect(answer.status).toBe(202);
  const started = (await answer.json()) as { workflowId: string; accounts: string[]; leftOut: unknown[] };
  expect(started.accounts).toEqual(IBANS);
  expect(started.leftOut).toEqual([]);
  const summary: FetchSummary = await env.client.workflow.getHandle(started.workflowId).result();
  expect(summary.outcome).toBe('fetched');
  expect(summary.accounts.map((a) => [a.iban, a.result.outcome])).toEqual(IBANS.map((iban) => [iban, 'imported']));
  expect(await importedWith('Cent voor fetch now')).toEqual(IBANS);
  const today = amsterdamDate(new Date());
  for (const iban of IBANS) {
    const account = await world.db.orm.em.fork().findOneOrFail(ConnectedAccount, { connection: connectionId, iban });
    expect(await world.db.orm.em.fork().count(DailyStatement, { bankAccount: account.bankAccount, date: today })).toBe(
      1,
    );
  }
});

test('the onboarding turned active on the import', async () => {
  const onboarding = await eventually(async () => {
    const row = await world.db.orm.em.fork().findOneOrFail(Onboarding, { id: onboardingId });
    return row.status === 'active' ? row : undefined;
  }, 10_000);
  expect(onboarding.status).toBe('active');
});

test('a fetch now while one runs says so, and starts nothing', async () => {
  world.bank.admin.setLatency(1_500);
  try {
    const first = await api('POST', `/api/connections/${connectionId}/fetch-now`);
    expect(first.status).toBe(202);
    const second = await api('POST', `/api/connections/${connectionId}/fetch-now`);
    expect(second.status).toBe(409);
    const problem = (await second.json()) as { detail: string; runningWorkflowId: string };
    expect(problem.detail).toMatch(/a fetch of this connection is running/);
    expect(problem.runningWorkflowId).toBe(`connection:${connectionId}:fetch-now`);
    await env.client.workflow.getHandle(`connection:${connectionId}:fetch-now`).result();
  } finally {
    world.bank.admin.setLatency(0);
  }
});

test('through the capped day each account is fetched as often as the allowance permits; the next run is refused with its time', async () => {
  // Calls so far per account: the onboarding's first fetch, and two fetch nows. One is left for the schedule.
  await bookCentOnEach('Cent voor de geplande run');
  const scheduled = await scheduledRun();
  expect(scheduled.accounts.map((a) => a.result.outcome)).toEqual(['imported', 'imported', 'imported']);
  expect(await importedWith('Cent voor de geplande run')).toEqual(IBANS);

  const nextRunAt = amsterdamIso(nextAmsterdamMidnight(new Date()));
  const refusedRun = await scheduledRun();
  expect(refusedRun.outcome).toBe('refused');
  expect(refusedRun.reason).toContain(`the next fetch can run at ${nextRunAt}`);
  expect(refusedRun.accounts.map((a) => a.result)).toEqual(
    IBANS.map(() => expect.objectContaining({ outcome: 'rate_limited', nextRunAt })),
  );

  const refused = await api('POST', `/api/connections/${connectionId}/fetch-now`);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  const problem = (await refused.json()) as { detail: string; retryAt: string };
  expect(problem.retryAt).toBe(nextRunAt);
  expect(problem.detail).toContain('the bank allows 4 unattended calls a day');

  const detail = (await (await api('GET', `/api/connections/${connectionId}`)).json()) as {
    state: string;
    problems: string[];
    allowance: { frequencyPerDay: number; callsMade: Record<string, number> };
    accounts: { lastFetchResult: { outcome: string } }[];
  };
  expect(detail.allowance.frequencyPerDay).toBe(4);
  // One account list at the profile sync; every fetch since used the bank's ids kept from it.
  expect(detail.allowance.callsMade).toEqual({
    accounts: 1,
    ...Object.fromEntries(IBANS.map((iban) => [`transactions:${iban}`, 4])),
  });
  expect(detail.problems).toHaveLength(3);
  expect(detail.accounts.map((a) => a.lastFetchResult.outcome)).toEqual([
    'rate_limited',
    'rate_limited',
    'rate_limited',
  ]);
  // Nothing reached the bank beyond the allowance: it never had to answer ACCESS_EXCEEDED.
  const transactions = await world.db.orm.em.fork().find(Transaction, { description: 'Cent voor de geplande run' });
  expect(transactions).toHaveLength(3);
});

test('support finds the fetches by KvK number beside the onboarding, and reads every step in words with ISO dates', async () => {
  const kvk = 'KvkNumber = "68750110"';
  const found = async (query: string) => {
    const ids: string[] = [];
    for await (const run of env.client.workflow.list({ query })) ids.push(run.workflowId);
    return ids;
  };
  const fetches = await eventually(async () => {
    const ids = await found(`${kvk} AND WorkflowType = "fetchTransactionsWorkflow"`);
    return ids.length >= 5 ? ids : undefined;
  });
  expect(fetches).toEqual(
    expect.arrayContaining([`onboarding:${onboardingId}:fetch-first`, `connection:${connectionId}:fetch-now`]),
  );
  expect(fetches.filter((id) => id.startsWith(`${fetchScheduleId(connectionId)}-`)).length).toBeGreaterThanOrEqual(2);
  expect(await found(`${kvk} AND OnboardingFlavour = "activation-link"`)).toEqual([`onboarding:${onboardingId}`]);
  const schedule = await env.client.schedule.getHandle(fetchScheduleId(connectionId)).describe();
  expect(schedule.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value])).toEqual(
    expect.arrayContaining([
      ['KvkNumber', '68750110'],
      ['OrganizationId', office.organizationId],
      ['ConnectionId', connectionId],
    ]),
  );

  // As support reads it in the UI, through the codec endpoint: summaries are encrypted payloads like the rest.
  const history = await decodedHistory(
    await env.client.workflow.getHandle(`onboarding:${onboardingId}`).fetchHistory(),
  );
  const summaries = (history.events ?? [])
    .map((event) => event.userMetadata?.summary?.data)
    .filter((data): data is Uint8Array => Boolean(data))
    .map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as string);
  expect(summaries.length).toBeGreaterThan(5);
  for (const summary of summaries) expect(summary).not.toMatch(/R-[VAD]\d/);
  const waits = summaries.filter((summary) => summary.startsWith('Wait for'));
  expect(waits.length).toBeGreaterThan(0);
  for (const wait of waits) expect(wait).toMatch(/until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00/);
});
