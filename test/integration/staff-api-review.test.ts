import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities';
import { AuditEvent, ConnectedAccount, Connection, Onboarding, SerialNumber } from '../../db/entities';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';
import { testActivityDeps } from '../support/worker';

/** The staff API's findings of the security review (issue 12 item 1), each answered over HTTP. */
let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let deps: ActivityDeps;
let office: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  deps = testActivityDeps({ orm: db.orm, env });
  app = createTestApp(db.orm, env, { deps });
  office = await createTenant(db.orm, 'Kantoor Review');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });
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

describe('DELETE /api/bank-accounts/{id}', () => {
  const ING_IBAN = 'NL69INGB0123456789';
  /** One day of the account's statement with one booked transaction. */
  const MT940 = [
    ':940:',
    ':20:940S261124',
    `:25:${ING_IBAN}`,
    ':28C:1',
    ':60F:C261123EUR000000001500,00',
    ':61:261124C000000002500,00N541EREF',
    'NL91ABNA0417164300',
    ':86:/EREF/SAL-2026-11/BENM//NAME/WERKGEVER BV/REMI/Salaris november/',
    ':62F:C261124EUR000000004000,00',
  ].join('\r\n');

  const remove = (id: string, key: string) => request(app).delete(`/api/bank-accounts/${id}`).set(as(key));
  const stillThere = async (id: string) =>
    (await request(app).get(`/api/bank-accounts/${id}`).set(as(office.keys.support))).status === 200;

  test('is for admins only: staff and support get 403', async () => {
    const id = await createAccount('NL91ABNA0417164300');
    expect((await remove(id, office.keys.staff)).status).toBe(403);
    expect((await remove(id, office.keys.support)).status).toBe(403);
    expect(await stillThere(id)).toBe(true);
    expect((await remove(id, office.keys.admin)).status).toBe(204);
    expect(await stillThere(id)).toBe(false);
  });

  test('an account with booked transactions answers 409 and keeps them', async () => {
    const id = await createAccount(ING_IBAN);
    const uploaded = await request(app)
      .post(`/api/bank-accounts/${id}/statement-files`)
      .set(as(office.keys.staff))
      .attach('file', Buffer.from(MT940), 'ing.sta');
    expect(uploaded.body).toMatchObject({ imported: 1 });
    const res = await remove(id, office.keys.admin);
    expect([res.status, res.type]).toEqual([409, 'application/problem+json']);
    expect(res.body.detail).toContain('booked transactions');
    expect(await stillThere(id)).toBe(true);
    const statements = await request(app).get(`/api/bank-accounts/${id}/statements`).set(as(office.keys.support));
    expect(statements.body.items).toHaveLength(1);
    const audit = await db.orm.em.fork().find(AuditEvent, { subjectId: id, action: 'bank_account.deleted' });
    expect(audit).toEqual([]);
  });

  test("a connection's account answers 409 and stays connected", async () => {
    const id = await createAccount('NL44RABO0123456789');
    const em = db.orm.em.fork();
    const connection = em.create(Connection, {
      organization: office.organizationId,
      communicationEnvironment: office.mainEnvironmentId,
      clientCompany: null,
      bankCode: 'RABO',
      bankAgreement: 'RABO-1',
      consent: null,
      state: 'active',
      fetchesPerDay: 4,
      stateReason: null,
      lastFetchAt: null,
    });
    em.create(ConnectedAccount, {
      organization: office.organizationId,
      connection,
      bankAccount: id,
      environment: office.mainEnvironmentId,
      iban: 'NL44RABO0123456789',
      currency: 'EUR',
      switchOverDate: '2026-11-25',
      firstTransactionAt: null,
      lastFetchAt: null,
      lastFetchResult: null,
    });
    await em.flush();
    const res = await remove(id, office.keys.admin);
    expect([res.status, res.type]).toEqual([409, 'application/problem+json']);
    expect(res.body.detail).toContain('connected to a bank');
    expect(await db.orm.em.fork().count(ConnectedAccount, { bankAccount: id })).toBe(1);
  });
});

describe('live serial numbers', () => {
  const SERIAL = '2345-6789-ABCD';

  /** An open serial onboarding for the account's bank with a live serial number, as the workflow leaves it. */
  async function openSerialOnboarding(accountId: string): Promise<string> {
    const em = db.orm.em.fork();
    const onboarding = em.create(Onboarding, {
      organization: office.organizationId,
      flavour: 'serial',
      bankCode: 'ABNA',
      environment: office.mainEnvironmentId,
      kvkNumber: '68750110',
      clientEmail: 'eigenaar@serie.test',
      language: 'nl',
      clientCompany: null,
      accountManagerName: null,
      accountManagerEmail: null,
      bankAccountIds: [accountId],
      wizardDetails: null,
      offeredAccounts: null,
      accountChoice: null,
      status: 'waiting_for_consent',
      statusReason: null,
      workflowId: `onboarding-serial-${accountId}`,
      connection: null,
      consentDeadline: new Date(Date.now() + 86_400_000),
      firstTransactionDeadline: null,
      restartOf: null,
      createdBy: 'test',
      completedAt: null,
    });
    em.create(SerialNumber, {
      organization: office.organizationId,
      onboarding,
      numberHash: deps.tokenCipher.keyedHash('serial number', SERIAL),
      numberEncrypted: deps.tokenCipher.encrypt(SERIAL.replaceAll('-', '')),
      expiresAt: new Date(Date.now() + 86_400_000),
      lockedAt: null,
      usedAt: null,
      revokedAt: null,
    });
    await em.flush();
    return onboarding.id;
  }

  test('only staff and admin read them back; support gets null', async () => {
    const accountId = await createAccount('NL40ABNA0123456784');
    const onboardingId = await openSerialOnboarding(accountId);
    for (const [role, expected] of [
      ['admin', SERIAL],
      ['staff', SERIAL],
      ['support', null],
    ] as const) {
      const onboarding = await request(app).get(`/api/onboardings/${onboardingId}`).set(as(office.keys[role]));
      expect([role, onboarding.status, onboarding.body.serialNumber]).toEqual([role, 200, expected]);
      expect(onboarding.body.serialNumberLocked).toBe(false);
      const account = await request(app).get(`/api/bank-accounts/${accountId}`).set(as(office.keys[role]));
      expect([role, account.status, account.body.serialNumber]).toEqual([role, 200, expected]);
    }
  });

  test('the OpenAPI document says so for both fields', async () => {
    const { schemas } = (await request(app).get('/api/openapi.json')).body.components;
    for (const schema of [schemas.OnboardingDetail, schemas.BankAccountDetail]) {
      expect(schema.properties.serialNumber.description).toContain('a support key always gets null');
    }
  });
});

describe('POST /api/bank-accounts names every failing field in one answer', () => {
  const fieldsOf = (res: request.Response) =>
    res.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]).sort();
  const post = (body: object) => request(app).post('/api/bank-accounts').set(as(office.keys.staff)).send(body);

  test('a bad IBAN beside missing fields', async () => {
    const res = await post({ iban: 'NL00XXXX' });
    expect([res.status, res.type]).toEqual([400, 'application/problem+json']);
    expect(fieldsOf(res)).toEqual([
      ['environmentId', expect.any(String)],
      ['iban', expect.stringContaining('is not an IBAN')],
      ['ledgerAccount', expect.any(String)],
      ['name', expect.any(String)],
      ['type', expect.any(String)],
    ]);
    expect(res.body.detail).toContain('iban: IBAN is not an IBAN');
  });

  test('an IBAN that does not fit the type, beside a missing name', async () => {
    const cash = await post({ environmentId: office.mainEnvironmentId, type: 'cash', iban: 'NL69INGB0123456789' });
    expect(fieldsOf(cash)).toEqual([
      ['iban', 'a cash account has no IBAN'],
      ['ledgerAccount', expect.any(String)],
      ['name', expect.any(String)],
    ]);
    const current = await post({ environmentId: office.mainEnvironmentId, type: 'current', ledgerAccount: '1100' });
    expect(fieldsOf(current)).toEqual([
      ['iban', 'a current account needs an IBAN'],
      ['name', expect.any(String)],
    ]);
  });

  test('a wrong type is named once, without guessing at the IBAN rule', async () => {
    const res = await post({ type: 'boat', iban: 'NL68INGB0123456789', name: 'x' });
    expect(fieldsOf(res)).toEqual([
      ['environmentId', expect.any(String)],
      ['iban', expect.stringContaining('mod-97')],
      ['ledgerAccount', expect.any(String)],
      ['type', expect.any(String)],
    ]);
  });
});

test('a 250 KB e-mail address in a staff request is refused at once, naming the field', async () => {
  const started = Date.now();
  const res = await request(app)
    .post('/api/onboardings')
    .set(as(office.keys.staff))
    .send({
      flavour: 'serial',
      environmentId: office.mainEnvironmentId,
      bank: 'INGB',
      client: { kvkNumber: '68750110', email: `a@${'.'.repeat(250 * 1024)}@` },
      language: 'nl',
    });
  expect([res.status, res.type]).toEqual([400, 'application/problem+json']);
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('client.email');
  expect(Date.now() - started).toBeLessThan(2_000);
});
