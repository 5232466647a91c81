import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currencyDecimals, parseMinorUnits } from '../../domain/statements/amount';
import { type Statement, StatementParseError } from '../../domain/statements/types';
import { parseCamt053 } from '../../bank-files/camt053';
import { validateCamt053Schema } from '../../bank-files/camt053-schema';
import { statementParseError } from '../support/statements';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/bank-files/camt053');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

const fixtureNames = existsSync(FIXTURES) ? readdirSync(FIXTURES) : [];
const validFixtures = fixtureNames.filter(
  (name) =>
    name.endsWith('.xml') &&
    !name.endsWith('.invalid.xml') &&
    fixtureNames.includes(name.replace(/\.xml$/, '.expected.json')),
);
const invalidFixtures = fixtureNames.filter((name) => name.endsWith('.invalid.xml'));

/** 1-based line of the first occurrence of `needle`, to assert the line an error or warning names. */
function lineOf(xml: string, needle: string): number {
  const index = xml.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not in document`);
  return xml.slice(0, index).split('\n').length;
}

function lastLineOf(xml: string, needle: string): number {
  return xml.slice(0, xml.lastIndexOf(needle)).split('\n').length;
}

function parseError(xml: string): StatementParseError {
  return statementParseError(() => parseCamt053(xml));
}

// ---------------------------------------------------------------------------------------------------------------
// genkgo/camt's getter dump. Only the getters compared below are typed; everything else in the JSON is ignored.

interface GenkgoMoney {
  getAmount: string;
  getCurrency: { getCode: string };
}
interface GenkgoDate {
  '0': string;
}
interface GenkgoParty {
  __CLASS__: string;
  getName: string | null;
}
interface GenkgoRelatedParty {
  getAccount: { getIdentification: string } | null;
  getRelatedPartyType: GenkgoParty;
}
interface GenkgoRecord {
  getId: string;
  getAccount: { getIdentification: string };
  getElectronicSequenceNumber: string | null;
  getLegalSequenceNumber: string | null;
  getBalances: { getType: string; getAmount: GenkgoMoney; getDate: GenkgoDate }[];
}
interface GenkgoEntry {
  getIndex: number;
  getAmount: GenkgoMoney;
  getCreditDebitIndicator: 'CRDT' | 'DBIT';
  getReversalIndicator: boolean;
  getBookingDate: GenkgoDate;
  getValueDate: GenkgoDate;
  getAccountServicerReference: string | null;
  getBankTransactionCode: {
    getDomain: { getCode: string; getFamily: { getCode: string; getSubFamilyCode: string } } | null;
    getProprietary: { getCode: string } | null;
  };
  getRecord: GenkgoRecord;
  getTransactionDetail: {
    getReference: { getEndToEndId: string | null; getAccountServicerReference: string | null } | null;
    getRelatedParties: GenkgoRelatedParty[];
    getRemittanceInformation: {
      getMessage: string | null;
      getCreditorReferenceInformation: { getRef: string } | null;
    } | null;
  } | null;
}
interface GenkgoMessage {
  getEntries: GenkgoEntry[];
  getRecords: unknown[];
}

/** genkgo prints dates as UTC datetimes; none of these fixtures has a DtTm whose UTC date differs from the bank's. */
function genkgoDate(date: GenkgoDate): string {
  return date['0'].slice(0, 10);
}

/** The other side, by the same rule the parser follows: the debtor of a credit, the creditor of a debit. */
function genkgoCounterparty(entry: GenkgoEntry): { iban: string | null; name: string | null } {
  const role = entry.getCreditDebitIndicator === 'CRDT' ? 'Debtor' : 'Creditor';
  const party = entry.getTransactionDetail?.getRelatedParties.find((p) =>
    p.getRelatedPartyType.__CLASS__.endsWith(`\\${role}`),
  );
  return { iban: party?.getAccount?.getIdentification ?? null, name: party?.getRelatedPartyType.getName ?? null };
}

function genkgoBankTransactionCode(entry: GenkgoEntry): string | null {
  const { getDomain: domain, getProprietary: proprietary } = entry.getBankTransactionCode;
  if (domain !== null) return `${domain.getCode}/${domain.getFamily.getCode}/${domain.getFamily.getSubFamilyCode}`;
  return proprietary?.getCode ?? null;
}

function genkgoBalance(record: GenkgoRecord, type: 'opening' | 'closing'): { date: string; amountCents: number } {
  const balance = record.getBalances.find((b) => b.getType === type);
  if (balance === undefined) throw new Error(`fixture has no ${type} balance`);
  return { date: genkgoDate(balance.getDate), amountCents: Number(balance.getAmount.getAmount) };
}

describe('camt.053 fixtures compared with genkgo/camt', () => {
  it('finds the fixture corpus', () => {
    expect(validFixtures.length).toBeGreaterThanOrEqual(5);
    expect(invalidFixtures.length).toBeGreaterThanOrEqual(1);
  });

  describe.each(validFixtures)('%s', (name) => {
    const expected = JSON.parse(fixture(name.replace(/\.xml$/, '.expected.json'))) as GenkgoMessage;
    const parsed = parseCamt053(fixture(name));
    const statementOf = (entry: GenkgoEntry): Statement => {
      const statement = parsed.statements.find((s) => s.statementId === entry.getRecord.getId);
      if (statement === undefined) throw new Error(`no statement ${entry.getRecord.getId}`);
      return statement;
    };

    it('has the same statements', () => {
      expect(parsed.format).toBe('camt.053');
      expect(parsed.statements).toHaveLength(expected.getRecords.length);
      for (const entry of expected.getEntries) {
        const record = entry.getRecord;
        const statement = statementOf(entry);
        expect(statement.account).toBe(record.getAccount.getIdentification);
        expect(statement.sequence).toBe(record.getElectronicSequenceNumber ?? record.getLegalSequenceNumber);
        expect(statement.openingBalance).toEqual(genkgoBalance(record, 'opening'));
        expect(statement.closingBalance).toEqual(genkgoBalance(record, 'closing'));
      }
    });

    it.each(expected.getEntries.map((entry) => [entry.getIndex, entry] as const))(
      'entry %i matches',
      (index, entry) => {
        const actual = statementOf(entry).entries[index];
        const detail = entry.getTransactionDetail;
        expect(entry.getReversalIndicator).toBe(false);
        expect(actual.amountCents).toBe(Number(entry.getAmount.getAmount));
        expect(Math.sign(actual.amountCents)).toBe(entry.getCreditDebitIndicator === 'CRDT' ? 1 : -1);
        expect(actual.currency).toBe(entry.getAmount.getCurrency.getCode);
        expect(actual.bookingDate).toBe(genkgoDate(entry.getBookingDate));
        expect(actual.valueDate).toBe(genkgoDate(entry.getValueDate));
        expect(actual.bankReference).toBe(
          entry.getAccountServicerReference ?? detail?.getReference?.getAccountServicerReference ?? null,
        );
        expect(actual.endToEndId).toBe(detail?.getReference?.getEndToEndId ?? null);
        expect(actual.bankTransactionCode).toBe(genkgoBankTransactionCode(entry));
        const counterparty = genkgoCounterparty(entry);
        expect(actual.counterpartyIban).toBe(counterparty.iban);
        expect(actual.counterpartyName).toBe(counterparty.name);
        // Each fixture entry has one remittance block, which genkgo reports as its message.
        const remittance = detail?.getRemittanceInformation;
        expect(actual.description).toBe(remittance?.getMessage ?? '');
        const creditorReference = remittance?.getCreditorReferenceInformation?.getRef;
        if (creditorReference !== undefined) expect(actual.description).toContain(creditorReference);
        expect(actual.dedupeKey).toEqual(
          actual.bankReference === null ? expect.stringMatching(/^fp:[0-9a-f]{32}:0$/) : `bank:${actual.bankReference}`,
        );
      },
    );
  });

  // genkgo's dump elides the first of the two statements as a recursion, so it is checked against the XML itself.
  it('reads the first statement of the multi-statement file, which the dump leaves out', () => {
    const [first, second] = parseCamt053(fixture('camt053.v2.multi.statement.xml')).statements;
    expect(first).toMatchObject({
      account: 'NL26VAYB8060476890',
      currency: 'EUR',
      statementId: '253EURNL26VAYB8060476890',
      sequence: '12312',
      openingBalance: { date: '2014-12-30', amountCents: 1815 },
      closingBalance: { date: '2014-12-31', amountCents: 2700 },
    });
    expect(first.entries).toEqual([
      expect.objectContaining({
        amountCents: 885,
        bookingDate: '2014-12-31',
        valueDate: '2015-01-02',
        endToEndId: '000000001',
        description: 'Transaction Description 1',
        // A credit names its payer as Dbtr; this one lists only a Cdtr, which is the receiving side.
        counterpartyIban: null,
        counterpartyName: null,
      }),
    ]);
    expect(second.statementId).toBe('254EURNL26VAYB8060476890');
  });

  it('takes the currency from the opening balance when Acct has no Ccy, and an Othr account id', () => {
    const [statement] = parseCamt053(fixture('camt053.v8.xml')).statements;
    expect(statement.currency).toBe('EUR');
    expect(statement.account).toBe('NL26VAYB8060476890');
  });

  it('warns, but keeps the statement, when a balance is in another currency', () => {
    const xml = fixture('camt053.v2.minimal.xml');
    const { statements, warnings } = parseCamt053(xml);
    expect(statements).toHaveLength(1);
    expect(warnings).toEqual([
      {
        line: lineOf(xml, '<Amt Ccy="SEK">'),
        message: expect.stringMatching(/CLBD balance is in SEK, the statement in EUR/),
      },
      { line: lineOf(xml, '<Ntry>'), message: expect.stringMatching(/^1 entry of statement .* no bank reference/) },
    ]);
  });

  const invalidProblems: Record<string, RegExp> = {
    'camt053.v2.wrong.invalid.xml': /no statement: <BkToCstmrStmt> has no <Stmt>/,
  };

  it.each(invalidFixtures)('rejects %s with a StatementParseError naming the problem', (name) => {
    const error = parseError(fixture(name));
    expect(error.message).toMatch(invalidProblems[name] ?? /./);
    if (name === 'camt053.v2.wrong.invalid.xml') expect(error.line).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Small hand-written documents. They are schema-valid camt.053.001.02 unless a test says otherwise.

const IBAN = 'NL91ABNA0417164300';

interface DocumentParts {
  account?: string;
  opening?: string;
  closing?: string;
  entries?: string;
}

function balance(
  code: string,
  amount: string,
  indicator = 'CRDT',
  date = '<Dt>2024-01-31</Dt>',
  currency = 'EUR',
): string {
  return `
      <Bal>
        <Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>
        <Amt Ccy="${currency}">${amount}</Amt>
        <CdtDbtInd>${indicator}</CdtDbtInd>
        <Dt>${date}</Dt>
      </Bal>`;
}

function statementDocument(parts: DocumentParts = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2024-02-01T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <ElctrncSeqNb>31</ElctrncSeqNb>
      <CreDtTm>2024-02-01T06:00:00+01:00</CreDtTm>
      <Acct>${parts.account ?? `<Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy>`}</Acct>${parts.opening ?? balance('OPBD', '100.00')}${parts.closing ?? balance('CLBD', '100.00')}${parts.entries ?? ''}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

interface EntryParts {
  amount?: string;
  indicator?: 'CRDT' | 'DBIT';
  reversal?: boolean;
  status?: string;
  booking?: string;
  value?: string;
  reference?: string;
  code?: string;
  details?: string;
  information?: string;
}

function entry(parts: EntryParts = {}): string {
  return `
      <Ntry>
        <Amt Ccy="EUR">${parts.amount ?? '10.00'}</Amt>
        <CdtDbtInd>${parts.indicator ?? 'CRDT'}</CdtDbtInd>${parts.reversal ? '\n        <RvslInd>true</RvslInd>' : ''}
        <Sts>${parts.status ?? 'BOOK'}</Sts>
        <BookgDt>${parts.booking ?? '<Dt>2024-01-31</Dt>'}</BookgDt>
        <ValDt>${parts.value ?? '<Dt>2024-01-31</Dt>'}</ValDt>${parts.reference === undefined ? '' : `\n        <AcctSvcrRef>${parts.reference}</AcctSvcrRef>`}
        <BkTxCd>${parts.code ?? '<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>'}</BkTxCd>${parts.details ?? ''}${parts.information === undefined ? '' : `\n        <AddtlNtryInf>${parts.information}</AddtlNtryInf>`}
      </Ntry>`;
}

function transaction(inner: string): string {
  return `
          <TxDtls>${inner}
          </TxDtls>`;
}

function details(...transactions: string[]): string {
  return `
        <NtryDtls>${transactions.join('')}
        </NtryDtls>`;
}

const payer = `
            <RltdPties>
              <Dbtr><Nm>Bakkerij De Korenschoof</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></DbtrAcct>
            </RltdPties>`;

function onlyStatement(xml: string): Statement {
  const { statements } = parseCamt053(xml);
  expect(statements).toHaveLength(1);
  return statements[0];
}

describe('parseCamt053 on hand-written documents', () => {
  it('keeps the date the bank wrote for a DtTm with a +01:00 offset just after midnight', () => {
    const xml = statementDocument({
      opening: balance('OPBD', '100.00', 'CRDT', '<DtTm>2024-01-01T00:00:00+01:00</DtTm>'),
      closing: balance('CLBD', '110.00', 'CRDT', '<DtTm>2024-01-01T23:59:59+01:00</DtTm>'),
      entries: entry({
        booking: '<DtTm>2024-01-01T00:30:00+01:00</DtTm>',
        value: '<DtTm>2024-01-01T00:05:00+01:00</DtTm>',
      }),
    });
    const statement = onlyStatement(xml);
    // In UTC these are 2023-12-31T23:30Z and 2023-12-31T23:05Z: the previous day, and the previous year.
    expect(statement.entries[0]).toMatchObject({
      bookingDate: '2024-01-01',
      valueDate: '2024-01-01',
      amountCents: 1000,
    });
    expect(statement.openingBalance).toEqual({ date: '2024-01-01', amountCents: 10000 });
    expect(statement.closingBalance).toEqual({ date: '2024-01-01', amountCents: 11000 });
  });

  it('reads JPY with 0 decimals and BHD with 3 decimals in their own minor units', () => {
    const xml = statementDocument({
      entries:
        entry({ amount: '12.00' }).replace('<Amt Ccy="EUR">12.00</Amt>', '<Amt Ccy="JPY">2700</Amt>') +
        entry({ amount: '13.00' }).replace('<Amt Ccy="EUR">13.00</Amt>', '<Amt Ccy="BHD">1.234</Amt>'),
    });
    const { entries } = onlyStatement(xml);
    expect(entries.map((e) => [e.currency, e.amountCents])).toEqual([
      ['JPY', 2700],
      ['BHD', 1234],
    ]);
  });

  it('reads a reversal with the sign of its own CdtDbtInd, so the balance chain closes', () => {
    // A payment of 25.00 comes in and is reversed the same day: per the ISO 20022 usage rule the reversal is a
    // DBIT with RvslInd true ("the original operation was a credit"). Opening 100.00 + 25.00 - 25.00 = 100.00.
    const xml = statementDocument({
      entries:
        entry({ amount: '25.00', reference: 'ORIG-1', details: details(transaction(payer)) }) +
        entry({
          amount: '25.00',
          indicator: 'DBIT',
          reversal: true,
          reference: 'RVSL-1',
          details: details(transaction(payer)),
        }),
    });
    const { statements, warnings } = parseCamt053(xml);
    const [original, reversal] = statements[0].entries;
    expect(original.amountCents).toBe(2500);
    expect(reversal.amountCents).toBe(-2500);
    // The reversal's other side is still the original payer, named as Dbtr.
    expect(reversal).toMatchObject({
      counterpartyName: 'Bakkerij De Korenschoof',
      counterpartyIban: 'NL02RABO0123456789',
    });
    expect(warnings).toEqual([]);
  });

  it('reads a reversal the other way, with a warning, when only so does the balance close', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '125.00'),
      entries: entry({ amount: '25.00', reversal: true, indicator: 'DBIT', reference: 'RVSL-2' }),
    });
    const { statements, warnings } = parseCamt053(xml);
    expect(statements[0].entries[0]).toMatchObject({ amountCents: 2500, dedupeKey: 'bank:RVSL-2' });
    expect(warnings).toEqual([
      {
        line: lineOf(xml, '<Ntry>'),
        message: expect.stringMatching(/^entry RVSL-2 is a reversal \(RvslInd\) marked DBIT.*booked as a credit/),
      },
    ]);
  });

  it('books a batch of three transactions as one entry with the total, saying it is a batch', () => {
    const item = (name: string, iban: string, text: string, e2e: string): string =>
      transaction(`
            <Refs><AcctSvcrRef>ITEM-${e2e}</AcctSvcrRef><EndToEndId>${e2e}</EndToEndId></Refs>
            <RltdPties><Cdtr><Nm>${name}</Nm></Cdtr><CdtrAcct><Id><IBAN>${iban}</IBAN></Id></CdtrAcct></RltdPties>
            <RmtInf><Ustrd>${text}</Ustrd></RmtInf>`);
    const xml = statementDocument({
      closing: balance('CLBD', '40.00'),
      entries: entry({
        amount: '60.00',
        indicator: 'DBIT',
        reference: 'BATCH-2024-01',
        code: '<Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>',
        details: details(
          item('Jansen', 'NL44RABO0123456789', 'Salaris januari', 'E1'),
          item('De Vries', 'NL20INGB0001234567', 'Salaris januari', 'E2'),
          item('Bakker', 'NL69ABNA0417164300', 'Salaris januari', 'E3'),
        ),
        information: 'Salarissen januari 2024',
      }),
    });
    const { statements, warnings } = parseCamt053(xml);
    expect(statements[0].entries).toEqual([
      {
        bookingDate: '2024-01-31',
        valueDate: '2024-01-31',
        amountCents: -6000,
        currency: 'EUR',
        counterpartyIban: null,
        counterpartyName: null,
        description:
          'Batch of 3 transactions: Salarissen januari 2024 | Jansen, NL44RABO0123456789, Salaris januari, E1' +
          ' | De Vries, NL20INGB0001234567, Salaris januari, E2 | Bakker, NL69ABNA0417164300, Salaris januari, E3',
        endToEndId: null,
        bankReference: 'BATCH-2024-01',
        bankTransactionCode: 'PMNT/ICDT/ESCT',
        dedupeKey: 'bank:BATCH-2024-01',
      },
    ]);
    expect(warnings).toEqual([
      { line: lineOf(xml, '<Ntry>'), message: expect.stringMatching(/^entry BATCH-2024-01 books 3 transactions/) },
    ]);
  });

  it('counts a batch the bank only declares in Btch/NbOfTxs and names its PmtInfId', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '0.00'),
      entries: entry({
        amount: '100.00',
        indicator: 'DBIT',
        details: `
        <NtryDtls>
          <Btch><PmtInfId>PAY-0042</PmtInfId><NbOfTxs>12</NbOfTxs></Btch>
        </NtryDtls>`,
      }),
    });
    expect(onlyStatement(xml).entries[0]).toMatchObject({
      amountCents: -10000,
      description: 'Batch of 12 transactions, PmtInfId PAY-0042',
    });
  });

  it('fills a single transaction from its details, with the structured creditor reference in the description', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '221.50'),
      entries: entry({
        amount: '121.50',
        details: details(
          transaction(`
            <Refs><AcctSvcrRef>TX-REF-9</AcctSvcrRef><EndToEndId>INV-2024-007</EndToEndId></Refs>${payer}
            <RmtInf>
              <Ustrd>Factuur 2024-007</Ustrd>
              <Strd>
                <CdtrRefInf>
                  <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>
                  <Ref>1234567890123456</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>`),
        ),
      }),
    });
    expect(onlyStatement(xml).entries[0]).toEqual({
      bookingDate: '2024-01-31',
      valueDate: '2024-01-31',
      amountCents: 12150,
      currency: 'EUR',
      counterpartyIban: 'NL02RABO0123456789',
      counterpartyName: 'Bakkerij De Korenschoof',
      description: 'Factuur 2024-007 1234567890123456',
      endToEndId: 'INV-2024-007',
      // No AcctSvcrRef on the entry, so the single transaction's one is the bank's id for it.
      bankReference: 'TX-REF-9',
      bankTransactionCode: 'PMNT/RCDT/ESCT',
      dedupeKey: 'bank:TX-REF-9',
    });
  });

  it('joins several Ustrd lines, drops NOTPROVIDED and falls back to the ultimate debtor for the name', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '110.00'),
      entries: entry({
        details: details(
          transaction(`
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <RltdPties>
              <DbtrAcct><Id><IBAN>NL02 RABO 0123 4567 89</IBAN></Id></DbtrAcct>
              <UltmtDbtr><Nm>Stichting Voorbeeld</Nm></UltmtDbtr>
            </RltdPties>
            <RmtInf><Ustrd>Contributie</Ustrd><Ustrd>2024 lid 17</Ustrd></RmtInf>`),
        ),
      }),
    });
    expect(onlyStatement(xml).entries[0]).toMatchObject({
      endToEndId: null,
      counterpartyIban: 'NL02RABO0123456789',
      counterpartyName: 'Stichting Voorbeeld',
      description: 'Contributie 2024 lid 17',
    });
  });

  it('falls back to AddtlTxInf, then AddtlNtryInf, and to the proprietary transaction code', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '80.00'),
      entries:
        entry({
          indicator: 'DBIT',
          code: '<Prtry><Cd>N544</Cd><Issr>ABNAMRO</Issr></Prtry>',
          details: details(transaction('\n            <AddtlTxInf>Kosten betalingsverkeer</AddtlTxInf>')),
          information: 'Entry information',
        }) + entry({ indicator: 'DBIT', code: '<Prtry><Cd>093</Cd></Prtry>', information: 'Rente' }),
    });
    expect(onlyStatement(xml).entries.map((e) => [e.description, e.bankTransactionCode])).toEqual([
      ['Kosten betalingsverkeer', 'N544'],
      ['Rente', '093'],
    ]);
  });

  it('uses PRCD as opening balance when there is no OPBD, and a DBIT balance is negative', () => {
    const xml = statementDocument({
      opening: balance('PRCD', '50.00', 'DBIT'),
      closing: balance('CLBD', '40.00', 'DBIT'),
      entries: entry({ amount: '10.00' }),
    });
    const statement = onlyStatement(xml);
    expect(statement.openingBalance?.amountCents).toBe(-5000);
    expect(statement.closingBalance?.amountCents).toBe(-4000);
  });

  it('skips a pending entry with a warning', () => {
    const xml = statementDocument({ entries: entry({ status: 'PDNG', amount: '5.00' }) });
    const { statements, warnings } = parseCamt053(xml);
    expect(statements[0].entries).toEqual([]);
    expect(warnings).toEqual([{ line: lineOf(xml, '<Ntry>'), message: expect.stringMatching(/status PDNG skipped/) }]);
  });

  it('gives two identical entries without AcctSvcrRef distinct dedupe keys', () => {
    const coffee = entry({ amount: '2.50', indicator: 'DBIT', information: 'Koffie' });
    const xml = statementDocument({ closing: balance('CLBD', '95.00'), entries: coffee + coffee });
    const [first, second] = onlyStatement(xml).entries;
    expect(first).toEqual({ ...second, dedupeKey: first.dedupeKey });
    expect(first.dedupeKey).toMatch(/^fp:[0-9a-f]{32}:0$/);
    expect(second.dedupeKey).toBe(first.dedupeKey.replace(/:0$/, ':1'));
  });

  it('warns when two entries share an AcctSvcrRef, as they would share a dedupe key', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '120.00'),
      entries: entry({ reference: 'SAME' }) + entry({ reference: 'SAME' }),
    });
    const { warnings } = parseCamt053(xml);
    expect(warnings).toEqual([
      { line: lastLineOf(xml, '<Ntry>'), message: expect.stringMatching(/"SAME" is used by more than one entry/) },
    ]);
  });

  it('reads .08 status and party wrappers', () => {
    const xml = statementDocument({
      closing: balance('CLBD', '110.00'),
      entries: entry({
        details: details(
          transaction(`
            <RltdPties>
              <Dbtr><Pty><Nm>Nieuwe Stijl BV</Nm></Pty></Dbtr>
              <DbtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></DbtrAcct>
            </RltdPties>`),
        ),
      }),
    })
      .replace('camt.053.001.02', 'camt.053.001.08')
      .replace('<Sts>BOOK</Sts>', '<Sts><Cd>BOOK</Cd></Sts>');
    expect(onlyStatement(xml).entries[0]).toMatchObject({ counterpartyName: 'Nieuwe Stijl BV', amountCents: 1000 });
  });
});

describe('parseCamt053 rejects what it cannot read without losing data', () => {
  it('rejects a statement whose balance does not close, on the statement line', () => {
    const xml = statementDocument({ closing: balance('CLBD', '115.00'), entries: entry({ amount: '10.00' }) });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, '<Stmt>'),
      message: expect.stringMatching(/statement STMT-1 does not balance: .* a difference of EUR 5\.00/),
    });
  });

  it('rejects a statement without account', () => {
    const xml = statementDocument({ account: '<Id><Othr><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id>' });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, '<Stmt>'),
      message: expect.stringMatching(/statement has no account/),
    });
  });

  it('rejects an entry without amount, naming its line', () => {
    const xml = statementDocument({ entries: entry().replace('<Amt Ccy="EUR">10.00</Amt>', '') });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, '<Ntry>'),
      message: expect.stringMatching(/entry has no amount/),
    });
  });

  it.each([
    ['a comma decimal', '10,50', /unreadable amount "10,50"/],
    ['a sign', '-10.00', /unreadable amount "-10.00"/],
    ['garbage', 'ten', /unreadable amount "ten"/],
    ['sub-cent precision', '10.005', /more than 2 decimals/],
  ])('rejects an amount with %s', (_what, amount, message) => {
    const xml = statementDocument({ entries: entry({ amount }) });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, `>${amount}<`),
      message: expect.stringMatching(message),
    });
  });

  it('rejects an entry whose credit/debit indicator is unknown', () => {
    const xml = statementDocument({
      entries: entry().replace('<CdtDbtInd>CRDT</CdtDbtInd>', '<CdtDbtInd>CR</CdtDbtInd>'),
    });
    expect(parseError(xml).message).toMatch(/no valid credit\/debit indicator .*found "CR"/);
  });

  it('rejects an impossible date', () => {
    const xml = statementDocument({ entries: entry({ booking: '<Dt>2024-02-30</Dt>' }) });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, '2024-02-30'),
      message: expect.stringMatching(/unreadable booking date "2024-02-30"/),
    });
  });

  it('rejects malformed XML with its line', () => {
    const xml = statementDocument({ entries: entry().replace('</CdtDbtInd>', '</CdtDbtIndicator>') });
    expect(parseError(xml)).toMatchObject({
      line: lineOf(xml, '</CdtDbtIndicator>'),
      message: expect.stringMatching(/^line \d+: malformed XML/),
    });
  });

  it('rejects other camt messages by their namespace', () => {
    const xml = statementDocument().replace('camt.053.001.02', 'camt.052.001.02');
    expect(parseError(xml)).toMatchObject({
      line: 2,
      message: expect.stringMatching(/not a supported camt\.053 document.*camt\.052\.001\.02/),
    });
  });

  it('rejects a document without namespace and a non-camt root', () => {
    expect(parseError('<Document><BkToCstmrStmt/></Document>').message).toMatch(/<Document> without a namespace/);
    expect(parseError('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>').message).toMatch(
      /root element is <html>/,
    );
  });

  it('refuses a DOCTYPE', () => {
    const xml = statementDocument().replace('<Document', '<!DOCTYPE Document [<!ENTITY x "y">]>\n<Document');
    expect(parseError(xml).message).toMatch(/DOCTYPE is not allowed/);
  });
});

describe('camt.053 XSD validation', () => {
  it.each(validFixtures)('%s passes the XSD of its version', async (name) => {
    await expect(validateCamt053Schema(fixture(name))).resolves.toEqual([]);
  });

  it('finds the hand-written documents schema-valid', async () => {
    const xml = statementDocument({
      closing: balance('CLBD', '110.00'),
      entries: entry({ details: details(transaction(payer)) }),
    });
    await expect(validateCamt053Schema(xml)).resolves.toEqual([]);
  });

  it('reports BIC where .04 expects BICFI as a warning with its line, and the parser still reads the file', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-4</MsgId><CreDtTm>2024-02-01T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-4</Id>
      <CreDtTm>2024-02-01T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>${balance('OPBD', '100.00')}${balance('CLBD', '110.00')}
      <Ntry>
        <Amt Ccy="EUR">10.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-01-31</Dt></BookgDt>
        <ValDt><Dt>2024-01-31</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Amt Ccy="EUR">10.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>${payer}
            <RltdAgts>
              <DbtrAgt><FinInstnId><BIC>RABONL2U</BIC></FinInstnId></DbtrAgt>
            </RltdAgts>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
    await expect(validateCamt053Schema(xml)).resolves.toEqual([
      {
        line: lineOf(xml, '<BIC>'),
        message: expect.stringMatching(
          /^camt\.053\.001\.04 schema: Element 'BIC': This element is not expected\. Expected is one of \( BICFI,/,
        ),
      },
    ]);
    expect(onlyStatement(xml).entries[0]).toMatchObject({
      amountCents: 1000,
      counterpartyName: 'Bakkerij De Korenschoof',
    });
  });

  it('reports the invalid fixture as a deviation rather than throwing', async () => {
    const xml = fixture('camt053.v2.wrong.invalid.xml');
    // Validating as a stream, xmllint notices the missing child where the parent closes.
    await expect(validateCamt053Schema(xml)).resolves.toEqual([
      {
        line: lineOf(xml, '</BkToCstmrStmt>'),
        message: expect.stringMatching(/Element 'BkToCstmrStmt': Missing child element\(s\)\. Expected is \( Stmt \)/),
      },
    ]);
  });

  it('reports a document that is not well-formed as a warning (parseCamt053 is the one that rejects it, with the line)', async () => {
    const xml = statementDocument({ entries: entry().replace('</CdtDbtInd>', '</CdtDbtIndicator>') });
    await expect(validateCamt053Schema(xml)).resolves.toEqual([
      {
        line: null,
        message: 'camt.053.001.02 schema: the document is not well-formed XML, so it was not fully checked',
      },
    ]);
  });

  it('lists at most 100 deviations and counts the rest', async () => {
    const deviant = entry({ details: details(transaction('\n            <RmtInf><Ustrd>x</Ustrd><Bogus/></RmtInf>')) });
    const xml = statementDocument({ entries: deviant.repeat(103) });
    const warnings = await validateCamt053Schema(xml);
    expect(warnings).toHaveLength(101);
    expect(warnings[0]).toEqual({
      line: lineOf(xml, '<Bogus/>'),
      message: expect.stringMatching(/Element 'Bogus': This element is not expected/),
    });
    expect(warnings[100]).toEqual({ line: null, message: '3 more schema deviations not listed' });
  });

  it('throws for a document that is no camt.053 of a supported version', async () => {
    await expect(
      validateCamt053Schema(statementDocument().replace('camt.053.001.02', 'camt.053.001.06')),
    ).rejects.toThrow(StatementParseError);
  });
});

describe('amount parsing', () => {
  it.each([
    ['1234.56', 2, '.', 123456],
    ['1234,56', 2, ',', 123456],
    ['100,', 2, ',', 10000],
    ['0.5', 2, '.', 50],
    ['.5', 2, '.', 50],
    ['2700', 0, '.', 2700],
    ['2700.000', 0, '.', 2700],
    ['1.234', 3, '.', 1234],
    ['0', 2, '.', 0],
  ] as const)('reads %s with %i decimals as %i minor units', (text, decimals, separator, minor) => {
    expect(parseMinorUnits(text, decimals, separator)).toBe(minor);
  });

  it('is exact where floating point is not', () => {
    expect(parseMinorUnits('0.29', 2, '.')).toBe(29);
    expect(parseMinorUnits('90071992547409.91', 2, '.')).toBe(9007199254740991);
    expect(() => parseMinorUnits('90071992547409.92', 2, '.')).toThrow(/too large/);
  });

  it.each(['', ',', '1.2.3', '1 000,00', '+1.00', '1e3', '1,00'])('rejects "%s" for a dot decimal', (text) => {
    expect(() => parseMinorUnits(text, 2, '.')).toThrow(StatementParseError);
  });

  it('knows ISO 4217 minor units', () => {
    expect(['EUR', 'USD', 'JPY', 'KRW', 'BHD', 'KWD', 'JOD', 'OMR', 'TND', 'CLF'].map(currencyDecimals)).toEqual([
      2, 2, 0, 0, 3, 3, 3, 3, 3, 4,
    ]);
    expect(() => currencyDecimals('eur')).toThrow(/invalid currency code "eur"/);
  });
});
