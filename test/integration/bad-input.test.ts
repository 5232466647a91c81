import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { staffRoutes } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';
import { createTestApp } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';
import { createTenant, type Tenant } from '../support/tenant';

/**
 * Every staff endpoint, fed garbage: malformed ids, another tenant's ids, broken and wrongly typed bodies, junk
 * query strings. Each answer must be a 4xx problem+json, never a 500 (issue 3 "Done when").
 */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;
let other: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  // Every route is asked a few dozen times; the limit is for people, and would answer most of them with a 429.
  app = createTestApp(db.orm, env, { rateLimitPerMinute: 100_000 });
  office = await createTenant(db.orm, 'Kantoor Invoer');
  other = await createTenant(db.orm, 'Kantoor Ander');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const GARBAGE_BODIES: [string, string][] = [
  ['application/json', '{"unclosed": '],
  ['application/json', '[]'],
  ['application/json', '"a string"'],
  ['application/json', '{"environmentId": 12, "name": {}, "type": [], "iban": true, "kvkNumber": null}'],
  ['text/plain', 'hello'],
];

function pathWith(template: string, id: string): string {
  return `/api${template.replace(/\{[^}]+\}/g, (name) => (name === '{date}' ? '2026-13-45' : id))}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const openApi = buildOpenApiDocument(staffRoutes, 'http://localhost:3000') as any;

/** What the OpenAPI document promises this route answers; a client generated from it must know every status. */
function declaredStatuses(route: (typeof staffRoutes)[number]): string[] {
  return Object.keys(openApi.paths[`/api${route.path}`][route.method].responses);
}

const named = staffRoutes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const);

test.each(named)('%s answers garbage with a 4xx problem its OpenAPI operation declares', async (_name, route) => {
  const key = { Authorization: `Bearer ${office.keys.admin}` };
  const declared = declaredStatuses(route);
  const attempts: request.Test[] = [];
  for (const id of ['not-a-uuid', other.mainEnvironmentId, "1' OR '1'='1"]) {
    const path = pathWith(route.path, encodeURIComponent(id));
    attempts.push(
      request(app)[route.method](`${path}?limit=abc&cursor=%00%ff&status=nope&dateFrom=yesterday`).set(key),
    );
    for (const [type, body] of GARBAGE_BODIES)
      attempts.push(request(app)[route.method](path).set(key).set('Content-Type', type).send(body));
  }
  for (const attempt of attempts) {
    const res = await attempt;
    const seen = { route: `${route.method} ${route.path}`, status: res.status, type: res.type };
    if (res.status < 400) {
      // Some GETs ignore junk they do not read; they must still not fail. Writes never succeed on garbage.
      expect(route.method).toBe('get');
      continue;
    }
    expect(seen).toEqual({ ...seen, status: expect.any(Number), type: 'application/problem+json' });
    expect(res.status).toBeLessThan(500);
    expect({ ...seen, declared: declared.includes(String(res.status)) }).toEqual({ ...seen, declared: true });
  }
});

test.each(named)('%s declares the 401, 403 and 429 it gives', async (_name, route) => {
  const path = pathWith(route.path, office.mainEnvironmentId);
  const declared = declaredStatuses(route);
  expect((await request(app)[route.method](path)).status).toBe(401);
  expect(declared).toEqual(expect.arrayContaining(['401', '429']));
  const refused = await request(app)
    [route.method](path)
    .set({ Authorization: `Bearer ${office.keys.support}` });
  if (route.permission === 'read') expect(declared).not.toContain('403');
  else expect([refused.status, declared.includes('403')]).toEqual([403, true]);
});
