import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApiKey, AuditEvent } from '../../db/entities';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

/** Issue 12 item 1: API keys listed, created, revoked, rotated and expired through the admin API, audited. */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;
let otherOffice: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env, { rateLimitPerMinute: 100_000 });
  office = await createTenant(db.orm, 'Kantoor Sleutels');
  otherOffice = await createTenant(db.orm, 'Kantoor Elders');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

async function keyIdOf(tenant: Tenant, name: string): Promise<string> {
  const key = await db.orm.em.fork().findOneOrFail(ApiKey, { organization: tenant.organizationId, name });
  return key.id;
}

async function createKey(tenant: Tenant, body: Record<string, unknown>) {
  return request(app).post('/api/api-keys').set(as(tenant.keys.admin)).send(body);
}

async function auditOf(subjectId: string) {
  return db.orm.em.fork().find(AuditEvent, { subjectId }, { orderBy: { at: 'asc' } });
}

describe('GET /api/api-keys', () => {
  test("lists the organization's keys without secret or hash; another office's keys are not there", async () => {
    const res = await request(app).get('/api/api-keys').set(as(office.keys.admin));
    expect(res.status).toBe(200);
    const names = res.body.items.map((item: { name: string }) => item.name);
    expect(names).toEqual(expect.arrayContaining(['admin', 'staff', 'support']));
    const otherIds = await Promise.all(['admin', 'staff', 'support'].map((name) => keyIdOf(otherOffice, name)));
    for (const item of res.body.items) expect(otherIds).not.toContain(item.id);
    const admin = res.body.items.find((item: { name: string }) => item.name === 'admin');
    expect(Object.keys(admin).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'role', 'state'].sort(),
    );
    expect(admin).toMatchObject({ role: 'admin', state: 'active', expiresAt: null, revokedAt: null });
    expect(office.keys.admin.startsWith(`bk_${admin.prefix}_`)).toBe(true);
    expect(admin.lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toContain(office.keys.admin.slice('bk_12345678_'.length));
    expect(JSON.stringify(res.body)).not.toMatch(/secretHash|[0-9a-f]{64}/);
  });

  test('is for admin keys only', async () => {
    expect((await request(app).get('/api/api-keys').set(as(office.keys.staff))).status).toBe(403);
    expect((await request(app).get('/api/api-keys').set(as(office.keys.support))).status).toBe(403);
  });
});

describe('POST /api/api-keys', () => {
  test('answers the key once; it works at once; the creation is audited with the acting key', async () => {
    const res = await createKey(office, { name: 'import script', role: 'staff', expiresAt: '2999-12-31' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'import script', role: 'staff', state: 'active', revokedAt: null });
    expect(res.body.expiresAt).toBe('2999-12-31T23:00:00.000Z');
    expect(res.body.key).toMatch(/^bk_[a-z0-9]{8}_/);
    expect((await request(app).get('/api/bank-accounts').set(as(res.body.key))).status).toBe(200);
    const listed = await request(app).get('/api/api-keys').set(as(office.keys.admin));
    const item = listed.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(item).not.toHaveProperty('key');
    const [event] = await auditOf(res.body.id);
    expect(event).toMatchObject({
      action: 'api_key.created',
      actor: `api-key:${await keyIdOf(office, 'admin')}`,
      details: expect.objectContaining({ actorLabel: 'admin', role: 'staff', name: 'import script' }),
    });
    expect(JSON.stringify(event?.details)).not.toContain(res.body.key);
  });

  test('refuses an expiry in the past and an unknown role', async () => {
    const past = await createKey(office, { name: 'late', role: 'staff', expiresAt: '2020-01-01' });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);
    expect((await createKey(office, { name: 'x', role: 'owner' })).status).toBe(400);
  });
});

describe('POST /api/api-keys/{id}/revoke', () => {
  test('a revoked key answers 401 on its very next request; the revoke is audited with the acting key', async () => {
    const created = await createKey(office, { name: 'to revoke', role: 'staff' });
    expect((await request(app).get('/api/bank-accounts').set(as(created.body.key))).status).toBe(200);
    const res = await request(app).post(`/api/api-keys/${created.body.id}/revoke`).set(as(office.keys.admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, state: 'revoked', revokedAt: expect.any(String) });
    expect((await request(app).get('/api/bank-accounts').set(as(created.body.key))).status).toBe(401);
    const again = await request(app).post(`/api/api-keys/${created.body.id}/revoke`).set(as(office.keys.admin));
    expect([again.status, again.body.revokedAt]).toEqual([200, res.body.revokedAt]);
    const events = (await auditOf(created.body.id)).map((e) => [e.action, e.actor, e.details?.actorLabel]);
    const adminActor = `api-key:${await keyIdOf(office, 'admin')}`;
    expect(events).toEqual([
      ['api_key.created', adminActor, 'admin'],
      ['api_key.revoked', adminActor, 'admin'],
    ]);
  });

  test("the organization's last admin key cannot revoke itself (409); with a second admin key it can", async () => {
    const lone = await createTenant(db.orm, 'Kantoor Alleen');
    const loneAdminId = await keyIdOf(lone, 'admin');
    const refused = await request(app).post(`/api/api-keys/${loneAdminId}/revoke`).set(as(lone.keys.admin));
    expect(refused.status).toBe(409);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.detail).toContain('last working admin key');
    expect((await request(app).get('/api/api-keys').set(as(lone.keys.admin))).status).toBe(200);

    const second = await createKey(lone, { name: 'second admin', role: 'admin' });
    const revoked = await request(app).post(`/api/api-keys/${loneAdminId}/revoke`).set(as(lone.keys.admin));
    expect(revoked.status).toBe(200);
    expect((await request(app).get('/api/api-keys').set(as(lone.keys.admin))).status).toBe(401);
    const last = await request(app).post(`/api/api-keys/${second.body.id}/revoke`).set(as(second.body.key));
    expect(last.status).toBe(409);
  });

  test("another office's key id answers 404 and that key keeps working", async () => {
    const theirs = await keyIdOf(otherOffice, 'staff');
    for (const action of ['revoke', 'rotate']) {
      const res = await request(app).post(`/api/api-keys/${theirs}/${action}`).set(as(office.keys.admin));
      expect([action, res.status, res.body.detail]).toEqual([action, 404, 'API key not found']);
    }
    expect((await request(app).get('/api/bank-accounts').set(as(otherOffice.keys.staff))).status).toBe(200);
    expect(await auditOf(theirs)).toEqual([expect.objectContaining({ action: 'api_key.created' })]);
  });
});

describe('POST /api/api-keys/{id}/rotate', () => {
  test('answers a new key with the same name, role and expiry; the old key answers 401 at once', async () => {
    const old = await createKey(office, { name: 'nightly export', role: 'support', expiresAt: '2999-06-30' });
    const res = await request(app).post(`/api/api-keys/${old.body.id}/rotate`).set(as(office.keys.admin));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'nightly export',
      role: 'support',
      expiresAt: old.body.expiresAt,
      state: 'active',
    });
    expect(res.body.id).not.toBe(old.body.id);
    expect(res.body.key).not.toBe(old.body.key);
    expect((await request(app).get('/api/bank-accounts').set(as(old.body.key))).status).toBe(401);
    expect((await request(app).get('/api/bank-accounts').set(as(res.body.key))).status).toBe(200);

    const listed = await request(app).get('/api/api-keys?limit=100').set(as(office.keys.admin));
    const oldItem = listed.body.items.find((k: { id: string }) => k.id === old.body.id);
    expect(oldItem).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    const [, rotated] = await auditOf(old.body.id);
    expect(rotated).toMatchObject({
      action: 'api_key.rotated',
      details: expect.objectContaining({ actorLabel: 'admin', replacementId: res.body.id }),
    });
    expect(await auditOf(res.body.id)).toEqual([
      expect.objectContaining({ action: 'api_key.created', details: expect.objectContaining({ actorLabel: 'admin' }) }),
    ]);

    const again = await request(app).post(`/api/api-keys/${old.body.id}/rotate`).set(as(office.keys.admin));
    expect([again.status, again.body.detail]).toEqual([409, expect.stringContaining('revoked')]);
  });

  test('an admin key may rotate itself and goes on with the new key', async () => {
    const own = await createKey(office, { name: 'rotating admin', role: 'admin' });
    const res = await request(app).post(`/api/api-keys/${own.body.id}/rotate`).set(as(own.body.key));
    expect([res.status, res.body.role]).toEqual([201, 'admin']);
    expect((await request(app).get('/api/api-keys').set(as(own.body.key))).status).toBe(401);
    expect((await request(app).get('/api/api-keys').set(as(res.body.key))).status).toBe(200);
  });
});

describe('expiry', () => {
  test('an expired key answers 401 saying that it expired, and is listed as expired', async () => {
    const created = await createKey(office, { name: 'short-lived', role: 'staff', expiresAt: '2999-01-01' });
    expect((await request(app).get('/api/bank-accounts').set(as(created.body.key))).status).toBe(200);
    await db.orm.em.fork().nativeUpdate(ApiKey, { id: created.body.id }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await request(app).get('/api/bank-accounts').set(as(created.body.key));
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/^the API key expired at \d{4}-\d{2}-\d{2}T/);
    const listed = await request(app).get('/api/api-keys?limit=100').set(as(office.keys.admin));
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      state: 'expired',
    });
    const rotate = await request(app).post(`/api/api-keys/${created.body.id}/rotate`).set(as(office.keys.admin));
    expect([rotate.status, rotate.body.detail]).toEqual([409, expect.stringContaining('expired')]);
  });

  test('an expired admin key does not count as a working admin key', async () => {
    const lone = await createTenant(db.orm, 'Kantoor Verlopen');
    const expiring = await createKey(lone, { name: 'expiring admin', role: 'admin', expiresAt: '2999-01-01' });
    await db.orm.em.fork().nativeUpdate(ApiKey, { id: expiring.body.id }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await request(app)
      .post(`/api/api-keys/${await keyIdOf(lone, 'admin')}/revoke`)
      .set(as(lone.keys.admin));
    expect(res.status).toBe(409);
  });
});

describe('the API key routes in the OpenAPI document', () => {
  test('each route lists every answer it gives; only a created or rotated key carries the secret', async () => {
    const doc = (await request(app).get('/api/openapi.json')).body;
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/api/api-keys', 'get')).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(statuses('/api/api-keys', 'post')).toEqual(['201', '400', '401', '403', '413', '415', '429', '503']);
    expect(statuses('/api/api-keys/{id}/revoke', 'post')).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '429',
      '503',
    ]);
    expect(statuses('/api/api-keys/{id}/rotate', 'post')).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '429',
      '503',
    ]);
    const { ApiKey: view, CreatedApiKey: created } = doc.components.schemas;
    expect(Object.keys(view.properties)).not.toEqual(expect.arrayContaining(['key']));
    expect(Object.keys(view.properties).join()).not.toMatch(/hash|secret/i);
    expect(created.properties.key.description).toContain('shown this once');
    for (const [name, property] of Object.entries<{ description?: string }>(view.properties)) {
      expect([name, Boolean(property.description)]).toEqual([name, true]);
    }
  });
});
