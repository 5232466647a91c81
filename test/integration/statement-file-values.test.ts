import request from 'supertest';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Transaction } from '../../db/entities';
import { createTenant, createTestApp, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

/*
 * Issue 12: values in an uploaded statement file that do not fit the database are fitted by the rule of
 * domain/value-limits.ts before ingest (free text truncated with a warning, an identifier that cannot fit refused
 * naming its line, NUL removed), so no upload answers 500 and no upload is half-written.
 */

const IBAN = 'NL69INGB0123456789';
const SQL_WORDS = /INSERT|SELECT|unnest|bank_transaction|\$\d|\?::/i;

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let app: Express;
let office: Tenant;
let accountId: string;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  app = createTestApp(db.orm, env);
  office = await createTenant(db.orm, 'Kantoor Lange Waarden');
  const res = await request(app).post('/api/bank-accounts').set(as(office.keys.staff)).send({
    environmentId: office.mainEnvironmentId,
    journalId: office.journalId,
    name: 'Zakelijk',
    type: 'current',
    iban: IBAN,
    ledgerAccount: '1100',
  });
  expect(res.status).toBe(201);
  accountId = res.body.id;
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

function uploadText(text: string, name: string) {
  return request(app)
    .post(`/api/bank-accounts/${accountId}/statement-files`)
    .set(as(office.keys.staff))
    .attach('file', Buffer.from(text, 'utf8'), name);
}

async function stored() {
  return db.orm.em.fork().find(Transaction, { bankAccount: accountId }, { orderBy: { description: 'asc' } });
}

/** An MT940 day of credits of one euro each, its balances closing; `lines` are each entry's :61: and :86: lines. */
function mt940(day: string, entries: string[][]): string {
  const closing = `${entries.length},00`.padStart(15, '0');
  return [
    ':20:STMT' + day,
    `:25:${IBAN}`,
    ':28C:1',
    `:60F:C${day}EUR000000000000,00`,
    ...entries.flat(),
    `:62F:C${day}EUR${closing}`,
  ].join('\r\n');
}

function credit(day: string, reference: string, remittance: string): string[] {
  return [`:61:${day}C1,00NTRFNONREF//${reference}`, `:86:/EREF/${reference}/REMI/${remittance}/`];
}

/** A camt.053 day of one-euro credits; each entry is given its debtor's name and IBAN. */
function camt(entries: { name: string; iban: string; reference: string }[]): string {
  const balance = (code: string, cents: number) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${(cents / 100).toFixed(2)}</Amt>` +
    '<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>';
  const ntry = (e: { name: string; iban: string; reference: string }) =>
    [
      '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>',
      '<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>',
      `<AcctSvcrRef>${e.reference}</AcctSvcrRef>`,
      '<NtryDtls><TxDtls><RltdPties>',
      `<Dbtr><Nm>${e.name}</Nm></Dbtr><DbtrAcct><Id><IBAN>${e.iban}</IBAN></Id></DbtrAcct>`,
      '</RltdPties><RmtInf><Ustrd>Factuur</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>',
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>',
    '<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>',
    `<Stmt><Id>S1</Id><CreDtTm>2026-11-20T18:00:00</CreDtTm><Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>`,
    balance('OPBD', 0),
    balance('CLBD', entries.length * 100),
    ...entries.map(ntry),
    '</Stmt></BkToCstmrStmt></Document>',
  ].join('\n');
}

test('an MT940 bank reference of 200 characters is refused naming its line; nothing of the file is imported', async () => {
  const file = mt940('261116', [credit('261116', 'REF-OK-1', 'Eerst'), credit('261116', 'R'.repeat(200), 'Lang')]);
  const res = await uploadText(file, 'lange-referentie.sta');
  expect(res.status).toBe(422);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.detail).toMatch(/line 7\b.*bank reference.*200 characters.*at most 115/);
  expect(res.body.detail).not.toMatch(SQL_WORDS);
  expect(await stored()).toEqual([]);
});

test('a camt.053 name of 300 characters is truncated to its column with a warning naming the entry', async () => {
  const name = `${'Stichting Vrienden van de Lange Naam '.repeat(9).slice(0, 299)}.`;
  const res = await uploadText(camt([{ name, iban: 'NL91ABNA0417164300', reference: 'CAMT-NAME-1' }]), 'naam.xml');
  expect(res.status).toBe(201);
  expect(res.body.warnings).toContainEqual({
    line: expect.any(Number),
    message: expect.stringMatching(/entry CAMT-NAME-1: counterparty name of 300 characters shortened to 140/),
  });
  const [row] = await stored();
  expect(row?.counterpartyName).toBe(name.slice(0, 140));
});

test('a counterparty IBAN of 44 characters is refused naming the entry; nothing of the file is imported', async () => {
  const before = (await stored()).length;
  const res = await uploadText(
    camt([
      { name: 'Goed BV', iban: 'NL91ABNA0417164300', reference: 'CAMT-IBAN-1' },
      { name: 'Fout BV', iban: `NL91ABNA0417164300${'1'.repeat(26)}`, reference: 'CAMT-IBAN-2' },
    ]),
    'iban.xml',
  );
  expect(res.status).toBe(422);
  expect(res.body.detail).toMatch(/line \d+: entry CAMT-IBAN-2: counterparty IBAN of 44 characters.*at most 34/);
  expect(res.body.detail).not.toMatch(SQL_WORDS);
  expect(await stored()).toHaveLength(before);
});

test('a NUL byte past the first 64 KiB is removed: the file is imported and the text kept without it', async () => {
  const entries = Array.from({ length: 1000 }, (_, i) =>
    credit('261118', `NUL-${String(i).padStart(4, '0')}`, 'Koffie'),
  );
  entries.push(credit('261118', 'NUL-LAST', 'Koffie\u0000bar'));
  const file = mt940('261118', entries);
  expect(file.indexOf('\u0000')).toBeGreaterThan(64 * 1024);
  const res = await uploadText(file, 'nul.sta');
  expect(res.status).toBe(201);
  expect(res.body.imported).toBe(1001);
  const last = await db.orm.em.fork().findOneOrFail(Transaction, { bankAccount: accountId, bankReference: 'NUL-LAST' });
  expect(last.description).toBe('Koffiebar');
});
