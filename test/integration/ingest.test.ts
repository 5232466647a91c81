import { BankAccount, DailyStatement, Transaction, TransactionCodeRule } from '../../db/entities';
import { OccurrenceCounter, prepareRows, type IncomingEntry, type IngestPolicy } from '../../domain/ingest';
import { ingestPage } from '../../db/ingest';
import { createTenant, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let office: Tenant;
let accountId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  office = await createTenant(db.orm, 'Kantoor Ingest');
  const em = db.orm.em.fork();
  const account = em.create(BankAccount, {
    organization: office.organizationId,
    environment: office.mainEnvironmentId,
    journal: office.journalId,
    name: 'ING',
    type: 'current',
    iban: 'NL69INGB0123456789',
    currency: 'EUR',
    ledgerAccount: '1100',
    lastCheck: null,
  });
  await em.flush();
  accountId = account.id;
});

afterAll(async () => {
  await db?.drop();
});

function entry(overrides: Partial<IncomingEntry>): IncomingEntry {
  return {
    bookingDate: '2026-11-20',
    valueDate: '2026-11-20',
    amountCents: -250,
    currency: 'EUR',
    counterpartyIban: null,
    counterpartyName: 'Koffiebar De Boon',
    endToEndId: null,
    description: 'Betaalautomaat koffie',
    bankReference: null,
    bankTransactionCode: 'PMNT/CCRD/POSD',
    booked: true,
    ...overrides,
  };
}

async function ingest(entries: IncomingEntry[], policy: IngestPolicy = { source: 'api', switchOverDate: null }) {
  const { rows, skipped } = prepareRows(entries, policy, new OccurrenceCounter());
  const result = await ingestPage(
    db.orm.em.fork(),
    { organizationId: office.organizationId, bankAccountId: accountId, source: policy.source },
    rows,
  );
  return { ...result, skipped };
}

async function transactionsOn(date: string) {
  return db.orm.em
    .fork()
    .find(Transaction, { bankAccount: accountId, bookingDate: date }, { orderBy: { occurrence: 'asc' } });
}

test('two identical coffees on one day both stay, and a repeat of the same fetch imports nothing', async () => {
  const coffees = [entry({}), entry({})];
  expect(await ingest(coffees)).toMatchObject({ imported: 2, duplicates: 0, dates: ['2026-11-20'] });
  expect(await ingest(coffees)).toMatchObject({ imported: 0, duplicates: 2, dates: [] });
  expect((await transactionsOn('2026-11-20')).map((t) => t.occurrence)).toEqual([0, 1]);
});

test('R-A16: one daily statement per booking date, only for days with mutations', async () => {
  await ingest([
    entry({ bookingDate: '2026-11-21', valueDate: '2026-11-21', bankReference: 'A1' }),
    entry({ bookingDate: '2026-11-23', valueDate: '2026-11-23', bankReference: 'A2' }),
  ]);
  const statements = await db.orm.em
    .fork()
    .find(DailyStatement, { bankAccount: accountId }, { orderBy: { date: 'asc' } });
  expect(statements.map((s) => s.date)).toEqual(['2026-11-20', '2026-11-21', '2026-11-23']);
});

test('R-A18: a later fetch appends to the same statement and reopens it when it was processed', async () => {
  const em = db.orm.em.fork();
  const statement = await em.findOneOrFail(DailyStatement, { bankAccount: accountId, date: '2026-11-21' });
  statement.status = 'processed';
  statement.processedAt = new Date();
  await em.flush();
  const result = await ingest([
    entry({ bookingDate: '2026-11-21', valueDate: '2026-11-21', bankReference: 'A3', amountCents: 10_000 }),
  ]);
  expect(result.imported).toBe(1);
  const reopened = await db.orm.em.fork().findOneOrFail(DailyStatement, { bankAccount: accountId, date: '2026-11-21' });
  expect(reopened).toMatchObject({
    status: 'in_progress',
    processedAt: null,
    transactionCount: 2,
    sumCents: 10_000 - 250,
  });
  expect(await db.orm.em.fork().count(DailyStatement, { bankAccount: accountId, date: '2026-11-21' })).toBe(1);
});

test('only booked entries are imported, and the API imports nothing before the switch-over day (R-A5, R-A14)', async () => {
  const result = await ingest(
    [
      entry({ bookingDate: '2026-11-24', valueDate: '2026-11-24', booked: false, bankReference: 'P1' }),
      entry({ bookingDate: '2026-11-19', valueDate: '2026-11-19', bankReference: 'OLD' }),
      entry({ bookingDate: '2026-11-25', valueDate: '2026-11-25', bankReference: 'NEW' }),
    ],
    { source: 'api', switchOverDate: '2026-11-25' },
  );
  expect(result).toMatchObject({ imported: 1, skipped: { pending: 1, before_switch_over: 1 }, dates: ['2026-11-25'] });
  expect(await transactionsOn('2026-11-19')).toHaveLength(0);
});

test('R-A19: a transaction-code rule books matching transactions to its ledger account at import', async () => {
  const em = db.orm.em.fork();
  em.create(TransactionCodeRule, {
    organization: office.organizationId,
    code: 'BANKKOSTEN',
    description: 'Bankkosten ING',
    bankTransactionCode: 'ACMT/MDOP/CHRG',
    counterpartyIban: null,
    descriptionContains: null,
    ledgerAccount: '4910',
    priority: 10,
  });
  await em.flush();
  await ingest([
    entry({
      bookingDate: '2026-11-26',
      valueDate: '2026-11-26',
      bankReference: 'FEE1',
      bankTransactionCode: 'ACMT/MDOP/CHRG',
      amountCents: -1_295,
      description: 'Kosten zakelijk betalen',
    }),
    entry({ bookingDate: '2026-11-26', valueDate: '2026-11-26', bankReference: 'OTHER1' }),
  ]);
  const [fee, other] = await db.orm.em
    .fork()
    .find(
      Transaction,
      { bankAccount: accountId, bankReference: { $in: ['FEE1', 'OTHER1'] } },
      { orderBy: { bankReference: 'asc' } },
    );
  expect(fee).toMatchObject({ ledgerAccount: '4910', bookedBy: 'rule' });
  expect(other).toMatchObject({ ledgerAccount: null, bookedBy: null });
});

test('R-A5 switch-over: the same payment from a statement file and from the API is imported once, by fingerprint', async () => {
  const payment = {
    bookingDate: '2026-11-27',
    valueDate: '2026-11-27',
    amountCents: 121_000,
    counterpartyIban: 'NL91ABNA0417164300',
    counterpartyName: 'Bakkerij Jansen',
    endToEndId: 'INV-2026-118',
    description: 'Factuur 2026-118',
  };
  const fromFile = await ingest([entry({ ...payment, bankReference: '0000123456789' })], {
    source: 'file',
    switchOverDate: '2026-11-27',
  });
  const fromApi = await ingest([entry({ ...payment, bankReference: 'api-9f8e7d' })], {
    source: 'api',
    switchOverDate: '2026-11-27',
  });
  expect(fromFile.imported).toBe(1);
  expect(fromApi).toMatchObject({ imported: 0, duplicates: 1 });
  expect(await transactionsOn('2026-11-27')).toHaveLength(1);
});

test('a file that sends the same page twice concurrently still imports each row once', async () => {
  const page = Array.from({ length: 50 }, (_, i) =>
    entry({ bookingDate: '2026-11-28', valueDate: '2026-11-28', bankReference: `C${i}`, amountCents: -(i + 1) }),
  );
  const results = await Promise.all([ingest(page), ingest(page), ingest(page)]);
  expect(results.reduce((sum, r) => sum + r.imported, 0)).toBe(50);
  const statement = await db.orm.em
    .fork()
    .findOneOrFail(DailyStatement, { bankAccount: accountId, date: '2026-11-28' });
  expect(statement.transactionCount).toBe(50);
  expect(statement.sumCents).toBe(-((50 * 51) / 2));
});
