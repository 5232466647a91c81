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
 * What `npm run fuzz` (Schemathesis against the running API, issue 12 item 2) found, each answered over HTTP: the
 * API answers bad input with a documented 4xx problem, and the document lists every status it answers.
 */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Fuzz');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const openApi = buildOpenApiDocument(staffRoutes, 'http://localhost:3000') as any;
const declared = (method: string, path: string) => Object.keys(openApi.paths[path][method].responses);

async function createAccount(iban: string): Promise<string> {
  const res = await request(app).post('/api/bank-accounts').set(as(office.keys.staff)).send({
    environmentId: office.mainEnvironmentId,
    journalId: office.journalId,
    name: 'Zakelijk',
    type: 'current',
    iban,
    ledgerAccount: '1100',
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('a NUL character (U+0000) in a request', () => {
  test('in a JSON field is refused with a 400 naming the field, not a 500 from PostgreSQL', async () => {
    const res = await request(app)
      .post('/api/environments')
      .set(as(office.keys.admin))
      .send({ kind: 'sub', name: 'Filiaal\u0000Oost', parentId: office.mainEnvironmentId });
    expect([res.status, res.type]).toEqual([400, 'application/problem+json']);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'contains a NUL character (U+0000)' }]);
    const list = await request(app).get('/api/environments').set(as(office.keys.admin));
    expect(list.body.items.map((environment: { name: string }) => environment.name)).not.toContain('Filiaal\u0000Oost');
  });

  test('deep in a nested body or in the query names each place', async () => {
    const accountId = await createAccount('NL91ABNA0417164300');
    const res = await request(app)
      .patch(`/api/bank-accounts/${accountId}?x=%00`)
      .set(as(office.keys.admin))
      .send({ name: 'a\u0000', ledgerAccount: '\u0000' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'ledgerAccount',
      'name',
      'x',
    ]);
  });
});

test('PATCH /api/bank-accounts/{id} to an IBAN the environment has answers a 409 its operation declares', async () => {
  await createAccount('NL02ABNA0123456789');
  const second = await createAccount('NL18RABO0123459876');
  const res = await request(app)
    .patch(`/api/bank-accounts/${second}`)
    .set(as(office.keys.admin))
    .send({ iban: 'NL02ABNA0123456789' });
  expect([res.status, res.type]).toEqual([409, 'application/problem+json']);
  expect(declared('patch', '/api/bank-accounts/{id}')).toContain('409');
});

test('a statement upload with a part without a name answers a problem whose errors each name a field', async () => {
  const accountId = await createAccount('NL20INGB0001234567');
  const boundary = 'fuzzboundary';
  const body = [
    `--${boundary}`,
    'Content-Disposition: form-data; name=""',
    '',
    'null',
    `--${boundary}`,
    'Content-Disposition: form-data; name="file"; filename="statement.sta"',
    '',
    ':20:STATEMENT',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const res = await request(app)
    .post(`/api/bank-accounts/${accountId}/statement-files`)
    .set(as(office.keys.admin))
    .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
    .send(body);
  expect([res.status, res.type]).toEqual([400, 'application/problem+json']);
  expect(res.body.errors).toEqual([{ field: 'body', message: expect.stringContaining('unexpected field') }]);
});
