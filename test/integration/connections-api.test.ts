import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { createConnectorFor } from '../../banks/registry';
import { Environment } from '../../db/entities';
import { addDays, amsterdamDate } from '../../domain/amsterdam-time';
import { startSandboxBank } from '../../sandbox/bank';
import { createTestApp } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAtSandbox, createBankAccount, storeConnection } from '../support/sandbox-consent';
import { devServerEnvironment } from '../support/temporal';
import { createTenant, type Tenant } from '../support/tenant';
import { createTestWorker, testActivityDeps } from '../support/worker';

const IBAN = 'NL69INGB0123456789';
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let bank: Awaited<ReturnType<typeof startSandboxBank>>;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
let app: Express;
let office: Tenant;
let otherOffice: Tenant;
let connectionId: string;
let connectedAccountId: string;
let bankAccountId: string;

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

beforeAll(async () => {
  [db, env, bank] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: 11, maxFrequencyPerDay: 100 }),
  ]);
  deps = testActivityDeps({ orm: db.orm, env, sandboxBankUrl: bank.url });
  worker = await createTestWorker(env, deps);
  running = worker.run();
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Verbindingen');
  otherOffice = await createTenant(db.orm, 'Kantoor Elders');
  const { consentId, tokens } = await consentAtSandbox({
    connector: createConnectorFor('INGB', { sandboxBankUrl: bank.url }),
    admin: bank.admin,
    username: 'ing-owner',
    ibans: [IBAN],
    frequencyPerDay: 100,
  });
  bankAccountId = await createBankAccount(db.orm, {
    organizationId: office.organizationId,
    environmentId: office.mainEnvironmentId,
    journalId: office.journalId,
    iban: IBAN,
  });
  const stored = await storeConnection(db.orm, deps.tokenCipher, {
    organizationId: office.organizationId,
    environmentId: office.mainEnvironmentId,
    bankCode: 'INGB',
    consentId,
    tokens,
    accounts: [{ iban: IBAN, bankAccountId }],
    switchOverDate: addDays(amsterdamDate(new Date()), -3),
    frequencyPerDay: 100,
  });
  connectionId = stored.connectionId;
  connectedAccountId = stored.connectedAccountIds[0]!;
  await createActivities(deps).ensureFetchSchedule({ connectionId });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), bank?.close()]);
  await db?.drop();
});

test('R-V14: before the first import the account shows "awaiting first transaction"', async () => {
  const res = await request(app).get(`/api/bank-accounts/${bankAccountId}`).set(as(office.keys.support));
  expect(res.body.connectionStatus).toBe('awaiting_first_transaction');
});

test('the detail shows accounts, consent (never tokens) and the next scheduled fetch', async () => {
  const res = await request(app).get(`/api/connections/${connectionId}`).set(as(office.keys.support));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    bankCode: 'INGB',
    state: 'active',
    syncProfileBlocked: false,
    consent: { status: 'valid' },
  });
  expect(res.body.accounts).toEqual([
    expect.objectContaining({ iban: IBAN, importTransactions: true, blocked: false, statementImportEnabled: false }),
  ]);
  expect(new Date(res.body.nextScheduledFetch).getTime()).toBeGreaterThan(Date.now());
  expect(JSON.stringify(res.body)).not.toMatch(/token/i);
  const list = await request(app).get('/api/connections').set(as(office.keys.support));
  expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([connectionId]);
});

test('fetch now (R-A17) runs the fetch workflow; the account then shows active (R-A13, R-V14)', async () => {
  const res = await request(app).post(`/api/connections/${connectionId}/fetch-now`).set(as(office.keys.staff));
  expect(res.status).toBe(202);
  expect(res.body.workflowId).toBe(`connection:${connectionId}:fetch-now`);
  const summary = await env.client.workflow.getHandle(res.body.workflowId).result();
  expect(summary.outcome).toBe('fetched');
  const account = await request(app).get(`/api/bank-accounts/${bankAccountId}`).set(as(office.keys.support));
  expect(account.body.connectionStatus).toBe('active');
  const statements = await request(app)
    .get(`/api/bank-accounts/${bankAccountId}/statements`)
    .set(as(office.keys.support));
  expect(statements.body.items.length).toBeGreaterThan(0);
});

test('a blocked sync profile refuses fetch now with a clear message and pauses the schedule', async () => {
  const blocked = await request(app)
    .patch(`/api/connections/${connectionId}`)
    .set(as(office.keys.staff))
    .send({ syncProfileBlocked: true });
  expect(blocked.body.syncProfileBlocked).toBe(true);
  const refused = await request(app).post(`/api/connections/${connectionId}/fetch-now`).set(as(office.keys.staff));
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toContain('sync profile is blocked');
  expect((await env.client.schedule.getHandle(`connection:${connectionId}:fetch`).describe()).state.paused).toBe(true);
  await request(app)
    .patch(`/api/connections/${connectionId}`)
    .set(as(office.keys.staff))
    .send({ syncProfileBlocked: false });
  expect((await env.client.schedule.getHandle(`connection:${connectionId}:fetch`).describe()).state.paused).toBe(false);
});

test('R-A8, R-A12: an account moves to a sub environment of the main one, never to an unrelated environment', async () => {
  const em = db.orm.em.fork();
  const sub = em.create(Environment, {
    organization: office.organizationId,
    name: 'Filiaal',
    kind: 'sub',
    parent: office.mainEnvironmentId,
  });
  const otherMain = em.create(Environment, {
    organization: office.organizationId,
    name: 'Andere administratie',
    kind: 'main',
    parent: null,
  });
  await em.flush();
  const path = `/api/connections/${connectionId}/accounts/${connectedAccountId}`;
  const moved = await request(app)
    .patch(path)
    .set(as(office.keys.staff))
    .send({ environmentId: sub.id, payments: true });
  expect(moved.status).toBe(200);
  expect(moved.body).toMatchObject({ environmentId: sub.id, payments: true, directDebit: false });
  const refused = await request(app).patch(path).set(as(office.keys.staff)).send({ environmentId: otherMain.id });
  expect(refused.status).toBe(400);
  expect(refused.body.errors[0].field).toBe('environmentId');
  const blocked = await request(app).patch(path).set(as(office.keys.staff)).send({ blocked: true });
  expect(blocked.body.blocked).toBe(true);
});

test("another office's connection answers 404, and support may not fetch", async () => {
  expect((await request(app).get(`/api/connections/${connectionId}`).set(as(otherOffice.keys.admin))).status).toBe(404);
  expect(
    (await request(app).post(`/api/connections/${connectionId}/fetch-now`).set(as(otherOffice.keys.admin))).status,
  ).toBe(404);
  expect(
    (
      await request(app)
        .patch(`/api/connections/${connectionId}/accounts/${connectedAccountId}`)
        .set(as(otherOffice.keys.admin))
        .send({ blocked: false })
    ).status,
  ).toBe(404);
  expect(
    (await request(app).post(`/api/connections/${connectionId}/fetch-now`).set(as(office.keys.support))).status,
  ).toBe(403);
});
