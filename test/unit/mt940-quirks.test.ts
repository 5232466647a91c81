import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseStatementFile } from '../../bank-files/parse';
import { decodeStatementBytes } from '../../domain/statements/parse';
import type { StatementEntry, StatementFile } from '../../domain/statements/types';
import { StatementParseError } from '../../domain/statements/types';

/** Files showing what Dutch and German banks really write (issue 13), each quirk in a file of its own. */
const FIXTURES = resolve(__dirname, '../fixtures/mt940');

/** As the CLI and the upload read a file: bytes decoded, format recognised, parsed. */
function parseFixture(name: string): Promise<StatementFile> {
  return parseStatementFile(decodeStatementBytes(readFileSync(join(FIXTURES, name))));
}

async function refusal(name: string): Promise<StatementParseError> {
  try {
    await parseFixture(name);
  } catch (error) {
    if (error instanceof StatementParseError) return error;
    throw error;
  }
  throw new Error(`expected ${name} to be refused, but it parsed`);
}

function pick<K extends keyof StatementEntry>(
  entries: readonly StatementEntry[],
  ...keys: K[]
): Pick<StatementEntry, K>[] {
  return entries.map((entry) => Object.fromEntries(keys.map((key) => [key, entry[key]])) as Pick<StatementEntry, K>);
}

describe('MT940 quirks accepted, with a warning naming the line where the file was read generously', () => {
  it('reads a field continued on the next line for any tag: account, statement number, balances, :61:', async () => {
    const { statements, warnings } = await parseFixture('wrapped-fields.sta');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      account: 'NL91ABNA0417164300',
      currency: 'EUR',
      statementId: '00042',
      sequence: '1',
      openingBalance: { date: '2024-01-15', amountCents: 10000 },
      closingBalance: { date: '2024-01-15', amountCents: 10750 },
    });
    expect(pick(statements[0].entries, 'amountCents', 'bankReference', 'counterpartyName')).toEqual([
      { amountCents: -250, bankReference: null, counterpartyName: 'KOFFIEBAR' },
      { amountCents: 1000, bankReference: 'REF0002', counterpartyName: 'J. JANSEN' },
    ]);
    expect(warnings).toEqual([
      { line: 3, message: expect.stringMatching(/^:25: continues on this line/) },
      { line: 5, message: expect.stringMatching(/^:28C: continues on this line/) },
      { line: 7, message: expect.stringMatching(/^:60F: continues on this line/) },
      { line: 11, message: expect.stringMatching(/^:61: continues on this line/) },
      { line: 14, message: expect.stringMatching(/^:62F: continues on this line/) },
    ]);
  });

  it('computes a missing closing balance from the opening balance and the entries, and says so', async () => {
    const { statements, warnings } = await parseFixture('no-closing-balance.sta');
    expect(statements.map((statement) => [statement.statementId, statement.closingBalance])).toEqual([
      ['00043', { date: '2024-01-17', amountCents: 11500 }],
      ['00044', { date: '2024-01-18', amountCents: 11500 }],
      ['00045', { date: '2024-01-19', amountCents: 10000 }],
    ]);
    // The trailer after an :86: and the bank's header lines after it are not part of the entry's text.
    expect(pick(statements[0].entries, 'amountCents', 'description')).toEqual([
      { amountCents: -250, description: 'KOFFIE' },
      { amountCents: 1000, description: 'TERUGBETALING' },
    ]);
    expect(warnings).toEqual([
      {
        line: 9,
        message:
          'the statement that starts at line 1 has no closing balance (:62F:); EUR 115.00 is computed from its ' +
          'opening balance and entries',
      },
      {
        line: 17,
        message:
          'the statement that starts at line 13 has no closing balance (:62F:); EUR 115.00 is computed from its ' +
          'opening balance and entries',
      },
    ]);
  });

  it('reads amounts zero-padded past 15 characters', async () => {
    const { statements, warnings } = await parseFixture('zero-padded-amounts.sta');
    expect(statements[0].openingBalance?.amountCents).toBe(10000);
    expect(statements[0].entries[0].amountCents).toBe(-250);
    expect(statements[0].closingBalance?.amountCents).toBe(9750);
    expect(warnings.map((warning) => warning.line)).toEqual([4, 5, 7]);
    expect(warnings[0].message).toBe(
      'amount "000000000000000100,00" is zero-padded past the 15 characters of SWIFT; read as 100,00',
    );
  });

  it('ignores blank lines, trailing spaces and lines of spaces inside :86:, and a missing line end at the end', async () => {
    const { statements, warnings } = await parseFixture('whitespace-no-final-newline.sta');
    expect(warnings).toEqual([]);
    expect(statements[0]).toMatchObject({ statementId: '1', closingBalance: { amountCents: 9000 } });
    expect(pick(statements[0].entries, 'counterpartyName', 'description', 'endToEndId')).toEqual([
      { counterpartyName: 'KOFFIEBAR', description: 'KOFFIE', endToEndId: 'E2E-1' },
      { counterpartyName: null, description: 'SPAARREKENING', endToEndId: null },
    ]);
  });

  it("reads -} and {5:} trailers glued to the next message's {1:} header", async () => {
    const { statements, warnings } = await parseFixture('glued-trailers.sta');
    expect(warnings).toEqual([]);
    expect(statements.map((statement) => statement.statementId)).toEqual(['1', '2', '3', '4', '5']);
    expect(statements.map((statement) => statement.entries.length)).toEqual([1, 1, 0, 1, 0]);
    expect(new Set(statements.map((statement) => statement.account))).toEqual(new Set(['NL69INGB0123456789']));
  });

  it('reads :28: and :28C:, a currency inside :25:, and old BBAN numbers with dots as well as IBANs', async () => {
    const { statements, warnings } = await parseFixture('accounts-and-numbers.sta');
    expect(warnings).toEqual([]);
    expect(statements.map(({ account, statementId, sequence }) => ({ account, statementId, sequence }))).toEqual([
      { account: 'NL91ABNA0417164300', statementId: '00001', sequence: '1' },
      { account: 'NL91ABNA0417164300', statementId: '00002', sequence: '1' },
      { account: '12.34.56.789', statementId: '3', sequence: null },
      { account: '12.34.56.789', statementId: '4', sequence: null },
    ]);
  });

  it('reads an empty :86:, a :61: without entry date and entry dates across the year end', async () => {
    const { statements, warnings } = await parseFixture('empty-86-and-dates.sta');
    expect(warnings).toEqual([]);
    expect(pick(statements[0].entries, 'valueDate', 'bookingDate', 'amountCents', 'description')).toEqual([
      { valueDate: '2023-12-31', bookingDate: '2023-12-31', amountCents: -100, description: '' },
      { valueDate: '2023-12-31', bookingDate: '2024-01-02', amountCents: -200, description: 'KOFFIE' },
      { valueDate: '2024-01-02', bookingDate: '2023-12-31', amountCents: 300, description: '' },
    ]);
  });

  it('reads German ?NN and Dutch /CODE/ structures mixed in one file', async () => {
    const { statements, warnings } = await parseFixture('mixed-dialects.sta');
    expect(warnings).toEqual([]);
    expect(pick(statements[0].entries, 'counterpartyIban', 'counterpartyName', 'description', 'endToEndId')).toEqual([
      {
        counterpartyIban: 'DE02120300000000202051',
        counterpartyName: 'Stadtwerke Musterstadt',
        description: 'Strom Januar 2024',
        endToEndId: 'RG-2024-0001',
      },
      {
        counterpartyIban: 'NL20INGB0001234567',
        counterpartyName: 'KOFFIEBAR',
        description: 'KOFFIE EN TAART',
        endToEndId: 'E2E-0002',
      },
      {
        counterpartyIban: 'NL20INGB0001234567',
        counterpartyName: 'J. Jansen',
        description: 'Rueckzahlung',
        endToEndId: 'E2E-0003',
      },
    ]);
  });

  it.each([
    ['iso-8859-1.sta', 'Café Hélène', 'crème brûlée'],
    ['windows-1252.sta', 'Déjà Vu', '€ 10 ’s morgen'],
    ['utf-8.sta', 'Müller & Söhne', 'Grüße € 10'],
  ])('keeps bytes outside the SWIFT character set as read in %s', async (file, name, description) => {
    const { statements, warnings } = await parseFixture(file);
    expect(warnings).toEqual([]);
    expect(statements[0].entries[0]).toMatchObject({ counterpartyName: name, description });
  });
});

describe('MT940 files refused whole, naming the line', () => {
  it.each([
    ['not-a-statement.invalid.sta', null, /unrecognised statement file: the file looks like CSV/],
    ['unreadable-amount.invalid.sta', 7, /^line 7: unreadable amount "2;50"/],
    ['unreadable-sign.invalid.sta', 5, /^line 5: unreadable statement line :61:/],
  ])('refuses %s', async (file, line, message) => {
    const error = await refusal(file);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });
});
