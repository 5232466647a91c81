import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseCamt053 as camtParser } from 'camt-parser';
import { parseMt940 } from '../../domain/statements/mt940';
import type { StatementFile } from '../../domain/statements/types';
import { parseCamt053 } from '../../bank-files/camt053';

/**
 * One parser over some files in a process of its own, so that one parser's heap, JIT state and garbage do not
 * colour another's figures and `maxRSS` is this parser's peak. Prints one JSON line (ChildReport) on stdout.
 *
 *   node dist/bench/parsers/child.js <parser> <min-ms> <file>...
 *
 * Each file is parsed once, and again until `min-ms` has passed, so tiny fixtures are timed over many runs.
 */

export const PARSERS = ['mt940', 'mt940js', 'camt.053', 'camt-parser'] as const;
export type ParserName = (typeof PARSERS)[number];

export interface FileResult {
  file: string;
  bytes: number;
  /** Entries (bookings) the parser returned. */
  entries: number;
  warnings: number;
  runs: number;
  /** Mean milliseconds per parse. */
  ms: number;
  error?: string;
}

export interface ChildReport {
  results: FileResult[];
  /** Resident set size once every file was read into a string, before any parse: the floor under the peak. */
  rssLoadedKiB: number;
  maxRssKiB: number;
}

interface Mt940jsStatement {
  transactions: unknown[];
}
// mt940js ships no type declarations, so it is required with the shape this benchmark uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser: Mt940js } = require('mt940js') as { Parser: new () => { parse(text: string): Mt940jsStatement[] } };

const entriesOf = (file: StatementFile) =>
  file.statements.reduce((sum, statement) => sum + statement.entries.length, 0);

type Parse = (text: string) => Promise<{ entries: number; warnings: number }>;

const PARSE: Readonly<Record<ParserName, Parse>> = {
  mt940: async (text) => {
    const file = parseMt940(text);
    return { entries: entriesOf(file), warnings: file.warnings.length };
  },
  mt940js: async (text) => {
    const statements = new Mt940js().parse(text);
    return { entries: statements.reduce((sum, s) => sum + s.transactions.length, 0), warnings: 0 };
  },
  'camt.053': async (text) => {
    const file = parseCamt053(text);
    return { entries: entriesOf(file), warnings: file.warnings.length };
  },
  'camt-parser': async (text) => {
    const document = await camtParser(text);
    return { entries: document.statements.reduce((sum, s) => sum + s.transactions.length, 0), warnings: 0 };
  },
};

async function measure(parse: Parse, file: string, text: string, minMs: number): Promise<FileResult> {
  const bytes = Buffer.byteLength(text, 'utf8');
  let runs = 0;
  let entries: number;
  let warnings: number;
  const started = performance.now();
  try {
    do {
      ({ entries, warnings } = await parse(text));
      runs += 1;
    } while (performance.now() - started < minMs);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { file, bytes, entries: 0, warnings: 0, runs: 0, ms: 0, error: message };
  }
  return { file, bytes, entries, warnings, runs, ms: (performance.now() - started) / runs };
}

async function main([parser, minMs, ...files]: string[]): Promise<void> {
  if (!PARSERS.includes(parser as ParserName) || !/^\d+$/.test(minMs ?? '') || files.length === 0) {
    throw new Error(`usage: child.js ${PARSERS.join('|')} <min-ms> <file>...`);
  }
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  const rssLoadedKiB = Math.round(process.memoryUsage().rss / 1024);
  const results: FileResult[] = [];
  for (const [i, file] of files.entries()) {
    results.push(await measure(PARSE[parser as ParserName], file, texts[i], Number(minMs)));
  }
  const report: ChildReport = { results, rssLoadedKiB, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
