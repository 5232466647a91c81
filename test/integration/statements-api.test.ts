import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ingestPage } from '../../db/ingest';
import { AuditEvent, ConnectedAccount, Connection, DailyStatement, Transaction } from '../../db/entities';
import { OccurrenceCounter, prepareRows, type IncomingEntry } from '../../domain/ingest';
import { parseStatementFile } from '../../bank-files/parse';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/bank-files');
const CAMT_MULTI = `${FIXTURES}/camt053/camt053.v2.multi.statement.xml`;
const CAMT_MINIMAL = `${FIXTURES}/camt053/camt053.v2.minimal.xml`;
/** The camt fixtures' account: the only fixture IBAN with valid check digits. */
const VAYB_IBAN = 'NL26VAYB8060476890';
const ING_IBAN = 'NL69INGB0123456789';

/**
 * Two days of an ING account around its switch-over day 2026-11-25 (R-A5): salary and rent on the 24th, two
 * identical coffees and an invoice payment on the 25th. Balances: 1500.00 -> 2750.00 -> 3955.00.
 */
const SWITCH_OVER_MT940 = [
  ':940:',
  ':20:940S261124',
  `:25:${ING_IBAN}`,
  ':28C:1',
  ':60F:C261123EUR000000001500,00',
  ':61:261124C000000002500,00N541EREF',
  'NL91ABNA0417164300',
  ':86:/EREF/SAL-2026-11/BENM//NAME/WERKGEVER BV/REMI/Salaris november/',
  ':61:261124D000000001250,00N541EREF',
  'NL02ABNA0123456789',
  ':86:/EREF/HUUR-2026-11/BENM//NAME/VASTGOED BV/REMI/Huur december/',
  ':62F:C261124EUR000000002750,00',
  ':20:940S261125',
  `:25:${ING_IBAN}`,
  ':28C:2',
  ':60F:C261124EUR000000002750,00',
  ':61:261125D000000000002,50N544NONREF',
  'NL44RABO0123456789',
  ':86:/BENM//NAME/KOFFIEBAR DE BOON/REMI/Koffie/',
  ':61:261125D000000000002,50N544NONREF',
  'NL44RABO0123456789',
  ':86:/BENM//NAME/KOFFIEBAR DE BOON/REMI/Koffie/',
  ':61:261125C000000001210,00N541EREF',
  'NL02ABNA0123456789',
  ':86:/EREF/INV-2026-118/BENM//NAME/BAKKERIJ JANSEN/REMI/Factuur 2026-118/',
  ':62F:C261125EUR000000003955,00',
].join('\r\n');

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;
let otherOffice: Tenant;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Afschriften');
  otherOffice = await createTenant(db.orm, 'Kantoor Elders');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

async function createAccount(tenant: Tenant, iban: string, name: string): Promise<string> {
  const res = await request(app).post('/api/bank-accounts').set(as(tenant.keys.staff)).send({
    environmentId: tenant.mainEnvironmentId,
    journalId: tenant.journalId,
    name,
    type: 'current',
    iban,
    ledgerAccount: '1100',
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

function upload(accountId: string, path: string, key = office.keys.staff) {
  return request(app).post(`/api/bank-accounts/${accountId}/statement-files`).set(as(key)).attach('file', path);
}

function uploadText(accountId: string, text: string, name: string) {
  return request(app)
    .post(`/api/bank-accounts/${accountId}/statement-files`)
    .set(as(office.keys.staff))
    .attach('file', Buffer.from(text), name);
}

async function transactionsOf(accountId: string) {
  return db.orm.em
    .fork()
    .find(
      Transaction,
      { bankAccount: accountId },
      { orderBy: { bookingDate: 'asc', amountCents: 'asc', source: 'asc' } },
    );
}

async function statementOn(accountId: string, date: string) {
  return db.orm.em.fork().findOneOrFail(DailyStatement, { bankAccount: accountId, date });
}

describe('statement files, daily statements and processing (camt.053 fixtures)', () => {
  let accountId: string;

  beforeAll(async () => {
    accountId = await createAccount(office, VAYB_IBAN, 'Zakelijk');
  });

  test('an uploaded file imports every entry once; the same file again imports nothing (200)', async () => {
    const first = await upload(accountId, CAMT_MULTI);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      format: 'camt.053',
      fileName: 'camt053.v2.multi.statement.xml',
      sha256: createHash('sha256').update(readFileSync(CAMT_MULTI)).digest('hex'),
      sizeBytes: readFileSync(CAMT_MULTI).length,
      statements: 2,
      entries: 2,
      imported: 2,
      duplicates: 0,
      firstDate: '2014-12-31',
      lastDate: '2014-12-31',
      dates: ['2014-12-31'],
      switchOverDate: null,
      // The fixture's entries carry no AcctSvcrRef (issue 13): the upload says how they are told apart instead.
      warnings: [253, 254].map((statement) => ({
        line: expect.any(Number),
        message: expect.stringMatching(
          new RegExp(`^1 entry of statement ${statement}EURNL26VAYB8060476890 has no bank reference \\(AcctSvcrRef\\)`),
        ),
      })),
    });

    const again = await upload(accountId, CAMT_MULTI);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, duplicates: 2, dates: [] });

    const rows = await transactionsOf(accountId);
    expect(rows.map((t) => [t.amountCents, t.source, t.description, t.counterpartyIban])).toEqual([
      [-700, 'file', 'Transaction Description 2', 'NL56AGDH9619008421'],
      [885, 'file', 'Transaction Description 1', null],
    ]);
    // Two statements of the file, both on 2014-12-31: the first's opening, the second's closing (a second page).
    expect(await statementOn(accountId, '2014-12-31')).toMatchObject({
      transactionCount: 2,
      sumCents: 185,
      openingBalanceCents: 1815,
      closingBalanceCents: 2000,
      status: 'in_progress',
    });

    const audit = await db.orm.em
      .fork()
      .find(AuditEvent, { subjectId: accountId, action: 'statement_file.imported' }, { orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.details)).toEqual([
      expect.objectContaining({
        sha256: first.body.sha256,
        fileName: 'camt053.v2.multi.statement.xml',
        sizeBytes: first.body.sizeBytes,
        imported: 2,
        duplicates: 0,
      }),
      expect.objectContaining({ sha256: first.body.sha256, imported: 0, duplicates: 2 }),
    ]);
  });

  test('R-A16: the list shows one statement per day with its counts; filters and 404s', async () => {
    const list = await request(app).get(`/api/bank-accounts/${accountId}/statements`).set(as(office.keys.support));
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [
        expect.objectContaining({
          date: '2014-12-31',
          status: 'in_progress',
          transactionCount: 2,
          unbookedCount: 2,
          sumCents: 185,
          openingBalanceCents: 1815,
          closingBalanceCents: 2000,
          processedAt: null,
        }),
      ],
      nextCursor: null,
    });
    const processed = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements?status=processed`)
      .set(as(office.keys.support));
    expect(processed.body.items).toEqual([]);
    const later = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements?dateFrom=2015-01-01`)
      .set(as(office.keys.support));
    expect(later.body.items).toEqual([]);
    const badDate = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements?dateTo=2014-13-01`)
      .set(as(office.keys.support));
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].field).toBe('dateTo');

    const none = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements/2014-12-30`)
      .set(as(office.keys.support));
    expect(none.status).toBe(404);
    expect(none.body.detail).toContain('only for days with transactions');
  });

  test('the detail pages through its transactions with limit and cursor', async () => {
    const url = `/api/bank-accounts/${accountId}/statements/2014-12-31`;
    const first = await request(app).get(`${url}?limit=1`).set(as(office.keys.support));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ date: '2014-12-31', transactionCount: 2, unbookedCount: 2, chainBreaks: [] });
    expect(first.body.transactions.items).toHaveLength(1);
    expect(first.body.transactions.nextCursor).toEqual(expect.any(String));
    const second = await request(app)
      .get(`${url}?limit=1&cursor=${first.body.transactions.nextCursor}`)
      .set(as(office.keys.support));
    expect(second.body.transactions.items).toHaveLength(1);
    expect(second.body.transactions.nextCursor).toBeNull();
    const amounts = [...first.body.transactions.items, ...second.body.transactions.items]
      .map((t: { amountCents: number }) => t.amountCents)
      .sort((a, b) => a - b);
    expect(amounts).toEqual([-700, 885]);
    expect((await request(app).get(`${url}?cursor=nonsense`).set(as(office.keys.support))).status).toBe(400);
  });

  test('R-A19, R-A18: processing waits for every booking; hand-booking with a saved rule; a later file reopens the statement', async () => {
    const processUrl = `/api/bank-accounts/${accountId}/statements/2014-12-31/process`;
    const refused = await request(app).post(processUrl).set(as(office.keys.staff));
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('2 of 2 transactions have no ledger account yet');

    const [debit, credit] = await transactionsOf(accountId);
    const bookedByHand = await request(app)
      .patch(`/api/transactions/${credit!.id}`)
      .set(as(office.keys.staff))
      .send({ ledgerAccount: '8000' });
    expect(bookedByHand.status).toBe(200);
    expect(bookedByHand.body).toMatchObject({
      id: credit!.id,
      ledgerAccount: '8000',
      bookedBy: 'hand',
      ruleId: null,
      createdRuleId: null,
    });
    expect((await request(app).post(processUrl).set(as(office.keys.staff))).body.detail).toContain(
      '1 of 2 transactions',
    );

    const withRule = await request(app)
      .patch(`/api/transactions/${debit!.id}`)
      .set(as(office.keys.staff))
      .send({ ledgerAccount: '4000', createRule: { code: 'COMPANY-2', description: 'Company Name 2' } });
    expect(withRule.status).toBe(200);
    expect(withRule.body).toMatchObject({ ledgerAccount: '4000', bookedBy: 'hand' });
    const rule = await request(app)
      .get(`/api/transaction-code-rules/${withRule.body.createdRuleId}`)
      .set(as(office.keys.support));
    expect(rule.body).toMatchObject({
      code: 'COMPANY-2',
      bankTransactionCode: '544',
      counterpartyIban: 'NL56AGDH9619008421',
      descriptionContains: null,
      ledgerAccount: '4000',
      priority: 100,
    });

    const processed = await request(app).post(processUrl).set(as(office.keys.staff));
    expect(processed.status).toBe(200);
    expect(processed.body).toMatchObject({ status: 'processed', unbookedCount: 0, processedAt: expect.any(String) });
    const late = await request(app)
      .patch(`/api/transactions/${debit!.id}`)
      .set(as(office.keys.staff))
      .send({ ledgerAccount: '4001' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('processed');

    // Another file of the same day, with one new payment from Company Name 2: the saved rule books it at import.
    const more = await upload(accountId, CAMT_MINIMAL);
    expect(more.status).toBe(201);
    expect(more.body).toMatchObject({
      imported: 1,
      duplicates: 0,
      dates: ['2014-12-31'],
      warnings: [
        expect.objectContaining({ line: 60 }),
        expect.objectContaining({ message: expect.stringContaining('has no bank reference (AcctSvcrRef)') }),
      ],
    });
    const reopened = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements/2014-12-31`)
      .set(as(office.keys.support));
    expect(reopened.body).toMatchObject({
      status: 'in_progress',
      processedAt: null,
      transactionCount: 3,
      unbookedCount: 0,
      sumCents: 1070,
      openingBalanceCents: 1815,
      closingBalanceCents: -2700,
    });
    expect(
      reopened.body.transactions.items.find(
        (t: { amountCents: number; description: string }) => t.description === '4654654654654654',
      ),
    ).toMatchObject({
      amountCents: 885,
      ledgerAccount: '4000',
      bookedBy: 'rule',
      ruleId: withRule.body.createdRuleId,
    });
    // The minimal file reports its closing balance in SEK (the parser warns); the chain check shows the break.
    expect(reopened.body.chainBreaks).toEqual([
      { date: '2014-12-31', problem: 'opening 18.15 + transactions 10.70 = 28.85, but the closing balance is -27.00' },
    ]);
    expect((await request(app).post(processUrl).set(as(office.keys.staff))).status).toBe(200);
  });

  test('a broken file is refused with the line that broke, and leaves nothing behind', async () => {
    const before = (await transactionsOf(accountId)).length;
    const knab = await upload(accountId, `${FIXTURES}/mt940/jejik-knab_broken.invalid.sta`);
    expect(knab.status).toBe(400);
    expect(knab.type).toBe('application/problem+json');
    expect(knab.body.detail).toContain('line 17: unreadable amount');
    expect(knab.body.errors).toEqual([{ field: 'file', message: expect.stringContaining('line 17') }]);
    const camt = await upload(accountId, `${FIXTURES}/camt053/camt053.v2.wrong.invalid.xml`);
    expect(camt.status).toBe(400);
    expect(camt.body.detail).toContain('line 3');
    expect(await transactionsOf(accountId)).toHaveLength(before);
  });

  test('a file for another account is refused whole, naming the IBAN it is for', async () => {
    const res = await upload(accountId, `${FIXTURES}/mt940/jejik-rabobank-iban.sta`);
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe(
      `the file is for account NL71RABO0123456789, not ${VAYB_IBAN}; upload it to the bank account with that IBAN (nothing was imported)`,
    );
  });

  test('one file of at most 20 MB, in the field "file": other shapes are refused naming the field', async () => {
    const url = `/api/bank-accounts/${accountId}/statement-files`;
    const wrongField = await request(app).post(url).set(as(office.keys.staff)).attach('document', CAMT_MULTI);
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors[0].field).toBe('document');
    const twoFiles = await request(app)
      .post(url)
      .set(as(office.keys.staff))
      .attach('file', CAMT_MULTI)
      .attach('file', CAMT_MINIMAL);
    expect(twoFiles.status).toBe(400);
    expect(twoFiles.body.errors).toEqual([{ field: 'file', message: 'send exactly one file per request' }]);
    const empty = await request(app)
      .post(url)
      .set(as(office.keys.staff))
      .set('Content-Type', 'multipart/form-data; boundary=XyZ')
      .send('--XyZ--\r\n');
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ field: 'file', message: expect.stringContaining('missing') });
    const json = await request(app).post(url).set(as(office.keys.staff)).send({ file: 'x' });
    expect(json.status).toBe(415);
    const tooLarge = await request(app)
      .post(url)
      .set(as(office.keys.staff))
      .attach('file', Buffer.alloc(20 * 1024 * 1024 + 1, 'a'), 'big.sta');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors).toEqual([{ field: 'file', message: 'larger than 20971520 bytes' }]);
  });

  test('tenant scoping: another office gets 404 for the account, its statements and transactions; support may not book', async () => {
    const [transaction] = await transactionsOf(accountId);
    const other = as(otherOffice.keys.admin);
    expect((await request(app).get(`/api/bank-accounts/${accountId}/statements`).set(other)).status).toBe(404);
    expect((await request(app).get(`/api/bank-accounts/${accountId}/statements/2014-12-31`).set(other)).status).toBe(
      404,
    );
    expect(
      (await request(app).post(`/api/bank-accounts/${accountId}/statements/2014-12-31/process`).set(other)).status,
    ).toBe(404);
    expect(
      (await request(app).patch(`/api/transactions/${transaction!.id}`).set(other).send({ ledgerAccount: '1' })).status,
    ).toBe(404);
    expect((await upload(accountId, CAMT_MULTI, otherOffice.keys.admin)).status).toBe(404);
    expect(
      (
        await request(app)
          .patch(`/api/transactions/${transaction!.id}`)
          .set(as(office.keys.support))
          .send({ ledgerAccount: '1' })
      ).status,
    ).toBe(403);
  });
});

describe('camt.053 statements without some or all balances (issue 13)', () => {
  test('imports the entries; computed balances are stored, a statement without any leaves its day without', async () => {
    const accountId = await createAccount(office, 'NL91ABNA0417164300', 'Zonder saldi');
    const res = await upload(accountId, resolve(__dirname, '../fixtures/camt053/missing-balances.xml'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ statements: 3, entries: 3, imported: 3 });
    const balances = async (date: string) => {
      const { openingBalanceCents, closingBalanceCents } = await statementOn(accountId, date);
      return [openingBalanceCents, closingBalanceCents];
    };
    expect(await balances('2024-02-01')).toEqual([10_000, 7_000]);
    expect(await balances('2024-02-02')).toEqual([7_000, 8_000]);
    expect(await balances('2024-02-03')).toEqual([null, null]);
  });
});

describe('R-A5 switch-over day: a file overlapping days the bank connection imported', () => {
  let accountId: string;
  let connectedAccountId: string;
  let fileEntries: IncomingEntry[];

  async function ingestFromApi(entries: IncomingEntry[]) {
    const { rows, skipped } = prepareRows(
      entries,
      { source: 'api', switchOverDate: '2026-11-25' },
      new OccurrenceCounter(),
    );
    const result = await ingestPage(
      db.orm.em.fork(),
      { organizationId: office.organizationId, bankAccountId: accountId, source: 'api' },
      rows,
    );
    return { ...result, skipped };
  }

  /** The same payment as the bank API lists it: its own id, the rest as in the file. */
  const viaApi = (entry: IncomingEntry, id: string): IncomingEntry => ({ ...entry, bankReference: id });

  beforeAll(async () => {
    accountId = await createAccount(office, ING_IBAN, 'ING zakelijk');
    const em = db.orm.em.fork();
    const connection = em.create(Connection, {
      organization: office.organizationId,
      communicationEnvironment: office.mainEnvironmentId,
      clientCompany: null,
      bankCode: 'INGB',
      bankAgreement: 'ING-4711',
      consent: null,
      state: 'active',
      fetchesPerDay: 6,
      stateReason: null,
      lastFetchAt: null,
    });
    const connected = em.create(ConnectedAccount, {
      organization: office.organizationId,
      connection,
      bankAccount: accountId,
      environment: office.mainEnvironmentId,
      iban: ING_IBAN,
      currency: 'EUR',
      switchOverDate: '2026-11-25',
      firstTransactionAt: null,
      lastFetchAt: null,
      lastFetchResult: null,
    });
    await em.flush();
    connectedAccountId = connected.id;
    fileEntries = (await parseStatementFile(SWITCH_OVER_MT940)).statements.flatMap((s) =>
      s.entries.map((e) => ({ ...e, booked: true })),
    );
  });

  test('the API imports from 00:00 of the switch-over day; the file adds only what the API did not have', async () => {
    const [salary, rent, coffee, , invoice] = fileEntries;
    // The morning fetch of the 25th saw one coffee and the invoice; the 24th is before the switch-over day.
    const api = await ingestFromApi([
      viaApi(salary!, 'api-1'),
      viaApi(rent!, 'api-2'),
      viaApi(coffee!, 'api-3'),
      viaApi(invoice!, 'api-4'),
    ]);
    expect(api).toMatchObject({ imported: 2, skipped: { before_switch_over: 2, pending: 0 } });

    const res = await uploadText(accountId, SWITCH_OVER_MT940, 'ing-2026-11.sta');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      format: 'mt940',
      statements: 2,
      entries: 5,
      imported: 3,
      duplicates: 2,
      dates: ['2026-11-24', '2026-11-25'],
      switchOverDate: '2026-11-25',
    });

    const rows = await transactionsOf(accountId);
    expect(rows.map((t) => [t.bookingDate, t.amountCents, t.source])).toEqual([
      ['2026-11-24', -125_000, 'file'],
      ['2026-11-24', 250_000, 'file'],
      ['2026-11-25', -250, 'api'],
      ['2026-11-25', -250, 'file'],
      ['2026-11-25', 121_000, 'api'],
    ]);
    expect(await statementOn(accountId, '2026-11-24')).toMatchObject({
      transactionCount: 2,
      sumCents: 125_000,
      openingBalanceCents: 150_000,
      closingBalanceCents: 275_000,
    });
    expect(await statementOn(accountId, '2026-11-25')).toMatchObject({
      transactionCount: 3,
      sumCents: 120_500,
      openingBalanceCents: 275_000,
      closingBalanceCents: 395_500,
    });
    const detail = await request(app)
      .get(`/api/bank-accounts/${accountId}/statements/2026-11-25`)
      .set(as(office.keys.support));
    expect(detail.body.chainBreaks).toEqual([]);
  });

  test('the file again, and a later API fetch of the whole day, import nothing: two identical coffees stay two', async () => {
    const again = await uploadText(accountId, SWITCH_OVER_MT940, 'ing-2026-11.sta');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, duplicates: 5 });
    const [, , coffee, secondCoffee, invoice] = fileEntries;
    const evening = await ingestFromApi([
      viaApi(coffee!, 'api-3'),
      viaApi(secondCoffee!, 'api-5'),
      viaApi(invoice!, 'api-4'),
    ]);
    expect(evening).toMatchObject({ imported: 0, duplicates: 3 });
    const coffees = (await transactionsOf(accountId)).filter((t) => t.amountCents === -250);
    expect(coffees.map((t) => t.occurrence)).toEqual([0, 1]);
    expect((await statementOn(accountId, '2026-11-25')).transactionCount).toBe(3);
  });

  test('an account blocked on its connection refuses files, saying why', async () => {
    const em = db.orm.em.fork();
    await em.nativeUpdate(ConnectedAccount, { id: connectedAccountId }, { blocked: true });
    const res = await uploadText(accountId, SWITCH_OVER_MT940, 'ing-2026-11.sta');
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(`${ING_IBAN} is blocked on its bank connection`);
    await em.nativeUpdate(ConnectedAccount, { id: connectedAccountId }, { blocked: false });
  });

  test("ingest inside a caller's transaction is undone with it: what an upload relies on for all or nothing", async () => {
    const before = (await transactionsOf(accountId)).length;
    const entry = { ...fileEntries[0]!, bookingDate: '2026-11-26', valueDate: '2026-11-26' };
    const { rows } = prepareRows([entry], { source: 'file', switchOverDate: null }, new OccurrenceCounter());
    await expect(
      db.orm.em.fork().transactional(async (tx) => {
        await ingestPage(tx, { organizationId: office.organizationId, bankAccountId: accountId, source: 'file' }, rows);
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    expect(await transactionsOf(accountId)).toHaveLength(before);
    expect(await db.orm.em.fork().count(DailyStatement, { bankAccount: accountId, date: '2026-11-26' })).toBe(0);
  });
});

describe('R-A19 transaction-code rules', () => {
  const rulesUrl = '/api/transaction-code-rules';

  test('create, read, list, change and delete; the code is unique per office', async () => {
    const staff = as(office.keys.staff);
    const created = await request(app).post(rulesUrl).set(staff).send({
      code: 'BANKKOSTEN',
      description: 'Bankkosten ING',
      bankTransactionCode: 'ACMT/MDOP/CHRG',
      ledgerAccount: '4910',
      priority: 10,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'BANKKOSTEN',
      bankTransactionCode: 'ACMT/MDOP/CHRG',
      counterpartyIban: null,
      descriptionContains: null,
      ledgerAccount: '4910',
      priority: 10,
    });

    const duplicate = await request(app)
      .post(rulesUrl)
      .set(staff)
      .send({ code: 'BANKKOSTEN', description: 'Dubbel', descriptionContains: 'kosten', ledgerAccount: '4910' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([
      { field: 'code', message: 'another rule already has the code "BANKKOSTEN"' },
    ]);
    const nothingToMatch = await request(app)
      .post(rulesUrl)
      .set(staff)
      .send({ code: 'LEEG', description: 'Leeg', ledgerAccount: '4000' });
    expect(nothingToMatch.status).toBe(400);
    expect(nothingToMatch.body.errors[0].field).toBe('bankTransactionCode');
    const badIban = await request(app)
      .post(rulesUrl)
      .set(staff)
      .send({ code: 'IBAN', description: 'Huur', counterpartyIban: 'NL03ABNA0123456789', ledgerAccount: '4100' });
    expect(badIban.status).toBe(400);
    expect(badIban.body.errors[0].field).toBe('counterpartyIban');

    const huur = await request(app)
      .post(rulesUrl)
      .set(staff)
      .send({ code: 'HUUR', description: 'Huur', counterpartyIban: 'nl02 abna 0123 4567 89', ledgerAccount: '4100' });
    expect(huur.body.counterpartyIban).toBe('NL02ABNA0123456789');
    const changed = await request(app)
      .patch(`${rulesUrl}/${created.body.id}`)
      .set(staff)
      .send({ ledgerAccount: '4915' });
    expect(changed.status).toBe(200);
    expect(changed.body.ledgerAccount).toBe('4915');
    const clash = await request(app).patch(`${rulesUrl}/${created.body.id}`).set(staff).send({ code: 'HUUR' });
    expect(clash.status).toBe(409);
    expect(clash.body.errors[0].field).toBe('code');

    const list = await request(app).get(`${rulesUrl}?limit=100`).set(as(office.keys.support));
    expect(list.body.items.map((r: { code: string }) => r.code)).toEqual(
      expect.arrayContaining(['BANKKOSTEN', 'HUUR']),
    );
    expect((await request(app).get(`${rulesUrl}/${created.body.id}`).set(as(otherOffice.keys.admin))).status).toBe(404);
    expect((await request(app).delete(`${rulesUrl}/${created.body.id}`).set(staff)).status).toBe(204);
    expect((await request(app).get(`${rulesUrl}/${created.body.id}`).set(staff)).status).toBe(404);
  });

  test('CSV export and import: quoting, no formulas, and the same rules in another office', async () => {
    const source = await createTenant(db.orm, 'Kantoor CSV');
    const target = await createTenant(db.orm, 'Kantoor Import');
    for (const rule of [
      {
        code: 'HUUR',
        description: 'Huur, kantoor "Noord"\nmaandelijks',
        counterpartyIban: 'NL02ABNA0123456789',
        ledgerAccount: '4100',
        priority: 20,
      },
      {
        code: 'FORMULE',
        description: '=HYPERLINK("http://evil")',
        descriptionContains: '+31 6',
        ledgerAccount: '4999',
      },
      { code: 'KOSTEN', description: '-korting', bankTransactionCode: 'ACMT/MDOP/CHRG', ledgerAccount: '4910' },
    ]) {
      expect((await request(app).post(rulesUrl).set(as(source.keys.staff)).send(rule)).status).toBe(201);
    }
    const exported = await request(app).get(`${rulesUrl}/export`).set(as(source.keys.support)).buffer(true);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(exported.text).toBe(
      'code,description,bankTransactionCode,counterpartyIban,descriptionContains,ledgerAccount,priority\r\n' +
        'FORMULE,"\'=HYPERLINK(""http://evil"")",,,\'+31 6,4999,100\r\n' +
        'HUUR,"Huur, kantoor ""Noord""\nmaandelijks",,NL02ABNA0123456789,,4100,20\r\n' +
        "KOSTEN,'-korting,ACMT/MDOP/CHRG,,,4910,100\r\n",
    );

    const importCsv = (tenant: Tenant, csv: string) =>
      request(app).post(`${rulesUrl}/import`).set(as(tenant.keys.staff)).set('Content-Type', 'text/csv').send(csv);
    const imported = await importCsv(target, exported.text);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const reExported = await request(app).get(`${rulesUrl}/export`).set(as(target.keys.support)).buffer(true);
    expect(reExported.text).toBe(exported.text);
    const formula = (await request(app).get(`${rulesUrl}?limit=100`).set(as(target.keys.support))).body.items.find(
      (r: { code: string }) => r.code === 'FORMULE',
    );
    expect(formula).toMatchObject({ description: '=HYPERLINK("http://evil")', descriptionContains: '+31 6' });

    expect((await importCsv(target, exported.text)).body).toEqual({ created: 0, updated: 0, unchanged: 3 });
    const semicolons =
      'code;description;descriptionContains;ledgerAccount\r\nKOSTEN;-korting;kosten;4911\r\nNIEUW;Nieuw;contributie;4300\r\n';
    expect((await importCsv(target, semicolons)).body).toEqual({ created: 1, updated: 1, unchanged: 0 });
  });

  test('one bad row refuses the whole CSV, naming row and column; nothing is written', async () => {
    const tenant = await createTenant(db.orm, 'Kantoor Fout');
    const csv =
      'code,description,bankTransactionCode,ledgerAccount\nGOED,Goed,N541,4000\nFOUT,Fout,N544,grootboek 4000\nGOED,Dubbel,N541,4001\n';
    const res = await request(app)
      .post(`${rulesUrl}/import`)
      .set(as(tenant.keys.staff))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'row 3, ledgerAccount', message: 'letters, digits, . and - only' },
      { field: 'row 4, code', message: '"GOED" is already on row 2' },
    ]);
    expect((await request(app).get(rulesUrl).set(as(tenant.keys.support))).body.items).toEqual([]);

    const unknownColumn = await request(app)
      .post(`${rulesUrl}/import`)
      .set(as(tenant.keys.staff))
      .set('Content-Type', 'text/csv')
      .send('code,description,ledgerAccount,kleur\n');
    expect(unknownColumn.body.errors).toEqual([
      { field: 'row 1, column 4', message: expect.stringContaining('unknown column "kleur"') },
    ]);
    const unclosed = await request(app)
      .post(`${rulesUrl}/import`)
      .set(as(tenant.keys.staff))
      .set('Content-Type', 'text/csv')
      .send('code,description,ledgerAccount\nA,"open,4000\n');
    expect(unclosed.body.errors).toEqual([{ field: 'row 2', message: 'a quoted cell is never closed' }]);
    const json = await request(app).post(`${rulesUrl}/import`).set(as(tenant.keys.staff)).send({ csv: 'x' });
    expect(json.status).toBe(415);
  });

  test('the OpenAPI document describes the upload and the CSV endpoints', async () => {
    const doc = (await request(app).get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/bank-accounts/{id}/statement-files'].post.requestBody.content)).toEqual([
      'multipart/form-data',
    ]);
    expect(doc.paths['/api/transaction-code-rules/import'].post.requestBody.content['text/csv']).toBeDefined();
    expect(doc.paths['/api/transaction-code-rules/export'].get.responses['200'].content['text/csv']).toBeDefined();
  });
});
