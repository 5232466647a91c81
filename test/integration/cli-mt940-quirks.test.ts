import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILD_TIMEOUT_MS, buildOnce, CLI, ROOT, run, type Run } from '../support/cli';

/**
 * Issue 13 item 5: `statements parse` keeps its contract for the MT940 files real banks write. Every accepted
 * fixture exits 0 with the contract JSON and its warnings; a refused one exits non-zero with the reason on stderr
 * and nothing on stdout.
 */
const FIXTURES = resolve(ROOT, 'test/fixtures/mt940');

const parse = (fixture: string): Promise<Run> =>
  run(process.execPath, [CLI, 'statements', 'parse', join(FIXTURES, fixture)]);

const accepted = readdirSync(FIXTURES).filter((name) => name.endsWith('.sta') && !name.endsWith('.invalid.sta'));

// As `npm run cli` does, so this runs what users run.
beforeAll(buildOnce, BUILD_TIMEOUT_MS);

describe('cli statements parse on MT940 quirks', () => {
  it('finds the accepted fixtures', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(11);
  });

  test('exits 0 for every accepted fixture, printing its statements and warnings', async () => {
    for (const fixture of accepted) {
      const result = await parse(fixture);
      expect({ fixture, code: result.code, stderr: result.stderr }).toEqual({ fixture, code: 0, stderr: '' });
      const file = JSON.parse(result.stdout) as { format: string; statements: unknown[]; warnings: unknown[] };
      expect(Object.keys(file)).toEqual(['format', 'statements', 'warnings']);
      expect(file.format).toBe('mt940');
      expect(file.statements.length).toBeGreaterThan(0);
    }
  }, 60_000);

  test('prints the warnings that name where a file was read generously', async () => {
    const result = await parse('no-closing-balance.sta');
    const file = JSON.parse(result.stdout) as { warnings: { line: number; message: string }[] };
    expect(file.warnings.map((warning) => warning.line)).toEqual([9, 17]);
    expect(file.warnings[0].message).toMatch(/has no closing balance/);
  });

  test('refuses an unreadable amount: non-zero, the line on stderr, nothing on stdout', async () => {
    const result = await parse('unreadable-amount.invalid.sta');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('unreadable-amount.invalid.sta: line 7: unreadable amount "2;50"');
  });
});
