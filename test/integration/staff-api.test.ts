import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AuditEvent, BankAccount } from '../../db/entities';
import { currentStep, ONBOARDING_FLAVOURS, ONBOARDING_STATUSES } from '../../domain/onboarding';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';
import { createTestWorker, testActivityDeps } from '../support/worker';

const ING_IBAN = 'NL69INGB0123456789';
const RABO_IBAN = 'NL44RABO0123456789';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;
let otherOffice: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Noord');
  otherOffice = await createTenant(db.orm, 'Kantoor Zuid');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

async function createAccount(tenant: Tenant, body: Record<string, unknown>) {
  return request(app)
    .post('/api/bank-accounts')
    .set(as(tenant.keys.staff))
    .send({
      environmentId: tenant.mainEnvironmentId,
      journalId: tenant.journalId,
      name: 'Zakelijk',
      type: 'current',
      ledgerAccount: '1100',
      ...body,
    });
}

describe('authentication and roles', () => {
  test('a request without a key gets 401 problem+json', async () => {
    const res = await request(app).get('/api/bank-accounts');
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  test('a made-up key in the right format gets 401', async () => {
    const res = await request(app)
      .get('/api/bank-accounts')
      .set(as(`bk_abcdefgh_${'x'.repeat(43)}`));
    expect(res.status).toBe(401);
  });

  test('support may read but not write (403 names the role)', async () => {
    expect((await request(app).get('/api/bank-accounts').set(as(office.keys.support))).status).toBe(200);
    const res = await createAccount(
      { ...office, keys: { ...office.keys, staff: office.keys.support } },
      { iban: RABO_IBAN },
    );
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('support');
  });

  test('staff may not create environments; admin may', async () => {
    const body = { name: 'Filiaal', kind: 'sub', parentId: office.mainEnvironmentId };
    expect((await request(app).post('/api/environments').set(as(office.keys.staff)).send(body)).status).toBe(403);
    const res = await request(app).post('/api/environments').set(as(office.keys.admin)).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'sub',
      parentId: office.mainEnvironmentId,
      communicationEnvironmentId: office.mainEnvironmentId,
    });
  });
});

describe('bank accounts', () => {
  test('create, read, list, change and delete a current account', async () => {
    const created = await createAccount(office, { iban: 'nl69 ingb 0123 4567 89', name: 'ING zakelijk' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      iban: ING_IBAN,
      type: 'current',
      currency: 'EUR',
      ledgerAccount: '1100',
      connectionStatus: 'none',
      connectable: true,
      problems: [],
    });

    const shown = await request(app).get(`/api/bank-accounts/${created.body.id}`).set(as(office.keys.support));
    expect(shown.body.name).toBe('ING zakelijk');

    const changed = await request(app)
      .patch(`/api/bank-accounts/${created.body.id}`)
      .set(as(office.keys.staff))
      .send({ ledgerAccount: '1110' });
    expect(changed.status).toBe(200);
    expect(changed.body.ledgerAccount).toBe('1110');

    const list = await request(app).get('/api/bank-accounts').set(as(office.keys.support));
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);

    expect((await request(app).delete(`/api/bank-accounts/${created.body.id}`).set(as(office.keys.admin))).status).toBe(
      204,
    );
    expect((await request(app).get(`/api/bank-accounts/${created.body.id}`).set(as(office.keys.staff))).status).toBe(
      404,
    );
    const audit = await db.orm.em.fork().find(AuditEvent, { subjectId: created.body.id }, { orderBy: { at: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual([
      'bank_account.created',
      'bank_account.changed',
      'bank_account.deleted',
    ]);
  });

  test('an IBAN with wrong check digits is refused, naming the field (mod-97)', async () => {
    const res = await createAccount(office, { iban: 'NL68INGB0123456789' });
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'iban', message: expect.stringContaining('mod-97') }]);
  });

  test('R-V1: a cash account can be created but is never connectable', async () => {
    const res = await createAccount(office, { type: 'cash', iban: null, name: 'Kas', ledgerAccount: '1000' });
    expect(res.status).toBe(201);
    expect(res.body.connectable).toBe(false);
    expect(res.body.problems).toEqual([expect.stringContaining('cash account can never be connected')]);
  });

  test('R-A4: an account without a bank journal is flagged', async () => {
    const res = await createAccount(office, { iban: 'NL91ABNA0417164300', journalId: null });
    expect(res.status).toBe(201);
    expect(res.body.connectable).toBe(false);
    expect(res.body.problems).toEqual([expect.stringContaining('not linked to a bank journal (R-A4)')]);
  });

  test('the same IBAN twice in one environment is a 409 naming iban', async () => {
    await createAccount(office, { iban: 'NL02ABNA0123456789' });
    const again = await createAccount(office, { iban: 'NL02ABNA0123456789' });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('iban');
  });

  test('bad input on every endpoint is a 4xx problem, never a 500', async () => {
    const cases: [string, string, unknown][] = [
      ['post', '/api/bank-accounts', { type: 'checking' }],
      ['post', '/api/bank-accounts', 'not json'],
      [
        'post',
        '/api/bank-accounts',
        {
          environmentId: office.mainEnvironmentId,
          name: 'x',
          type: 'current',
          ledgerAccount: '1100',
          iban: ING_IBAN,
          currency: 'euro',
        },
      ],
      [
        'post',
        '/api/bank-accounts',
        {
          environmentId: office.mainEnvironmentId,
          name: 'x',
          type: 'current',
          ledgerAccount: '1100',
          iban: RABO_IBAN,
          extra: 1,
        },
      ],
      ['patch', '/api/bank-accounts/not-a-uuid', { name: 'x' }],
      ['get', '/api/bank-accounts/not-a-uuid', undefined],
      ['get', '/api/bank-accounts?limit=0', undefined],
      ['get', '/api/bank-accounts?cursor=garbage', undefined],
      ['get', '/api/bank-accounts?type=boat', undefined],
      ['post', '/api/bank-accounts/00000000-0000-4000-8000-000000000000/check', undefined],
      ['post', '/api/environments', { name: '', kind: 'main' }],
      ['post', '/api/environments', { name: 'Sub zonder hoofd', kind: 'sub' }],
      ['get', '/api/environments?kind=other', undefined],
      ['post', '/api/bank-journals', { environmentId: office.mainEnvironmentId, code: 'a b', name: 'x' }],
      ['get', '/api/bank-journals/123', undefined],
      ['get', '/api/no-such-endpoint', undefined],
    ];
    for (const [method, path, body] of cases) {
      let req = request(app)[method as 'get'](path).set(as(office.keys.admin));
      if (typeof body === 'string') req = req.set('Content-Type', 'application/json').send(body);
      else if (body !== undefined) req = req.send(body as object);
      const res = await req;
      expect({ method, path, status: res.status, type: res.type }).toEqual({
        method,
        path,
        status: expect.any(Number),
        type: 'application/problem+json',
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  test('validation errors name each failing field', async () => {
    const res = await request(app)
      .post('/api/bank-accounts')
      .set(as(office.keys.staff))
      .send({ type: 'checking', currency: 'euro' });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['currency', 'environmentId', 'ledgerAccount', 'name', 'type']);
  });

  test('cursor pagination returns every account exactly once', async () => {
    const tenant = await createTenant(db.orm, 'Kantoor Paginering');
    const ibans = [
      'NL18RABO0123459876',
      'NL20INGB0001234567',
      'NL40ABNA0123456784',
      'NL61RABO0101010101',
      'NL44RABO0123456789',
    ];
    const created: string[] = [];
    for (const iban of ibans) {
      const res = await createAccount(tenant, { iban });
      if (res.status !== 201) created.push(`failed ${iban}: ${JSON.stringify(res.body)}`);
      else created.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(app)
        .get(`/api/bank-accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(tenant.keys.support));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });
});

describe('tenant scoping', () => {
  test("another office's account, environment and journal answer 404", async () => {
    const theirs = await createAccount(otherOffice, { iban: 'NL39RABO0300065264' });
    expect(theirs.status).toBe(201);
    const mine = as(office.keys.admin);
    expect((await request(app).get(`/api/bank-accounts/${theirs.body.id}`).set(mine)).status).toBe(404);
    expect(
      (await request(app).patch(`/api/bank-accounts/${theirs.body.id}`).set(mine).send({ name: 'gekaapt' })).status,
    ).toBe(404);
    expect((await request(app).delete(`/api/bank-accounts/${theirs.body.id}`).set(mine)).status).toBe(404);
    expect((await request(app).post(`/api/bank-accounts/${theirs.body.id}/check`).set(mine)).status).toBe(404);
    expect((await request(app).get(`/api/environments/${otherOffice.mainEnvironmentId}`).set(mine)).status).toBe(404);
    expect((await request(app).get(`/api/bank-journals/${otherOffice.journalId}`).set(mine)).status).toBe(404);
    const usingTheirEnvironment = await createAccount(
      { ...office, mainEnvironmentId: otherOffice.mainEnvironmentId },
      { iban: 'NL39RABO0300065264' },
    );
    expect(usingTheirEnvironment.status).toBe(404);
    expect(usingTheirEnvironment.body.errors[0].field).toBe('environmentId');
    const list = await request(app).get('/api/bank-accounts').set(mine);
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(theirs.body.id);
    const stillThere = await request(app).get(`/api/bank-accounts/${theirs.body.id}`).set(as(otherOffice.keys.support));
    expect(stillThere.body.name).toBe('Zakelijk');
  });
});

describe('health and OpenAPI', () => {
  test('GET /api/health is 200 when the database and Temporal answer', async () => {
    const res = await request(app).get('/api/health').set(as(office.keys.support));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', temporal: 'ok' } });
  });

  test('the OpenAPI 3.1 document lists every route with its schemas', async () => {
    const res = await request(app).get('/api/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/bank-accounts',
        '/api/bank-accounts/{id}',
        '/api/bank-accounts/{id}/check',
        '/api/environments',
        '/api/bank-journals',
      ]),
    );
    expect(res.body.components.schemas.CreateBankAccount.required).toEqual(
      expect.arrayContaining(['environmentId', 'name', 'type', 'ledgerAccount']),
    );
  });

  test('/api/docs is Swagger UI from our own origin: no CDN, no inline script, a CSP of our scripts only', async () => {
    const docs = await request(app).get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.type).toBe('text/html');
    const scripts = [...docs.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    const sources = scripts.map(([, attributes]) => /src="([^"]+)"/.exec(attributes!)?.[1]);
    expect(sources).toEqual(['/api/docs/assets/swagger-ui-bundle.js', '/api/docs/start.js']);
    expect(scripts.map(([, , body]) => body!.trim())).toEqual(['', '']);
    expect(docs.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const csp = docs.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-eval');

    const start = await request(app).get('/api/docs/start.js');
    expect([start.status, start.type]).toEqual([200, 'text/javascript']);
    expect(start.text).toContain("url: '/api/openapi.json'");
    const bundle = await request(app).get('/api/docs/assets/swagger-ui-bundle.js');
    expect([bundle.status, bundle.type]).toEqual([200, 'text/javascript']);
    expect(bundle.text).toContain('SwaggerUIBundle');
    const css = await request(app).get('/api/docs/assets/swagger-ui.css');
    expect([css.status, css.type]).toEqual([200, 'text/css']);
    // Only the files the page loads: not the package's demo page, nor anything beside it.
    for (const other of ['index.html', 'swagger-initializer.js', '..%2Fpackage.json', '..%2F..%2Fpackage.json']) {
      const answer = await request(app).get(`/api/docs/assets/${other}`);
      expect([other, answer.status, answer.type]).toEqual([other, 404, 'application/problem+json']);
    }
  });
});

describe('the onboarding routes in the OpenAPI document (issue 10 item 7)', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Schema = any;
  let doc: Schema;
  beforeAll(async () => {
    doc = (await request(app).get('/api/openapi.json')).body;
  });
  const resolve = (schema: Schema): Schema =>
    schema?.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;

  /** Every property, however deep, with no words for the reader. */
  function undocumented(schema: Schema, path: string): string[] {
    const resolved = resolve(schema);
    const found: string[] = [];
    for (const [name, property] of Object.entries<Schema>(resolved?.properties ?? {})) {
      if (!property.description && !resolve(property).description) found.push(`${path}.${name}`);
      found.push(...undocumented(property, `${path}.${name}`));
    }
    if (resolved?.items) found.push(...undocumented(resolved.items, `${path}[]`));
    return found;
  }

  test('every field of every onboarding schema and parameter says what it is', () => {
    for (const name of ['CreateOnboarding', 'Onboarding', 'OnboardingDetail', 'OnboardingList']) {
      expect([name, undocumented(doc.components.schemas[name], name)]).toEqual([name, []]);
    }
    for (const [path, operations] of Object.entries<Schema>(doc.paths)) {
      if (!path.startsWith('/api/onboardings')) continue;
      for (const [method, operation] of Object.entries<Schema>(operations)) {
        for (const parameter of operation.parameters ?? []) {
          const described = Boolean(parameter.description ?? parameter.schema?.description);
          expect([method, path, parameter.name, described]).toEqual([method, path, parameter.name, true]);
        }
      }
    }
  });

  test('every status and currentStep value is listed and explained', () => {
    const view = doc.components.schemas.Onboarding.properties;
    expect(view.status.enum).toEqual([...ONBOARDING_STATUSES]);
    for (const status of ONBOARDING_STATUSES) expect(view.status.description).toContain(`\`${status}\`: `);
    expect(view.currentStep.enum).toEqual(expect.arrayContaining(ONBOARDING_STATUSES.map(currentStep)));
    for (const step of view.currentStep.enum) expect(view.currentStep.description).toContain(`\`${step}\`: `);
  });

  test('starting shows both flavours as examples, request and answer', () => {
    const post = doc.paths['/api/onboardings'].post;
    const requests = post.requestBody.content['application/json'].examples;
    const answers = post.responses['201'].content['application/json'].examples;
    for (const flavour of ONBOARDING_FLAVOURS) {
      expect(requests[flavour].value.flavour).toBe(flavour);
      expect(answers[flavour].value).toMatchObject({ flavour, status: 'preparing', currentStep: 'prepare' });
    }
  });

  test('each onboarding route lists every answer it gives, errors as problem+json', () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/api/onboardings', 'post')).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '503',
    ]);
    expect(statuses('/api/onboardings', 'get')).toEqual(['200', '400', '401', '429', '503']);
    expect(statuses('/api/onboardings/{id}', 'get')).toEqual(['200', '400', '401', '404', '429', '503']);
    for (const action of ['cancel', 'resend']) {
      const answers = ['200', '400', '401', '403', '404', '409', '429', '503'];
      expect(statuses(`/api/onboardings/{id}/${action}`, 'post')).toEqual(answers);
    }
    expect(statuses('/api/onboardings/{id}/restart', 'post')).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '422',
      '429',
      '503',
    ]);
    const refused = doc.paths['/api/onboardings'].post.responses['422'];
    expect(Object.keys(refused.content)).toEqual(['application/problem+json']);
    expect(refused.description).toContain('bankAccountIds.N');
    expect(refused.description).toContain('client.kvkNumber');
  });
});

describe('workflow round trip: API -> Temporal dev server -> worker -> PostgreSQL -> API', () => {
  test('checking an account runs the account-check workflow, which records the result on the account', async () => {
    const worker = await createTestWorker(env, testActivityDeps({ orm: db.orm, env }));
    const account = await createAccount(office, { iban: 'NL80RABO0107936917', journalId: null });
    const res = await worker.runUntil(
      request(app).post(`/api/bank-accounts/${account.body.id}/check`).set(as(office.keys.staff)),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connectable: false, problems: [expect.stringContaining('R-A4')] });

    const stored = await db.orm.em.fork().findOneOrFail(BankAccount, { id: account.body.id });
    expect(stored.lastCheck).toEqual(res.body);
    const history = await env.client.workflow.getHandle(`bank-account:${account.body.id}:check`).fetchHistory();
    expect(history.events?.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
  });
});
