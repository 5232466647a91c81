import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createKvkClient } from '../../kvk/client';
import { ApiKey } from '../../db/entities';
import type { OnboardingState } from '../../workflows/onboarding/contract';
import { callApi, createTenant, createTestApp, type ApiAnswer, type Tenant } from '../support/api-fixture';
import { startWorld, type World } from '../support/world';
import { linkMailedTo } from '../support/mail';
import { csrfCookie, hiddenField, postForm } from '../support/visitor';
import { eventually } from '../support/eventually';

/**
 * The staff API for onboardings (issue 6 item 5; R-D1, R-A9, R-A10, R-V3) through real HTTP on a listening app,
 * with the worker, the Temporal dev server, PostgreSQL, the SMTP sink, the sandbox KvK and the sandbox bank.
 */
const HOUR = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let world: World;
let db: World['db'];
let env: World['env'];
let smtp: World['smtp'];
let baseUrl: string;
let office: Tenant;
let otherOffice: Tenant;
/** The same product, whose API finds the KvK unreachable; the worker still reaches the sandbox KvK. */
let kvkDownApp: Express;
/** The same again, whose API waits on a KvK that accepts the connection and never answers. */
let kvkSilentApp: Express;
let silentKvk: Server;

beforeAll(async () => {
  world = await startWorld({ seed: 11 });
  ({ db, env, smtp, baseUrl } = world);
  [office, otherOffice] = await Promise.all([
    createTenant(db.orm, 'Administratiekantoor De Boekhouder'),
    createTenant(db.orm, 'Kantoor Zuid'),
  ]);
  silentKvk = createServer(() => undefined).listen(0, '127.0.0.1');
  await once(silentKvk, 'listening');
  const silentUrl = `http://127.0.0.1:${(silentKvk.address() as AddressInfo).port}`;
  const appWithKvk = (kvkUrl: string) =>
    createTestApp(db.orm, env, {
      deps: { ...world.deps, kvk: createKvkClient({ baseUrl: kvkUrl, apiKey: 'sandbox' }) },
      publicBaseUrl: baseUrl,
    });
  kvkDownApp = appWithKvk('http://127.0.0.1:9');
  kvkSilentApp = appWithKvk(silentUrl);
});

afterAll(async () => {
  silentKvk?.closeAllConnections();
  await new Promise((resolve) => silentKvk?.close(resolve) ?? resolve(undefined));
  await world?.stop();
});

type Answer = ApiAnswer;

function call(method: 'GET' | 'POST', path: string, key: string | null, body?: unknown): Promise<Answer> {
  return callApi(baseUrl, method, path, key, body);
}

function startBody(
  overrides: { kvkNumber?: string; email?: string; bank?: string; environmentId?: string } = {},
): Record<string, unknown> {
  return {
    flavour: 'activation-link',
    environmentId: overrides.environmentId ?? office.mainEnvironmentId,
    bank: overrides.bank ?? 'INGB',
    client: { kvkNumber: overrides.kvkNumber ?? '68750110', email: overrides.email ?? 'eigenaar@donald.test' },
    accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
  };
}

/** Starts through the API that cannot reach the KvK, so only the workflow's prepare step judges the number. */
async function startWhileKvkDown(overrides: Parameters<typeof startBody>[0]): Promise<Answer> {
  const res = await request(kvkDownApp)
    .post('/api/onboardings')
    .set('authorization', `Bearer ${office.keys.staff}`)
    .send(startBody(overrides));
  if (res.status !== 201) throw new Error(`POST /api/onboardings answered ${res.status}: ${res.text}`);
  return { status: res.status, type: res.type, body: res.body };
}

async function start(overrides: Parameters<typeof startBody>[0], key = office.keys.staff): Promise<Answer> {
  const answer = await call('POST', '/api/onboardings', key, startBody(overrides));
  if (answer.status !== 201)
    throw new Error(`POST /api/onboardings answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

async function detailOnce(
  id: string,
  predicate: (body: Answer['body']) => boolean,
  key = office.keys.staff,
): Promise<Answer['body']> {
  return eventually(async () => {
    const answer = await call('GET', `/api/onboardings/${id}`, key);
    expect(answer.status).toBe(200);
    return predicate(answer.body) ? answer.body : undefined;
  });
}

const waiting = (body: Answer['body']) =>
  body.status === 'waiting_for_consent' &&
  body.emails.length > 0 &&
  body.emails.every((e: { status: string }) => e.status === 'sent');

describe('starting an onboarding', () => {
  test('POST answers 201 with id, workflowId and status; the e-mail arrives; GET shows step, 168 h deadline, Temporal UI link and e-mails (R-D1, R-A10)', async () => {
    const created = await call('POST', '/api/onboardings', office.keys.staff, { ...startBody(), language: 'nl' });
    expect(created.status).toBe(201);
    expect(created.type).toBe('application/json');
    const id: string = created.body.id;
    expect(id).toMatch(UUID);
    expect(created.body).toEqual({
      id,
      workflowId: `onboarding:${id}`,
      flavour: 'activation-link',
      status: 'preparing',
      statusReason: null,
      currentStep: 'prepare',
      bank: 'INGB',
      environmentId: office.mainEnvironmentId,
      bankAccountIds: [],
      client: { kvkNumber: '68750110', email: 'eigenaar@donald.test', companyName: null },
      accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
      language: 'nl',
      consentDeadline: null,
      connectionId: null,
      restartOf: null,
      temporalUiUrl: `http://localhost:8233/namespaces/default/workflows/onboarding%3A${id}`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      completedAt: null,
    });

    const link = await linkMailedTo(world, 'eigenaar@donald.test');
    expect(link).toMatch(new RegExp(`^${baseUrl}/connect/[A-Za-z0-9_-]{43}$`));
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<dt>Bedrijf</dt><dd>Test BV Donald</dd>');
    expect(html).toContain('<button type="submit">Koppelen</button>');

    const detail = await detailOnce(id, waiting);
    expect(detail).toMatchObject({
      id,
      workflowId: `onboarding:${id}`,
      status: 'waiting_for_consent',
      statusReason: null,
      currentStep: 'wait_for_consent',
      client: { kvkNumber: '68750110', email: 'eigenaar@donald.test', companyName: 'Test BV Donald' },
      temporalUiUrl: `http://localhost:8233/namespaces/default/workflows/onboarding%3A${id}`,
      completedAt: null,
    });
    const deadline = new Date(detail.consentDeadline).getTime();
    const createdAt = new Date(detail.createdAt).getTime();
    expect(Math.abs(deadline - createdAt - 168 * HOUR)).toBeLessThan(60_000);
    expect(detail.emails).toEqual([
      { template: 'onboarding-activation', to: 'eigenaar@donald.test', status: 'sent', sentAt: expect.any(String) },
    ]);
    expect(Math.abs(new Date(detail.emails[0].sentAt).getTime() - Date.now())).toBeLessThan(5 * 60_000);

    // The workflow really runs under that id, found by its business attributes.
    const described = await env.client.workflow.getHandle(`onboarding:${id}`).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.searchAttributes).toMatchObject({
      KvkNumber: ['68750110'],
      BankCode: ['INGB'],
      OnboardingStatus: ['waiting_for_consent'],
      EnvironmentId: [office.mainEnvironmentId],
    });
    const state = await env.client.workflow.getHandle(`onboarding:${id}`).query<OnboardingState>('state');
    expect(state.consentDeadline).toBe(detail.consentDeadline);

    // R-A9: one open link per client, bank and environment; the answer names the open one.
    const twice = await call('POST', '/api/onboardings', office.keys.staff, startBody());
    expect(twice.status).toBe(409);
    expect(twice.type).toBe('application/problem+json');
    expect(twice.body).toMatchObject({ status: 409, title: 'Conflict', instance: '/api/onboardings' });
    expect(twice.body.detail).toBe(
      `onboarding ${id} for KvK 68750110 at INGB in this environment is still waiting for consent; resend, cancel or restart it (R-A9)`,
    );
    // Another bank for the same client is another bank agreement: allowed.
    const otherBank = await call('POST', '/api/onboardings', office.keys.staff, startBody({ bank: 'RABO' }));
    expect(otherBank.status).toBe(201);
    expect(otherBank.body.bank).toBe('RABO');
  });

  test('bad input answers 400 problem+json naming each field; nothing is started', async () => {
    const before = (await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length;
    const bad = await call('POST', '/api/onboardings', office.keys.staff, {
      flavour: 'activation-link',
      environmentId: office.mainEnvironmentId,
      bank: 'KNAB',
      client: { kvkNumber: '6875011', email: 'geen-e-mail' },
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
    expect(bad.body.title).toBe('Invalid request');
    const fields = Object.fromEntries(
      (bad.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]),
    );
    expect(Object.keys(fields).sort()).toEqual(['bank', 'client.email', 'client.kvkNumber']);
    expect(fields['client.kvkNumber']).toBe('must be 8 digits');
    expect(fields['client.email']).toBe('is not an e-mail address');
    expect(fields.bank).toBe('Invalid option: expected one of "INGB"|"RABO"|"ABNA"');
    for (const field of ['bank', 'client.email', 'client.kvkNumber']) expect(bad.body.detail).toContain(`${field}: `);

    const letters = await call('POST', '/api/onboardings', office.keys.staff, startBody({ kvkNumber: '6875011A' }));
    expect(letters.status).toBe(400);
    expect(letters.body.errors).toEqual([{ field: 'client.kvkNumber', message: 'must be 8 digits' }]);

    const missing = await call('POST', '/api/onboardings', office.keys.staff, {
      flavour: 'activation-link',
      bank: 'INGB',
      extra: 1,
    });
    expect(missing.status).toBe(400);
    const missingFields = (missing.body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
    expect(missingFields).toEqual(['body', 'client', 'environmentId']);
    expect(missing.body.errors).toContainEqual({ field: 'body', message: 'unknown field(s): extra' });

    const notUuid = await call('POST', '/api/onboardings', office.keys.staff, startBody({ environmentId: 'main' }));
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.errors.map((e: { field: string }) => e.field)).toEqual(['environmentId']);

    const unknownEnvironment = await call(
      'POST',
      '/api/onboardings',
      office.keys.staff,
      startBody({ environmentId: randomUUID() }),
    );
    expect(unknownEnvironment.status).toBe(404);
    expect(unknownEnvironment.type).toBe('application/problem+json');
    expect(unknownEnvironment.body).toMatchObject({
      status: 404,
      detail: 'environmentId: no environment with this id',
      errors: [{ field: 'environmentId', message: 'no environment with this id' }],
    });
    // Another office's environment is as unknown as a made-up one.
    const foreignEnvironment = await call(
      'POST',
      '/api/onboardings',
      office.keys.staff,
      startBody({ environmentId: otherOffice.mainEnvironmentId }),
    );
    expect(foreignEnvironment.status).toBe(404);
    expect(foreignEnvironment.body.errors).toEqual([
      { field: 'environmentId', message: 'no environment with this id' },
    ]);

    const noJson = await fetch(`${baseUrl}/api/onboardings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
      body: '{"flavour":',
    });
    expect(noJson.status).toBe(400);
    expect(await noJson.json()).toMatchObject({ errors: [{ field: 'body', message: 'is not valid JSON' }] });

    expect((await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length).toBe(before);
  });

  // The serial flavour (issue 7): test/integration/onboardings-serial-api.test.ts.

  test('a KvK number the KvK does not know is refused at once: 422 naming client.kvkNumber (R-V3)', async () => {
    const before = (await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length;
    const body = startBody({ kvkNumber: '12345678', email: 'onbekend@bedrijf.test' });
    const refused = await call('POST', '/api/onboardings', office.keys.staff, body);
    expect(refused.status).toBe(422);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      status: 422,
      title: 'Unprocessable content',
      detail: 'client.kvkNumber: 12345678 is not registered at the KvK (R-V3)',
      errors: [{ field: 'client.kvkNumber', message: '12345678 is not registered at the KvK (R-V3)' }],
    });
    expect((await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length).toBe(before);
    expect(smtp.messages.filter((m) => m.to.includes('onbekend@bedrijf.test'))).toEqual([]);
  });

  test('a KvK unreachable, or silent for 3 s, does not hold staff up: 201; the prepare step asks again', async () => {
    const down = await startWhileKvkDown({ kvkNumber: '55344526', email: 'stimflex@cooperatie.test' });
    expect(down.body).toMatchObject({ status: 'preparing', client: { kvkNumber: '55344526', companyName: null } });
    const prepared = await detailOnce(down.body.id, waiting);
    expect(prepared.client.companyName).toBe('Regional Stimflex Coöperatie');

    const began = Date.now();
    const silent = await request(kvkSilentApp)
      .post('/api/onboardings')
      .set('authorization', `Bearer ${office.keys.staff}`)
      .send(startBody({ kvkNumber: '55344526', email: 'stimflex@cooperatie.test', bank: 'RABO' }));
    const waited = Date.now() - began;
    expect(silent.status).toBe(201);
    expect(waited).toBeGreaterThanOrEqual(2_900);
    expect(waited).toBeLessThan(6_000);
    await detailOnce(silent.body.id, waiting);
  });

  test('a number the API could not check and the KvK does not know ends rejected with the reason (R-V3)', async () => {
    const created = await startWhileKvkDown({ kvkNumber: '12345678', email: 'onbekend@bedrijf.test' });
    const detail = await detailOnce(created.body.id, (body) => body.status !== 'preparing');
    expect(detail).toMatchObject({
      status: 'rejected',
      statusReason: 'KvK number 12345678 is not registered at the KvK (R-V3)',
      currentStep: 'done',
      consentDeadline: null,
      client: { kvkNumber: '12345678', companyName: null },
      emails: [],
    });
    expect(detail.completedAt).not.toBeNull();
    const result = await env.client.workflow.getHandle(created.body.workflowId).result();
    expect(result).toMatchObject({
      status: 'rejected',
      reason: 'KvK number 12345678 is not registered at the KvK (R-V3)',
    });
    expect(smtp.messages.filter((m) => m.to.includes('onbekend@bedrijf.test'))).toEqual([]);
  });

  test('an account at another bank, or one that can never connect, is refused at once; the ids echoed', async () => {
    const account = async (name: string, type: string, iban?: string) => {
      const created = await call('POST', '/api/bank-accounts', office.keys.staff, {
        environmentId: office.mainEnvironmentId,
        journalId: office.journalId,
        name,
        type,
        ledgerAccount: '1100',
        ...(iban ? { iban } : {}),
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const ing = await account('Betaalrekening ING', 'current', 'NL69INGB0123456789');
    const rabo = await account('Betaalrekening Rabo', 'current', 'NL44RABO0123456789');
    const cash = await account('Kas', 'cash');
    const before = (await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length;

    const mixed = await call('POST', '/api/onboardings', office.keys.staff, {
      ...startBody({ kvkNumber: '55344526', email: 'stimflex@cooperatie.test', bank: 'ABNA' }),
      bankAccountIds: [rabo],
    });
    expect(mixed.status).toBe(422);
    expect(mixed.type).toBe('application/problem+json');
    expect(mixed.body.errors).toEqual([
      {
        field: 'bankAccountIds.0',
        message: 'Betaalrekening Rabo (NL44 RABO 0123 4567 89) is at RABO; this onboarding is for ABNA',
      },
    ]);

    // Every reason in one answer, the KvK's too, so staff fix the request once.
    const all = await call('POST', '/api/onboardings', office.keys.staff, {
      ...startBody({ kvkNumber: '87654321', email: 'x@y.test' }),
      bankAccountIds: [ing, rabo, cash],
    });
    expect(all.status).toBe(422);
    expect(all.body.errors).toEqual([
      {
        field: 'bankAccountIds.1',
        message: 'Betaalrekening Rabo (NL44 RABO 0123 4567 89) is at RABO; this onboarding is for INGB',
      },
      { field: 'bankAccountIds.2', message: 'Kas: a cash account can never be connected to a bank (R-V1)' },
      { field: 'client.kvkNumber', message: '87654321 is not registered at the KvK (R-V3)' },
    ]);
    expect((await call('GET', '/api/onboardings?limit=100', office.keys.staff)).body.items.length).toBe(before);

    const sub = await call('POST', '/api/environments', office.keys.admin, {
      name: 'Filiaal Zwolle',
      kind: 'sub',
      parentId: office.mainEnvironmentId,
    });
    const withAccount = await call('POST', '/api/onboardings', office.keys.staff, {
      ...startBody({ kvkNumber: '55344526', email: 'stimflex@cooperatie.test', environmentId: sub.body.id }),
      bankAccountIds: [ing],
    });
    expect(withAccount.status).toBe(201);
    expect(withAccount.body.bankAccountIds).toEqual([ing]);
    const detail = await call('GET', `/api/onboardings/${withAccount.body.id}`, office.keys.staff);
    expect(detail.body.bankAccountIds).toEqual([ing]);
    const listed = (await call('GET', `/api/onboardings?environmentId=${sub.body.id}`, office.keys.staff)).body.items;
    expect(listed.find((item: { id: string }) => item.id === withAccount.body.id).bankAccountIds).toEqual([ing]);
  });
});

describe('listing', () => {
  test('filters by status, bank, KvK number and environment, page by page', async () => {
    const sub = await call('POST', '/api/environments', office.keys.admin, {
      name: 'Filiaal Utrecht',
      kind: 'sub',
      parentId: office.mainEnvironmentId,
    });
    expect(sub.status).toBe(201);
    const subId: string = sub.body.id;
    const ing = await start({ kvkNumber: '69599084', email: 'dagobert@emz.test', environmentId: subId });
    const rabo = await start({ kvkNumber: '69599084', email: 'dagobert@emz.test', bank: 'RABO', environmentId: subId });
    const unknown = await startWhileKvkDown({
      kvkNumber: '87654321',
      email: 'niemand@bedrijf.test',
      environmentId: subId,
    });
    await detailOnce(ing.body.id, waiting);
    await detailOnce(rabo.body.id, waiting);
    await detailOnce(unknown.body.id, (body) => body.status === 'rejected');

    const ids = async (query: string, key = office.keys.staff) => {
      const answer = await call('GET', `/api/onboardings?${query}`, key);
      expect([query, answer.status]).toEqual([query, 200]);
      expect(answer.body.nextCursor).toBeNull();
      return (answer.body.items as { id: string }[]).map((item) => item.id);
    };
    expect(await ids(`environmentId=${subId}`)).toEqual([ing.body.id, rabo.body.id, unknown.body.id]);
    expect(await ids(`environmentId=${subId}&bank=RABO`)).toEqual([rabo.body.id]);
    expect(await ids('kvkNumber=69599084')).toEqual([ing.body.id, rabo.body.id]);
    expect(await ids('kvkNumber=69599084&bank=INGB')).toEqual([ing.body.id]);
    expect(await ids(`status=rejected&environmentId=${subId}`)).toEqual([unknown.body.id]);
    expect(await ids(`status=waiting_for_consent&environmentId=${subId}`)).toEqual([ing.body.id, rabo.body.id]);
    expect(await ids(`status=active&environmentId=${subId}`)).toEqual([]);
    // Every item of a filtered list answers to the filter.
    const waitingAll = await call('GET', '/api/onboardings?status=waiting_for_consent&limit=100', office.keys.staff);
    expect(waitingAll.body.items.length).toBeGreaterThanOrEqual(2);
    expect(new Set(waitingAll.body.items.map((i: { status: string }) => i.status))).toEqual(
      new Set(['waiting_for_consent']),
    );
    const main = await call(
      'GET',
      `/api/onboardings?environmentId=${office.mainEnvironmentId}&limit=100`,
      office.keys.staff,
    );
    expect(main.body.items.map((i: { id: string }) => i.id)).not.toContain(ing.body.id);

    // The list shows the same view as the detail, without the e-mails.
    const listed = (await call('GET', `/api/onboardings?environmentId=${subId}&bank=INGB`, office.keys.staff)).body
      .items[0];
    expect(listed).toMatchObject({
      id: ing.body.id,
      status: 'waiting_for_consent',
      currentStep: 'wait_for_consent',
      client: { companyName: 'Test EMZ Dagobert' },
    });
    expect(listed.emails).toBeUndefined();

    const first = await call('GET', `/api/onboardings?environmentId=${subId}&limit=2`, office.keys.staff);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ing.body.id, rabo.body.id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(
      'GET',
      `/api/onboardings?environmentId=${subId}&limit=2&cursor=${first.body.nextCursor}`,
      office.keys.staff,
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: unknown.body.id })], nextCursor: null });

    const badFilters = await call(
      'GET',
      '/api/onboardings?status=bezig&bank=KNAB&kvkNumber=123&environmentId=x',
      office.keys.staff,
    );
    expect(badFilters.status).toBe(400);
    expect(badFilters.type).toBe('application/problem+json');
    expect((badFilters.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'bank',
      'environmentId',
      'kvkNumber',
      'status',
    ]);
  });
});

describe('cancel, resend, restart', () => {
  test('cancel: the status is cancelled at once, the workflow ends, and the link page says the office stopped it', async () => {
    const created = await start({ kvkNumber: '68727720', email: 'katrien@nv.test' });
    const link = await linkMailedTo(world, 'katrien@nv.test');
    await detailOnce(created.body.id, waiting);
    const staffKey = await keyOf(office.keys.staff);

    const cancelled = await call('POST', `/api/onboardings/${created.body.id}/cancel`, office.keys.staff);
    expect(cancelled.status).toBe(200);
    // Staff know their keys by label; an id would send them to the database to find out who it was.
    expect(cancelled.body).toMatchObject({
      id: created.body.id,
      status: 'cancelled',
      currentStep: 'done',
      statusReason: `cancelled by API key "${staffKey.name}"`,
    });
    expect(cancelled.body.statusReason).not.toContain(staffKey.id);
    expect(cancelled.body.completedAt).not.toBeNull();
    expect(await env.client.workflow.getHandle(created.body.workflowId).result()).toMatchObject({
      status: 'cancelled',
    });

    const page = await fetch(link);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('<h1>Deze link werkt niet meer</h1>');
    expect(html).toContain('Administratiekantoor De Boekhouder heeft deze activatie stopgezet.');
    expect(html).not.toContain('Koppelen</button>');

    const again = await call('POST', `/api/onboardings/${created.body.id}/cancel`, office.keys.staff);
    expect(again.status).toBe(409);
    expect(again.type).toBe('application/problem+json');
    const resend = await call('POST', `/api/onboardings/${created.body.id}/resend`, office.keys.staff);
    expect(resend.status).toBe(409);
    expect(smtp.messages.filter((m) => m.to.includes('katrien@nv.test'))).toHaveLength(1);

    // With the cancelled one closed, R-A9 lets staff start afresh.
    const fresh = await call(
      'POST',
      '/api/onboardings',
      office.keys.staff,
      startBody({ kvkNumber: '68727720', email: 'katrien@nv.test' }),
    );
    expect(fresh.status).toBe(201);
  });

  test('resend: a second e-mail with a different link; the first link stops working, the deadline stays (R-A10)', async () => {
    const created = await start({ kvkNumber: '69599068', email: 'bolderbast@stichting.test' });
    const first = await linkMailedTo(world, 'bolderbast@stichting.test');
    const before = await detailOnce(created.body.id, waiting);
    // The client had the first page open (with its CSRF field) before staff resent.
    const openPage = await fetch(first);
    expect(openPage.status).toBe(200);
    const csrf = hiddenField(await openPage.text(), 'csrf');
    const cookie = csrfCookie(openPage);

    const resent = await call('POST', `/api/onboardings/${created.body.id}/resend`, office.keys.staff);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ id: created.body.id, status: 'waiting_for_consent' });
    const second = await linkMailedTo(world, 'bolderbast@stichting.test', 2);
    expect(second).not.toBe(first);
    expect(smtp.messages.filter((m) => m.to.includes('bolderbast@stichting.test'))).toHaveLength(2);

    const oldPage = await fetch(first);
    expect(oldPage.status).toBe(410);
    expect(await oldPage.text()).toContain(
      'Er is een nieuwere link verstuurd; alleen de link in de meest recente e-mail werkt.',
    );
    const oldPost = await postForm(first, { csrf }, cookie);
    expect(oldPost.status).toBe(410);
    expect(await oldPost.text()).toContain('Er is een nieuwere link verstuurd');
    const newPage = await fetch(second);
    expect(newPage.status).toBe(200);
    expect(await newPage.text()).toContain('<button type="submit">Koppelen</button>');

    const after = await detailOnce(created.body.id, (body) => body.emails.length === 2 && waiting(body));
    expect(after.consentDeadline).toBe(before.consentDeadline);
    expect(
      after.emails.map((e: { template: string; to: string; status: string }) => [e.template, e.to, e.status]),
    ).toEqual([
      ['onboarding-activation', 'bolderbast@stichting.test', 'sent'],
      ['onboarding-activation', 'bolderbast@stichting.test', 'sent'],
    ]);
  });

  test('restart: a new onboarding with restartOf, a fresh link and deadline; the open original is cancelled', async () => {
    const original = await start({ kvkNumber: '69599076', email: 'guus@vof.test' });
    const oldLink = await linkMailedTo(world, 'guus@vof.test');
    const originalDetail = await detailOnce(original.body.id, waiting);

    const restarted = await call('POST', `/api/onboardings/${original.body.id}/restart`, office.keys.staff);
    expect(restarted.status).toBe(201);
    const id: string = restarted.body.id;
    expect(id).toMatch(UUID);
    expect(id).not.toBe(original.body.id);
    expect(restarted.body).toMatchObject({
      workflowId: `onboarding:${id}`,
      status: 'preparing',
      restartOf: original.body.id,
      bank: 'INGB',
      environmentId: office.mainEnvironmentId,
      client: { kvkNumber: '69599076', email: 'guus@vof.test' },
      accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
    });
    const newLink = await linkMailedTo(world, 'guus@vof.test', 2);
    expect(newLink).not.toBe(oldLink);
    const fresh = await detailOnce(id, waiting);
    expect(fresh.restartOf).toBe(original.body.id);
    expect(new Date(fresh.consentDeadline).getTime()).toBeGreaterThan(
      new Date(originalDetail.consentDeadline).getTime(),
    );

    const old = (await call('GET', `/api/onboardings/${original.body.id}`, office.keys.staff)).body;
    expect(old).toMatchObject({ status: 'cancelled', currentStep: 'done', restartOf: null });
    expect(old.statusReason).toBe(`cancelled by API key "${(await keyOf(office.keys.staff)).name}" (restart)`);
    expect((await fetch(oldLink)).status).toBe(410);
    expect((await fetch(newLink)).status).toBe(200);

    // A finished one (rejected) restarts too, without a cancel; with a number the KvK does not know, the restart is
    // refused at once like a start, and the original stays as it was.
    const rejected = await startWhileKvkDown({ kvkNumber: '11223344', email: 'fout@bedrijf.test' });
    await detailOnce(rejected.body.id, (body) => body.status === 'rejected');
    const refused = await call('POST', `/api/onboardings/${rejected.body.id}/restart`, office.keys.staff);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { field: 'client.kvkNumber', message: '11223344 is not registered at the KvK (R-V3)' },
    ]);
    const again = await request(kvkDownApp)
      .post(`/api/onboardings/${rejected.body.id}/restart`)
      .set('authorization', `Bearer ${office.keys.staff}`);
    expect(again.status).toBe(201);
    expect(again.body.restartOf).toBe(rejected.body.id);
    await detailOnce(again.body.id, (body) => body.status === 'rejected');
  });
});

describe('tenants and roles', () => {
  test("another office's onboarding answers 404 to every call and never shows in its list", async () => {
    const created = await start(
      { kvkNumber: '55505201', email: 'zuid@bedrijf.test', environmentId: otherOffice.mainEnvironmentId },
      otherOffice.keys.staff,
    );
    await detailOnce(created.body.id, (body) => body.status !== 'preparing', otherOffice.keys.staff);
    for (const [method, path] of [
      ['GET', `/api/onboardings/${created.body.id}`],
      ['POST', `/api/onboardings/${created.body.id}/cancel`],
      ['POST', `/api/onboardings/${created.body.id}/resend`],
      ['POST', `/api/onboardings/${created.body.id}/restart`],
    ] as const) {
      const answer = await call(method, path, office.keys.admin);
      expect([method, path, answer.status, answer.type]).toEqual([method, path, 404, 'application/problem+json']);
      expect(answer.body.detail).toBe('onboarding not found');
    }
    const list = await call('GET', '/api/onboardings?kvkNumber=55505201', office.keys.admin);
    expect(list.body.items).toEqual([]);
    expect(
      (await call('GET', '/api/onboardings?kvkNumber=55505201', otherOffice.keys.support)).body.items.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([created.body.id]);
    const unknown = await call('GET', `/api/onboardings/${randomUUID()}`, office.keys.staff);
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/api/onboardings/not-a-uuid', office.keys.staff)).status).toBe(400);
  });

  test('support may read but not start, cancel, resend or restart (403); no key is 401', async () => {
    const created = await start({ kvkNumber: '68750110', email: 'support-case@donald.test', bank: 'ABNA' });
    await detailOnce(created.body.id, waiting);
    const read = await call('GET', `/api/onboardings/${created.body.id}`, office.keys.support);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('waiting_for_consent');
    expect(
      (await call('GET', '/api/onboardings?bank=ABNA', office.keys.support)).body.items.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([created.body.id]);

    const refused = await call(
      'POST',
      '/api/onboardings',
      office.keys.support,
      startBody({ kvkNumber: '69599084', email: 'x@y.test', bank: 'ABNA' }),
    );
    expect(refused.status).toBe(403);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.detail).toBe('the role "support" may not do this; it needs admin or staff');
    for (const action of ['cancel', 'resend', 'restart']) {
      const answer = await call('POST', `/api/onboardings/${created.body.id}/${action}`, office.keys.support);
      expect([action, answer.status]).toEqual([action, 403]);
    }
    expect((await call('GET', `/api/onboardings/${created.body.id}`, office.keys.support)).body.status).toBe(
      'waiting_for_consent',
    );
    expect((await call('GET', '/api/onboardings?kvkNumber=69599084&bank=ABNA', office.keys.admin)).body.items).toEqual(
      [],
    );
    expect((await call('GET', '/api/onboardings', null)).status).toBe(401);
    expect((await call('POST', '/api/onboardings', null, startBody())).status).toBe(401);
  });
});

async function keyOf(key: string): Promise<{ id: string; name: string }> {
  const keys = await db.orm.em.fork().find(ApiKey, { organization: office.organizationId, role: 'staff' });
  expect(keys).toHaveLength(1);
  expect(key.startsWith('bk_')).toBe(true);
  return { id: keys[0]!.id, name: keys[0]!.name };
}
