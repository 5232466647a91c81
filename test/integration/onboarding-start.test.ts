import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { startMissingOnboardingWorkflows } from '../../api/onboarding-start';
import { Consent, ConsentAttempt, Onboarding } from '../../db/entities';
import { createTenant, createTestApp, testApiServices, type Tenant } from '../support/api-fixture';
import { eventually } from '../support/eventually';
import { serialMailedTo } from '../support/mail';
import { onboardingState, startActivationLinkOnboarding } from '../support/onboarding';
import { consentAtBank } from '../support/sandbox-consent';
import { Visitor } from '../support/visitor';
import { startWorld, type World } from '../support/world';

/**
 * Issue 12: a write in the database, then one in Temporal. An onboarding's row commits before its workflow starts:
 * with Temporal out of reach the start must not fail the request and leave a `preparing` row with nothing behind
 * it; the row is the intent, and the reconciler starts the workflow once Temporal answers. A cancel before that
 * ends it without Temporal. The bank's answer is claimed on its attempt before the workflow hears of it: with
 * Temporal out of reach, the client's page hands it over again, once, when Temporal is back.
 */
let world: World;
let office: Tenant;
let unreachable: Connection;
/** The product's API whose Temporal does not answer (a port nothing listens on). */
let temporalDownApp: Express;
let temporalDownServer: Server;
let temporalDownBase: string;

beforeAll(async () => {
  world = await startWorld({ seed: 12 });
  office = await createTenant(world.db.orm, 'Kantoor Temporal-storing');
  unreachable = Connection.lazy({ address: '127.0.0.1:9' });
  temporalDownApp = createTestApp(world.db.orm, world.env, {
    deps: world.deps,
    publicBaseUrl: world.baseUrl,
    temporal: new Client({ connection: unreachable }),
  });
  temporalDownServer = createServer(temporalDownApp).listen(0, '127.0.0.1');
  await once(temporalDownServer, 'listening');
  temporalDownBase = `http://127.0.0.1:${(temporalDownServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  temporalDownServer?.closeAllConnections();
  await new Promise((resolve) => temporalDownServer?.close(resolve) ?? resolve(undefined));
  await unreachable?.close();
  await world?.stop();
});

function startBody(kvkNumber: string) {
  return {
    flavour: 'activation-link',
    environmentId: office.mainEnvironmentId,
    bank: 'INGB',
    client: { kvkNumber, email: 'eigenaar@donald.test' },
  };
}

async function startWhileTemporalDown(kvkNumber: string) {
  return request(temporalDownApp)
    .post('/api/onboardings')
    .set('authorization', `Bearer ${office.keys.staff}`)
    .send(startBody(kvkNumber));
}

/** As if the request was long ago: the reconciler leaves young rows to the request that made them. */
async function age(id: string): Promise<void> {
  await world.db.orm.em.fork().nativeUpdate(Onboarding, { id }, { createdAt: new Date(Date.now() - 60_000) });
}

const reconcile = () =>
  startMissingOnboardingWorkflows(
    testApiServices(world.db.orm, world.env, { deps: world.deps }),
    pino({ level: 'silent' }),
  );

test('a start Temporal cannot take answers 201 "waiting for Temporal"; the reconciler starts it and it runs', async () => {
  const created = await startWhileTemporalDown('68750110');
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    status: 'preparing',
    statusReason: expect.stringMatching(/waiting for Temporal/),
  });
  const id: string = created.body.id;

  // The row is not a dead end: while it waits, staff may not resend, and a second start is refused as open.
  const resend = await request(temporalDownApp)
    .post(`/api/onboardings/${id}/resend`)
    .set('authorization', `Bearer ${office.keys.staff}`);
  expect(resend.status).toBe(409);
  expect(resend.body.detail).toMatch(/waiting for Temporal/);

  expect(await reconcile()).toBe(0);
  await age(id);
  expect(await reconcile()).toBe(1);
  const row = await world.db.orm.em.fork().findOneOrFail(Onboarding, { id });
  expect(row.workflowStartedAt).toBeInstanceOf(Date);
  await eventually(async () => {
    const status = (await world.db.orm.em.fork().findOneOrFail(Onboarding, { id })).status;
    return status === 'waiting_for_consent' ? status : undefined;
  });
  // Started once: another pass finds nothing, and the workflow's id is the row's.
  expect(await reconcile()).toBe(0);
  await expect(world.env.client.workflow.getHandle(`onboarding:${id}`).describe()).resolves.toMatchObject({
    status: { name: 'RUNNING' },
  });
});

test('a cancel before the start ends the onboarding in the database, and the reconciler leaves it alone', async () => {
  const created = await startWhileTemporalDown('69599084');
  expect(created.status).toBe(201);
  const id: string = created.body.id;

  const cancelled = await request(temporalDownApp)
    .post(`/api/onboardings/${id}/cancel`)
    .set('authorization', `Bearer ${office.keys.staff}`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({
    status: 'cancelled',
    statusReason: expect.stringMatching(/before it started/),
  });

  await age(id);
  expect(await reconcile()).toBe(0);
  await expect(world.env.client.workflow.getHandle(`onboarding:${id}`).describe()).rejects.toThrow(/not found/i);
});

test("the bank's answer Temporal cannot take now waits with its attempt; the page hands it over once when it can", async () => {
  const { onboardingId, workflowId, link } = await startActivationLinkOnboarding(world, office, {
    email: 'eigenaar@terugkeer.test',
  });
  await eventually(
    async () => (await onboardingState(world, workflowId)).status === 'waiting_for_consent' || undefined,
  );
  const client = new Visitor(world.baseUrl);
  const toBank = await client.post(link, { csrf: await client.csrf(link) });
  expect(toBank.status).toBe(303);
  const callback = await consentAtBank(new URL(toBank.headers.get('location')!), 'ing-owner', ['NL69INGB0123456789']);

  // The client comes back while Temporal is out of reach: the answer is kept, the page says it is being processed.
  const back = await client.get(`${temporalDownBase}${callback.pathname}${callback.search}`);
  expect(back.status).toBe(303);
  const outcome = back.headers.get('location')!;
  expect(outcome).toMatch(/^\/connect\/callback\?state=/);
  const waiting = await client.get(`${temporalDownBase}${outcome}`);
  expect(waiting.status).toBe(200);
  expect(await waiting.text()).toContain('<meta http-equiv="refresh" content="2">');
  const em = world.db.orm.em.fork();
  const attempt = await em.findOneOrFail(ConsentAttempt, { onboarding: onboardingId });
  expect([attempt.returnedAt, attempt.codeEncrypted]).toEqual([expect.any(Date), expect.any(String)]);
  expect((await onboardingState(world, workflowId)).status).toBe('consent_in_progress');

  // The page's next refresh reaches Temporal: the code is exchanged, once, however often the page asks.
  for (let ask = 0; ask < 2; ask += 1) {
    const done = await client.follow(`${world.baseUrl}${outcome}`);
    expect(done.response.status).toBe(200);
    expect(await done.response.text()).toContain('<h1>Gelukt</h1>');
  }
  expect(await world.db.orm.em.fork().count(Consent, { organization: office.organizationId })).toBe(1);
});

test('a serial number locked while Temporal is out of reach answers the client, and stays locked (issue 12)', async () => {
  const email = 'wizard@slot.test';
  const started = await request(temporalDownApp)
    .post('/api/onboardings')
    .set('authorization', `Bearer ${office.keys.staff}`)
    .send({ ...startBody('55505201'), flavour: 'serial', client: { kvkNumber: '55505201', email } });
  expect(started.status).toBe(201);
  await age(started.body.id);
  expect(await reconcile()).toBe(1);
  const { serial } = await serialMailedTo(world, email);

  // Five different wrong KvK numbers: the fifth locks the number, with Temporal out of reach for the page.
  const client = new Visitor(temporalDownBase);
  const wrong = ['68750110', '69599084', '68727720', '69599068', '69599076'];
  for (const [index, kvkNumber] of wrong.entries()) {
    const csrf = await client.csrf('/wizard/details');
    const answer = await client.post('/wizard/details', { csrf, kvkNumber, serial, action: 'next' });
    expect([index, answer.status, answer.headers.get('location')]).toEqual([index, 303, '/wizard/details?lang=nl']);
  }
  expect(await (await client.get('/wizard/details')).text()).toContain('Het serienummer is nu geblokkeerd');
  const csrf = await client.csrf('/wizard/details');
  await client.post('/wizard/details', { csrf, kvkNumber: '55505201', serial, action: 'next' });
  expect(await (await client.get('/wizard/details')).text()).toContain('Dit serienummer is geblokkeerd');
});

test('Temporal out of reach while staff act on a running onboarding answers 503 with Retry-After, not 500', async () => {
  const created = await request(createTestApp(world.db.orm, world.env, { deps: world.deps }))
    .post('/api/onboardings')
    .set('authorization', `Bearer ${office.keys.staff}`)
    .send(startBody('69599076'));
  expect(created.status).toBe(201);
  const cancel = await request(temporalDownApp)
    .post(`/api/onboardings/${created.body.id}/cancel`)
    .set('authorization', `Bearer ${office.keys.staff}`);
  expect(cancel.status).toBe(503);
  expect(cancel.type).toBe('application/problem+json');
  expect(cancel.headers['retry-after']).toBe('10');
  expect(cancel.body.detail).toBe('the database or Temporal does not answer right now; try again in a moment');
  const row = await world.db.orm.em.fork().findOneOrFail(Onboarding, { id: created.body.id });
  expect(row.status).not.toBe('cancelled');
});
