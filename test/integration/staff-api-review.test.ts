import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

/** The staff API's findings of the security review (issue 12 item 1), each answered over HTTP. */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Review');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('GET /api/health', () => {
  /** The same app, with a Temporal whose failure names internals a stranger should not read. */
  function appWithTemporalDown(): Express {
    const workflowService = {
      describeNamespace: () => Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233')),
    };
    const client = Object.create(env.client, { workflowService: { value: workflowService } });
    return createTestApp(db.orm, Object.create(env, { client: { value: client } }));
  }

  test('without a key it says only up or down', async () => {
    const up = await request(app).get('/api/health');
    expect([up.status, up.body]).toEqual([200, { status: 'ok' }]);
    const down = await request(appWithTemporalDown()).get('/api/health');
    expect([down.status, down.body]).toEqual([503, { status: 'unavailable' }]);
    const wrongKey = await request(appWithTemporalDown())
      .get('/api/health')
      .set(as(`bk_abcdefgh_${'x'.repeat(43)}`));
    expect([wrongKey.status, wrongKey.body]).toEqual([503, { status: 'unavailable' }]);
  });

  test('with a valid key of any role it shows each dependency, failures in words', async () => {
    const up = await request(app).get('/api/health').set(as(office.keys.support));
    expect([up.status, up.body]).toEqual([200, { status: 'ok', checks: { database: 'ok', temporal: 'ok' } }]);
    const down = await request(appWithTemporalDown()).get('/api/health').set(as(office.keys.support));
    expect([down.status, down.body]).toEqual([
      503,
      { status: 'unavailable', checks: { database: 'ok', temporal: expect.stringContaining('ECONNREFUSED') } },
    ]);
  });
});

describe('pagination cursors', () => {
  test.each([
    ['a date PostgreSQL cannot store', { c: '-010000-01-01T00:00:00.000Z', i: '00000000-0000-4000-8000-000000000000' }],
    ['year zero', { c: '0000-01-01T00:00:00.000Z', i: '00000000-0000-4000-8000-000000000000' }],
    ['an id that is not a UUID', { c: '2026-01-01T00:00:00.000Z', i: '------------------------------------' }],
    ['a number for the date', { c: 1e20, i: '00000000-0000-4000-8000-000000000000' }],
    ['null', null],
  ])('%s is a 400 naming cursor, never a 500', async (_name, decoded) => {
    for (const path of ['/api/bank-accounts', '/api/environments', '/api/bank-journals', '/api/onboardings']) {
      const res = await request(app)
        .get(`${path}?cursor=${cursorOf(decoded)}`)
        .set(as(office.keys.support));
      expect([path, res.status, res.type]).toEqual([path, 400, 'application/problem+json']);
      expect(res.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
  });
});
