import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeStatementBytes, detectFormat } from '../../domain/statements/parse';
import { StatementParseError } from '../../domain/statements/types';
import { parseStatementFile } from '../../bank-files/parse';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/bank-files');

function fixturesIn(folder: string, extension: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((name) => name.endsWith(extension))
    .map((name) => join(folder, name));
}

function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

async function refusal(text: string): Promise<StatementParseError> {
  const error: unknown = await parseStatementFile(text).then(
    () => new Error('expected the file to be refused'),
    (e: unknown) => e,
  );
  if (error instanceof StatementParseError) return error;
  throw error;
}

const mt940Fixtures = fixturesIn('mt940', '.sta');
const camtFixtures = fixturesIn('camt053', '.xml');

describe('detectFormat', () => {
  test('the fixture folders are there', () => {
    expect(mt940Fixtures.length).toBeGreaterThan(5);
    expect(camtFixtures.length).toBeGreaterThan(3);
  });

  // Broken files too: detection says which parser must judge them, and that parser names the broken line.
  test.each(mt940Fixtures)('%s is MT940', (path) => {
    expect(detectFormat(fixture(path))).toBe('mt940');
  });

  test.each(camtFixtures)('%s is camt.053', (path) => {
    expect(detectFormat(fixture(path))).toBe('camt.053');
  });

  test('a byte order mark and leading blank lines do not hide the format', () => {
    const mt940 = fixture('mt940/jejik-knab.sta');
    const camt = fixture('camt053/camt053.v2.minimal.xml');
    expect(detectFormat(`\uFEFF\r\n\n  ${mt940}`)).toBe('mt940');
    expect(detectFormat(`\uFEFF\n\t${camt}`)).toBe('camt.053');
  });

  test('a SWIFT FIN envelope is MT940, with the text block on the header line or the next', () => {
    const header = '{1:F01INGBNL2ABXXX0000000000}{2:I940INGBNL2AXXXXN}{4:';
    expect(detectFormat(`${header}\n:20:P140220000000001\n:25:NL20INGB0001234567EUR\n-}`)).toBe('mt940');
    expect(detectFormat(`${header}:20:P140220000000001\n:25:NL20INGB0001234567EUR\n-}`)).toBe('mt940');
  });

  test('a camt.053 root with a namespace prefix, comments and attributes on several lines is camt.053', () => {
    const xml =
      '<?xml version="1.0"?>\n<!-- exported 2024-01-02 -->\n' +
      '<ns:Document\n  xmlns:ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"\n' +
      '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n</ns:Document>';
    expect(detectFormat(xml)).toBe('camt.053');
  });

  test.each([
    ['empty', ''],
    ['only whitespace', ' \r\n\n'],
    ['JSON', '{ "statements": [] }'],
    ['CSV', '"Datum","Naam / Omschrijving","Rekening","Bedrag (EUR)"\n"20240102","X","NL20INGB0001234567","1,00"\n'],
    ['binary', '%PDF-1.7\n\u0000\u0001\u0002\u00ff'],
    ['camt.052 XML', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><BkToCstmrAcctRpt/></Document>'],
    ['XML without a namespace', '<?xml version="1.0"?><Statement><Line/></Statement>'],
    ['plain text', 'Dear customer,\nplease find your statement attached.'],
  ])('%s is neither', (_kind, text) => {
    expect(detectFormat(text)).toBeNull();
  });
});

describe('parseStatementFile', () => {
  test('parses MT940 with the MT940 parser', async () => {
    const file = await parseStatementFile(fixture('mt940/jejik-knab.sta'));
    expect(file.format).toBe('mt940');
    expect(file.statements).toHaveLength(2);
    expect(file.statements[1].entries.map((entry) => entry.amountCents)).toEqual([-726000, 50000]);
  });

  test('parses camt.053 with the camt parser', async () => {
    const file = await parseStatementFile(fixture('camt053/camt053.v2.multi.statement.xml'));
    expect(file.format).toBe('camt.053');
    expect(file.statements.length).toBeGreaterThan(1);
  });

  test('appends XSD deviations of a camt.053 file as warnings instead of refusing it', async () => {
    const xml = fixture('camt053/camt053.v2.minimal.xml').replace('<MsgId>', '<Unexpected>x</Unexpected><MsgId>');
    const file = await parseStatementFile(xml);
    expect(file.statements.length).toBeGreaterThan(0);
    const schemaWarning = file.warnings.find((warning) => warning.message.startsWith('camt.053.001.02 schema:'));
    expect(schemaWarning?.message).toContain('Unexpected');
    expect(schemaWarning?.line).toBe(5);
  });

  test.each([
    ['empty', '', 'the file is empty'],
    ['JSON', '{ "statements": [] }', 'JSON'],
    ['CSV', 'Datum;Naam;Rekening;Bedrag\n20240102;X;NL20INGB0001234567;1,00\n', 'CSV'],
    ['binary', 'PK\u0003\u0004\u0014\u0000\u0008\u0000', 'binary'],
    ['another XML', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', 'pain.001.001.03'],
  ])('refuses %s input, naming what it is and what is supported', async (_kind, text, what) => {
    const error = await refusal(text);
    expect(error.message).toContain(what);
    expect(error.message).toContain('supported are MT940');
    expect(error.message).toContain('camt.053');
  });

  test.each([
    ['mt940/jejik-knab_broken.invalid.sta', 17],
    ['mt940/betterplace-sepa_snippet_broken.invalid.sta', 6],
    ['camt053/camt053.v2.wrong.invalid.xml', 3],
  ])('refuses %s with the line that broke', async (path, line) => {
    expect((await refusal(fixture(path))).line).toBe(line);
  });

  test('names the supported versions when a camt.053 version is not one of them', async () => {
    const xml = fixture('camt053/camt053.v2.minimal.xml').replace('camt.053.001.02', 'camt.053.001.03');
    expect((await refusal(xml)).message).toMatch(/camt\.053\.001\.03.*camt\.053\.001\.02/);
  });
});

describe('decodeStatementBytes', () => {
  test('reads UTF-8, with or without a byte order mark', () => {
    expect(decodeStatementBytes(Buffer.from('\uFEFF:86:Café', 'utf8'))).toBe(':86:Café');
    expect(decodeStatementBytes(Buffer.from(':86:Café', 'utf8'))).toBe(':86:Café');
  });

  test('reads what is not UTF-8 as Windows-1252, as older Dutch exports are written', () => {
    expect(decodeStatementBytes(Buffer.from([0x3a, 0x38, 0x36, 0x3a, 0x43, 0x61, 0x66, 0xe9, 0x20, 0x80]))).toBe(
      ':86:Café €',
    );
  });

  test('reads UTF-16 with a byte order mark', () => {
    expect(decodeStatementBytes(Buffer.from('\uFEFF:20:X', 'utf16le'))).toBe(':20:X');
  });
});
