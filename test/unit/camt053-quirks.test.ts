import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseStatementFile } from '../../bank-files/parse';
import { type StatementFile, StatementParseError } from '../../domain/statements/types';

/**
 * camt.053 as banks really write it (issue 13): each fixture in test/fixtures/camt053 shows one quirk, read the
 * way an upload reads it (format recognition, mapping, XSD check). Accepted files say what was assumed in their
 * warnings, naming the entry's line; refused ones name the line and import nothing.
 */

const FIXTURES = resolve(__dirname, '../fixtures/camt053');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function lineOf(xml: string, needle: string, from = 0): number {
  const index = xml.indexOf(needle, from);
  if (index < 0) throw new Error(`"${needle}" not in document`);
  return xml.slice(0, index).split('\n').length;
}

/** The line of the `<Ntry>` that holds `needle`, as the mapping names an entry by its start tag. */
function entryLineOf(xml: string, needle: string): number {
  return lineOf(xml, '<Ntry>', xml.lastIndexOf('<Ntry>', xml.indexOf(needle)));
}

async function parse(name: string): Promise<{ xml: string; file: StatementFile }> {
  const xml = fixture(name);
  return { xml, file: await parseStatementFile(xml) };
}

async function refusal(name: string): Promise<{ xml: string; error: StatementParseError }> {
  const xml = fixture(name);
  const error: unknown = await parseStatementFile(xml).then(
    () => new Error(`expected ${name} to be refused`),
    (thrown: unknown) => thrown,
  );
  if (error instanceof StatementParseError) return { xml, error };
  throw error;
}

const schemaWarning = { line: expect.any(Number), message: expect.stringMatching(/^camt\.053\.001\.0\d schema: /) };

describe('camt.053 quirks that are accepted, each with a warning naming its entry', () => {
  it('keeps a batch booking as one transaction with the entry amount, listing its items in the description', async () => {
    const { xml, file } = await parse('batch-booking.xml');
    expect(file.statements[0].entries).toEqual([
      {
        bookingDate: '2024-01-31',
        valueDate: '2024-01-31',
        amountCents: -6000,
        currency: 'EUR',
        counterpartyIban: null,
        counterpartyName: null,
        description:
          'Batch of 3 transactions, PmtInfId SAL-2024-01: Salarissen januari 2024' +
          ' | J. Jansen, NL44RABO0123456789, EUR 25.00, Salaris januari, SAL-E1' +
          ' | A. de Vries, NL20INGB0001234567, EUR 20.00, Salaris januari, SAL-E2' +
          ' | P. Bakker, NL69ABNA0417164301, EUR 15.00, Reiskosten',
        endToEndId: null,
        bankReference: 'BATCH-2024-01',
        bankTransactionCode: 'PMNT/ICDT/ESCT',
        dedupeKey: 'bank:BATCH-2024-01',
      },
    ]);
    expect(file.warnings).toEqual([
      {
        line: lineOf(xml, '<Ntry>'),
        message:
          "entry BATCH-2024-01 books 3 transactions at once: kept as one transaction with the entry's amount, " +
          'as the bank books it, its items listed in the description',
      },
    ]);
  });

  it('reads a reversal by its own CdtDbtInd (ISO 20022), which the balance confirms: no warning', async () => {
    const { file } = await parse('reversal-iso.xml');
    expect(file.statements[0].entries.map((e) => [e.bankReference, e.amountCents])).toEqual([
      ['ORIG-1', 2500],
      ['RVSL-1', -2500],
    ]);
    expect(file.warnings).toEqual([]);
  });

  it("books a reversal written in its original's direction the other way, as only that closes the balance", async () => {
    const { xml, file } = await parse('reversal-original-direction.xml');
    expect(file.statements[0].entries.map((e) => [e.bankReference, e.amountCents])).toEqual([
      ['ORIG-1', 2500],
      ['RVSL-1', -2500],
    ]);
    expect(file.warnings).toEqual([
      {
        line: entryLineOf(xml, 'RVSL-1'),
        message:
          'entry RVSL-1 is a reversal (RvslInd) marked CRDT, the direction of the booking it reverses, against ' +
          "the ISO 20022 usage rule: booked as a debit, since only so does statement RVSL-ORIGINAL's balance close",
      },
    ]);
  });

  it('keeps the booked amount in the account currency when the payment was made in another', async () => {
    const { xml, file } = await parse('foreign-currency.xml');
    expect(file.statements[0].entries[0]).toMatchObject({
      amountCents: -9120,
      currency: 'EUR',
      counterpartyIban: null,
      counterpartyName: 'Acme Tools Inc.',
      description: 'Invoice 77',
      endToEndId: 'INV-US-77',
    });
    expect(file.warnings).toEqual([
      {
        line: lineOf(xml, '<Ntry>'),
        message:
          'entry FX-1 was made in another currency, USD 100.00 (AmtDtls/InstdAmt): the amount booked in the ' +
          'account currency, EUR 91.20, is its amount',
      },
    ]);
  });

  it('keys entries without NtryRef or AcctSvcrRef by fingerprint, the same on every reading', async () => {
    const { xml, file } = await parse('no-references.xml');
    const keys = file.statements[0].entries.map((e) => e.dedupeKey);
    expect(keys).toEqual([expect.stringMatching(/^fp:[0-9a-f]{32}:0$/), expect.stringMatching(/^fp:[0-9a-f]{32}:1$/)]);
    expect(keys[1]).toBe(keys[0].replace(/:0$/, ':1'));
    expect((await parseStatementFile(xml)).statements[0].entries.map((e) => e.dedupeKey)).toEqual(keys);
    const [first, second] = [lineOf(xml, '<Ntry>'), lineOf(xml, '<Ntry>', xml.lastIndexOf('<Ntry>'))];
    expect(file.warnings).toEqual([
      {
        line: first,
        message:
          `2 entries of statement NOREF-STMT have no bank reference (AcctSvcrRef), at lines ${first}, ${second}: ` +
          'each is keyed by a fingerprint of its dates, amount, counterparty IBAN, end-to-end id and description, ' +
          'numbered among identical ones',
      },
    ]);
  });

  it.each([
    ['bic-in-v04.xml', 'BIC', 'BICFI'],
    ['bicfi-in-v02.xml', 'BICFI', 'BIC'],
  ])('%s: reads the file and reports %s where the version expects %s as a schema warning', async (name, found) => {
    const { xml, file } = await parse(name);
    expect(file.statements[0].entries[0]).toMatchObject({
      amountCents: 1000,
      counterpartyName: 'Bakkerij De Korenschoof',
      counterpartyIban: 'NL02RABO0123456789',
    });
    expect(file.warnings).toEqual([
      {
        line: lineOf(xml, `<${found}>`),
        message: expect.stringMatching(new RegExp(`schema: Element '${found}': This element is not expected`)),
      },
    ]);
  });

  it('computes a missing closing or opening balance and leaves them unknown when the file has neither', async () => {
    const { xml, file } = await parse('missing-balances.xml');
    const [openingOnly, closingOnly, none] = file.statements;
    expect(openingOnly).toMatchObject({
      openingBalance: { date: '2024-01-31', amountCents: 10000 },
      closingBalance: { date: '2024-02-01', amountCents: 7000 },
    });
    expect(closingOnly).toMatchObject({
      openingBalance: { date: '2024-02-02', amountCents: 7000 },
      closingBalance: { date: '2024-02-02', amountCents: 8000 },
    });
    expect(none).toMatchObject({ currency: 'EUR', openingBalance: null, closingBalance: null });
    expect(none.entries.map((e) => e.amountCents)).toEqual([-500]);
    const stmtLine = (id: string): number => lineOf(xml, '<Stmt>', xml.lastIndexOf('<Stmt>', xml.indexOf(id)));
    expect(file.warnings.filter((w) => !w.message.includes(' schema: '))).toEqual([
      {
        line: stmtLine('OPENING-ONLY'),
        message:
          'statement OPENING-ONLY has no closing balance (CLBD): computed from the opening balance and the ' +
          'entries as EUR 70.00 on 2024-02-01',
      },
      {
        line: stmtLine('CLOSING-ONLY'),
        message:
          'statement CLOSING-ONLY has no opening balance (OPBD or PRCD): computed from the closing balance and the ' +
          'entries as EUR 70.00 on 2024-02-02',
      },
      {
        line: stmtLine('NO-BALANCES'),
        message:
          'statement NO-BALANCES has no balances (OPBD, PRCD or CLBD): its entries are read, its balances stay ' +
          'unknown',
      },
      {
        line: entryLineOf(xml, 'NOBAL-3'),
        message:
          'entry NOBAL-3 is a reversal (RvslInd) marked DBIT: read as the direction of the reversal itself (the ' +
          'ISO 20022 usage rule), which no balance of statement NO-BALANCES can confirm',
      },
    ]);
    // The schema requires a balance: that deviation is reported, the file still read (see bank-files/parse.ts).
    expect(file.warnings).toContainEqual(schemaWarning);
  });
});

describe('camt.053 files that cannot be read are refused whole, naming the line', () => {
  it('refuses a statement whose balance does not close, saying which and by how much', async () => {
    const { xml, error } = await refusal('unbalanced.refused.xml');
    expect(error.line).toBe(lineOf(xml, '<Stmt>'));
    expect(error.message).toBe(
      `line ${error.line}: statement UNBALANCED does not balance: opening EUR 100.00 + entries EUR 10.00 = ` +
        'EUR 110.00, but its closing balance is EUR 115.00, a difference of EUR 5.00; an entry is missing or ' +
        'misread, so nothing of the file is imported',
    );
  });

  it.each([
    ['unreadable-amount.refused.xml', '10,50', /unreadable amount "10,50"/],
    ['unreadable-indicator.refused.xml', '<CdtDbtInd>CR<', /no valid credit\/debit indicator .*found "CR"/],
  ])('refuses %s on the line that cannot be read', async (name, needle, message) => {
    const { xml, error } = await refusal(name);
    expect(error.message).toMatch(message);
    const line = lineOf(xml, needle);
    expect([line, entryLineOf(xml, needle)]).toContain(error.line);
  });

  it('refuses an entity declaration', async () => {
    const { xml, error } = await refusal('entity-declaration.refused.xml');
    expect(error.message).toMatch(/DOCTYPE is not allowed/);
    expect(error.line).toBe(lineOf(xml, ']>'));
  });

  it('refuses a document that is not a statement', async () => {
    const { error } = await refusal('not-a-statement.refused.xml');
    expect(error.message).toMatch(/camt\.054\.001\.02/);
  });
});
