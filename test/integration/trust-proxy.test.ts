import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestApp } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingEnvironment } from '../support/temporal';

/**
 * Behind a TLS proxy every request comes from the proxy's address: rate limits must key on the client the proxy
 * names (X-Forwarded-For), but only as many hops as TRUST_PROXY says, so a client cannot pick its own bucket.
 */
let db: TestDatabase;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), timeSkippingEnvironment()]);
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

async function statuses(app: Express, forwardedFor: string, count: number): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < count; i++) {
    answers.push((await request(app).get('/api/environments').set('X-Forwarded-For', forwardedFor)).status);
  }
  return answers;
}

test('with TRUST_PROXY=1 each client behind the proxy has its own rate-limit bucket', async () => {
  const app = createTestApp(db.orm, env, { rateLimitPerMinute: 2, trustProxyHops: 1 });
  expect(await statuses(app, '203.0.113.7', 3)).toEqual([401, 401, 429]);
  expect(await statuses(app, '198.51.100.9', 1)).toEqual([401]);
});

test('without TRUST_PROXY the forwarded address is ignored: a client cannot choose a fresh bucket', async () => {
  const app = createTestApp(db.orm, env, { rateLimitPerMinute: 2 });
  expect(await statuses(app, '203.0.113.7', 3)).toEqual([401, 401, 429]);
  expect(await statuses(app, '198.51.100.9', 1)).toEqual([429]);
});
