import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILD_TIMEOUT_MS, buildOnce, CLI, ROOT, run, type Run } from '../support/cli';

const FIXTURES = resolve(ROOT, '../shared/fixtures/bank-files');

const parse = (fixture: string): Promise<Run> =>
  run(process.execPath, [CLI, 'statements', 'parse', join(FIXTURES, fixture)]);

/** The project's own camt.053 quirk fixtures (issue 13): `*.refused.xml` cannot be read, the others can. */
const CAMT_QUIRKS = resolve(ROOT, 'test/fixtures/camt053');
const camtQuirks = readdirSync(CAMT_QUIRKS).filter((name) => name.endsWith('.xml'));

const STATEMENT_FIELDS = [
  'account',
  'currency',
  'statementId',
  'sequence',
  'openingBalance',
  'closingBalance',
  'entries',
];
const ENTRY_FIELDS = [
  'bookingDate',
  'valueDate',
  'amountCents',
  'currency',
  'counterpartyIban',
  'counterpartyName',
  'description',
  'endToEndId',
  'bankReference',
  'bankTransactionCode',
  'dedupeKey',
];

/** The contract of DESIGN.md "Contracts": these names, and nothing on stdout but this JSON. */
function expectContract(stdout: string, format: string): void {
  const file = JSON.parse(stdout) as { format: string; statements: Record<string, unknown>[]; warnings: unknown[] };
  expect(Object.keys(file)).toEqual(['format', 'statements', 'warnings']);
  expect(file.format).toBe(format);
  expect(Array.isArray(file.warnings)).toBe(true);
  expect(file.statements.length).toBeGreaterThan(0);
  for (const statement of file.statements) {
    expect(Object.keys(statement)).toEqual(STATEMENT_FIELDS);
    for (const balance of [statement.openingBalance, statement.closingBalance]) {
      // null only for a statement that gives no balance at all (a camt.053 quirk, said in the warnings)
      if (balance === null) continue;
      expect(balance).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), amountCents: expect.any(Number) });
    }
    for (const entry of statement.entries as Record<string, unknown>[]) {
      expect(Object.keys(entry)).toEqual(ENTRY_FIELDS);
      expect(Number.isInteger(entry.amountCents)).toBe(true);
    }
  }
}

// `npm run cli` builds first; so does this test, so it runs what users run, from dist/ (schemas copied in).
beforeAll(buildOnce, BUILD_TIMEOUT_MS);

describe('cli statements parse', () => {
  test('prints an MT940 file as the contract JSON', async () => {
    const result = await parse('mt940/jejik-rabobank-iban.sta');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectContract(result.stdout, 'mt940');
  });

  test('prints a camt.053 file as the contract JSON', async () => {
    const result = await parse('camt053/camt053.v2.with-party-ids.xml');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectContract(result.stdout, 'camt.053');
  });

  test.each([
    ['mt940/jejik-knab_broken.invalid.sta', 'line 17'],
    ['camt053/camt053.v2.wrong.invalid.xml', 'line 3'],
  ])('refuses %s: exit code, the line on stderr, nothing on stdout', async (fixture, line) => {
    const result = await parse(fixture);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(line);
  });

  // Each accepted quirk says in warnings what was assumed; the ISO-conforming reversal is the one with nothing to say.
  test.each(camtQuirks.filter((name) => !name.endsWith('.refused.xml')))(
    'accepts the camt.053 quirk %s: exit 0, the contract JSON with its warnings',
    async (name) => {
      const result = await run(process.execPath, [CLI, 'statements', 'parse', join(CAMT_QUIRKS, name)]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expectContract(result.stdout, 'camt.053');
      const { warnings } = JSON.parse(result.stdout) as { warnings: unknown[] };
      expect(warnings.length > 0).toBe(name !== 'reversal-iso.xml');
    },
  );

  test.each(camtQuirks.filter((name) => name.endsWith('.refused.xml')))(
    'refuses the camt.053 quirk %s: exit code, the reason on stderr, nothing on stdout',
    async (name) => {
      const result = await run(process.execPath, [CLI, 'statements', 'parse', join(CAMT_QUIRKS, name)]);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      // A file that is no statement at all has no line to name; every other refusal names its line.
      expect(result.stderr).toMatch(name === 'not-a-statement.refused.xml' ? /camt\.054/ : /: line \d+: \S/);
    },
  );

  test('refuses a file that does not exist without touching stdout', async () => {
    const result = await parse('mt940/no-such-file.sta');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no such file');
  });

  test('refuses a file in neither format, naming the supported ones', async () => {
    const result = await parse('camt053/LICENSE.genkgo-camt');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/MT940.*camt\.053/);
  });
});
