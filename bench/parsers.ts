import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildReport, FileResult, ParserName } from './parsers/child';
import { type GeneratedFile, generateCamt053, generateMt940 } from './parsers/generate';
import { runChild } from './support/child';

/**
 * `npm run bench -- parsers [--mb N]`: this project's MT940 and camt.053 parsers against the npm packages
 * mt940js and camt-parser, on the fixtures and on generated files of N MB (default 50) and N/5 MB, one parser
 * run per child process (see parsers/child.ts), each generated file `--repeat` times (default 3). The last line
 * compares throughput on the N MB files.
 */

const MiB = 1 << 20;
const SEED = 940_053;
/** Fixtures are a few KB; one parse would time the JIT warming up, not the parser. */
const FIXTURE_MIN_MS = 1_000;
const FIXTURES = resolve(__dirname, '../../../shared/fixtures/bank-files');

interface Format {
  name: 'mt940' | 'camt.053';
  ours: ParserName;
  theirs: ParserName;
  /** Fixture folder under FIXTURES; fixtures and generated files share the extension. */
  folder: string;
  extension: string;
  generate: (path: string, minBytes: number, seed: number) => Promise<GeneratedFile>;
}

interface Row {
  format: string;
  input: string;
  parser: ParserName;
  result: Measured | { error: string };
}

interface Measured {
  bytes: number;
  entries: number;
  warnings: number;
  ms: number;
  runs: number;
  maxRssKiB: number;
  rssLoadedKiB: number;
}

const FORMATS: readonly Format[] = [
  { name: 'mt940', ours: 'mt940', theirs: 'mt940js', folder: 'mt940', extension: 'sta', generate: generateMt940 },
  {
    name: 'camt.053',
    ours: 'camt.053',
    theirs: 'camt-parser',
    folder: 'camt053',
    extension: 'xml',
    generate: generateCamt053,
  },
];

type Outcome = ChildReport | { error: string };

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { mb: { type: 'string', default: '50' }, repeat: { type: 'string', default: '3' } },
  });
  const mb = Number(values.mb);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`--mb must be a positive number, not "${values.mb}"`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new Error(`--repeat must be a positive integer, not "${values.repeat}"`);
  }
  // The smaller file shows whether peak memory follows the file's size.
  const sizes = [...new Set([Math.max(1, Math.round(mb / 5)), mb])];

  console.log(`parsers benchmark: node ${process.version} ${process.platform}-${process.arch}, 1 MB = 2^20 bytes`);
  console.log(
    `each parser runs in a fresh process; a generated file's figures are the fastest of ${repeat} runs and the ` +
      `highest peak RSS; fixtures are parsed over and over for ${FIXTURE_MIN_MS / 1000} s each`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'bench-parsers-'));
  try {
    console.log(`generating into ${dir} (seed ${SEED})`);
    const generated = new Map<Format, GeneratedFile[]>();
    for (const format of FORMATS) generated.set(format, await generateSizes(format, sizes, dir));

    console.log('');
    console.log(header());
    const ratios: string[] = [];
    const ourPeaks: string[] = [];
    for (const format of FORMATS) {
      const files = fixtures(format);
      if (files.length === 0) console.log(`${format.name}: no fixtures found under ${FIXTURES}, skipped`);
      else for (const row of await fixtureRows(format, files)) console.log(line(row));
      const throughput = new Map<ParserName, number>();
      for (const [i, file] of (generated.get(format) ?? []).entries()) {
        const size = sizes[i];
        for (const row of await generatedRows(format, file, `generated ${size} MB`, repeat)) {
          console.log(line(row));
          if ('error' in row.result) continue;
          if (row.result.entries !== file.entries) {
            console.log(`  ! ${row.parser} returned ${row.result.entries} entries; the file has ${file.entries}`);
          }
          if (size === mb) throughput.set(row.parser, row.result.bytes / row.result.ms);
          if (row.parser === format.ours) {
            ourPeaks.push(
              `${format.name} ${size} MB file ${megabytes(row.result.maxRssKiB)} (after reading the file: ` +
                `${megabytes(row.result.rssLoadedKiB)})`,
            );
          }
        }
      }
      const ours = throughput.get(format.ours);
      const theirs = throughput.get(format.theirs);
      ratios.push(`${format.name} ${ours && theirs ? `${fixed(ours / theirs)}x` : 'n/a'} ${format.theirs}`);
    }

    console.log('');
    console.log(`this project's peak RSS: ${ourPeaks.join('; ')}`);
    console.log(`parsers: ${ratios.join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function generateSizes(format: Format, sizes: number[], dir: string): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const size of sizes) {
    const started = Date.now();
    const path = join(dir, `${format.name}-${size}mb.${format.extension}`);
    const file = await format.generate(path, size * MiB, SEED);
    files.push(file);
    console.log(
      `  ${basename(path).padEnd(22)} ${fixed(file.bytes / MiB)} MB  ${grouped(file.entries)} entries in ` +
        `${grouped(file.statements)} statements  (${fixed((Date.now() - started) / 1000)} s)`,
    );
  }
  return files;
}

/** Both parsers over one generated file, `repeat` fresh processes each. */
async function generatedRows(format: Format, file: GeneratedFile, input: string, repeat: number): Promise<Row[]> {
  const parsers = [format.ours, format.theirs];
  const outcomes = new Map<ParserName, Outcome[]>(parsers.map((parser) => [parser, []]));
  // Alternating the parsers spreads a busy neighbour's load over both instead of one.
  for (let i = 0; i < repeat; i++) {
    for (const parser of parsers) outcomes.get(parser)?.push(await child(parser, 0, [file.path]));
  }
  return parsers.map((parser) => toRow(format.name, input, parser, fastest(outcomes.get(parser) ?? [])));
}

function fixtures(format: Format): string[] {
  const dir = join(FIXTURES, format.folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(`.${format.extension}`) && !name.includes('.invalid.'))
    .map((name) => join(dir, name));
}

/**
 * Both parsers over the fixtures, each figure summed over the fixtures both could read, so one parser's
 * failures do not flatter or hurt its throughput; the failures are listed.
 */
async function fixtureRows(format: Format, files: string[]): Promise<Row[]> {
  const reports = [
    [format.ours, await child(format.ours, FIXTURE_MIN_MS, files)],
    [format.theirs, await child(format.theirs, FIXTURE_MIN_MS, files)],
  ] as const;
  const failed = new Set<string>();
  for (const [, report] of reports) {
    if ('error' in report) continue;
    for (const result of report.results) if (result.error !== undefined) failed.add(result.file);
  }
  const input = `fixtures (${files.length - failed.size}/${files.length})`;
  const rows: Row[] = [];
  for (const [parser, report] of reports) {
    if ('error' in report) {
      rows.push({ format: format.name, input, parser, result: report });
      continue;
    }
    const common = report.results.filter((result) => !failed.has(result.file));
    const sum = (pick: (result: FileResult) => number) => common.reduce((total, result) => total + pick(result), 0);
    const result: Row['result'] =
      common.length === 0
        ? { error: 'no fixture that both parsers read' }
        : {
            bytes: sum((r) => r.bytes),
            entries: sum((r) => r.entries),
            warnings: sum((r) => r.warnings),
            ms: sum((r) => r.ms),
            runs: Math.min(...common.map((r) => r.runs)),
            maxRssKiB: report.maxRssKiB,
            rssLoadedKiB: report.rssLoadedKiB,
          };
    rows.push({ format: format.name, input, parser, result });
    for (const failure of report.results) {
      if (failure.error === undefined) continue;
      rows.push({ format: '', input: `  ${basename(failure.file)}`, parser, result: { error: failure.error } });
    }
  }
  return rows;
}

/** The fastest run stands for the parser (noise only ever slows a run down); memory is the worst seen. */
function fastest(reports: Outcome[]): Outcome {
  const succeeded = reports.filter((report): report is ChildReport => !('error' in report) && !report.results[0].error);
  if (succeeded.length === 0) return reports[0] ?? { error: 'not run' };
  const best = succeeded.reduce((a, b) => (b.results[0].ms < a.results[0].ms ? b : a));
  return {
    results: [{ ...best.results[0], runs: succeeded.length }],
    rssLoadedKiB: best.rssLoadedKiB,
    maxRssKiB: Math.max(...succeeded.map((report) => report.maxRssKiB)),
  };
}

function toRow(format: string, input: string, parser: ParserName, report: Outcome): Row {
  if ('error' in report) return { format, input, parser, result: report };
  const [result] = report.results;
  if (result.error !== undefined) return { format, input, parser, result: { error: result.error } };
  const { maxRssKiB, rssLoadedKiB } = report;
  return { format, input, parser, result: { ...result, maxRssKiB, rssLoadedKiB } };
}

const COLUMNS = [
  ['format', 9],
  ['input', 26],
  ['parser', 12],
  ['MB/s', 8],
  ['entries/s', 11],
  ['entries', 9],
  ['warnings', 9],
  ['runs', 6],
  ['peak RSS', 10],
  ['RSS loaded', 11],
] as const;

function header(): string {
  return COLUMNS.map(([title, width], i) => (i < 3 ? title.padEnd(width) : title.padStart(width))).join(' ');
}

function line(row: Row): string {
  const start = [row.format, row.input, row.parser].map((text, i) => text.padEnd(COLUMNS[i][1])).join(' ');
  if ('error' in row.result) return `${start} failed: ${row.result.error.split('\n', 1)[0].slice(0, 140)}`;
  const r = row.result;
  const seconds = r.ms / 1000;
  const cells = [
    fixed(r.bytes / MiB / seconds),
    grouped(Math.round(r.entries / seconds)),
    grouped(r.entries),
    grouped(r.warnings),
    grouped(r.runs),
    megabytes(r.maxRssKiB),
    megabytes(r.rssLoadedKiB),
  ];
  return `${start} ${cells.map((cell, i) => cell.padStart(COLUMNS[i + 3][1])).join(' ')}`;
}

/** Runs child.js; a crash (out of memory, say) becomes an error row rather than ending the benchmark. */
async function child(parser: ParserName, minMs: number, files: string[]): Promise<Outcome> {
  const outcome = await runChild<ChildReport>([
    join(__dirname, 'parsers', 'child.js'),
    parser,
    String(minMs),
    ...files,
  ]);
  return 'report' in outcome
    ? outcome.report
    : { error: `exit ${outcome.exit}: ${lastMeaningfulLine(outcome.stderr)}` };
}

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  return lines.find((l) => /heap out of memory|Error/i.test(l)) ?? lines.at(-1) ?? 'no output';
}

function megabytes(kib: number): string {
  return `${fixed(kib / 1024, 0)} MB`;
}

function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function grouped(value: number): string {
  return value.toLocaleString('en-US');
}
