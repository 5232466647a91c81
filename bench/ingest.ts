import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, type Connection, type Submittable } from 'pg';
import { ingestPage, type IngestTarget } from '../db/ingest';
import { ensureDatabase, quoteIdent } from '../bin/stack/database';
import { BankAccount, Environment, Organization, TransactionCodeRule } from '../db/entities';
import { migrate, openOrm } from '../db/orm';
import {
  OccurrenceCounter,
  prepareRows,
  type IncomingEntry,
  type IngestPolicy,
  type IngestRow,
} from '../domain/ingest';
import { runChild } from './support/child';
import { dutchMonthName } from '../domain/amsterdam-time';
import { openPostgres } from './support/postgres';
import { Random } from './support/random';

/**
 * `npm run bench -- ingest [--count N] [--page P]`: N generated transactions (default 1,000,000) through the real
 * ingest path (prepareRows + ingestPage, pages of P rows, default 5,000, like bank API pages or a large statement
 * file) into PostgreSQL, then the same N again (all duplicates), then a raw COPY of the same rows into a table
 * of the same shape. Each phase runs in a fresh child process, so its peak RSS is its own and one phase's heap
 * and JIT state do not colour another's time. The last line compares ingest with COPY.
 */

const SEED = 20_261_126;
const DEFAULT_COUNT = 1_000_000;
const DEFAULT_PAGE = 5_000;
const SOURCE = 'api' as const;
/** The API imports from the switch-over day on; the generated history starts after it, so nothing is skipped. */
const POLICY: IngestPolicy = { source: SOURCE, switchOverDate: '2000-01-01' };
/** Big enough that the socket, not the per-write overhead, sets COPY's pace. */
const COPY_CHUNK_CHARS = 1 << 18;

type Mode = 'prepare' | 'ingest' | 'copy';

interface ChildConfig {
  mode: Mode;
  databaseUrl: string;
  count: number;
  pageSize: number;
  organizationId: string;
  bankAccountId: string;
  /** COPY only: the table to copy into. */
  table?: string;
}

interface ChildReport {
  rows: number;
  pages: number;
  /** Wall time from the first generated entry to the last committed row. */
  ms: number;
  /** Parts of `ms`: generating entries, prepareRows, and the database step (ingestPage, or COPY serialise + send). */
  generateMs: number;
  prepareMs: number;
  databaseMs: number;
  imported: number;
  duplicates: number;
  maxRssKiB: number;
  /** Heap still reachable after a full GC at the end of the import: what the import holds, not V8's headroom. */
  retainedHeapKiB: number;
  /** CPU time of this process and of its PostgreSQL backend (null when /proc cannot show it): on a shared machine
   * these move much less with the neighbours' load than wall time does. */
  cpuMs: number;
  serverCpuMs: number | null;
  stats: DataStats;
}

interface DataStats {
  days: number;
  firstDate: string;
  lastDate: string;
  withBankReference: number;
  /** Rows with occurrence > 0: the second of two identical payments on one day. */
  repeats: number;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string', default: String(DEFAULT_COUNT) },
      page: { type: 'string', default: String(DEFAULT_PAGE) },
    },
  });
  const count = positiveInteger('--count', values.count);
  const pageSize = positiveInteger('--page', values.page);

  const server = await openPostgres('ingest');
  const databaseName = `bench_ingest_${randomBytes(4).toString('hex')}`;
  try {
    await ensureDatabase(server.serverUrl, databaseName);
    const databaseUrl = `${server.serverUrl}/${databaseName}`;
    const { organizationId, bankAccountId, rules } = await setUp(databaseUrl);
    const base = { databaseUrl, count, pageSize, organizationId, bankAccountId };

    const control = new Client({ connectionString: databaseUrl });
    await control.connect();
    try {
      const version = (await control.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
      console.log(
        `ingest benchmark: ${grouped(count)} transactions in pages of ${grouped(pageSize)}, node ${process.version} ` +
          `${process.platform}-${process.arch}, PostgreSQL ${version} (${server.description})`,
      );
      console.log(
        'every phase runs in a fresh child process and starts after a CHECKPOINT with no autovacuum worker busy, so none ' +
          `pays for another's dirty pages or cleanup; load average at start ${fixed(loadavg()[0], 1)} on ` +
          `${availableParallelism()} CPUs (under load, the CPU times printed move less than wall times)`,
      );
      const prepared = await child({ ...base, mode: 'prepare' });
      const s = prepared.stats;
      console.log(
        `data: ${grouped(s.days)} business days ${s.firstDate} .. ${s.lastDate} (~${grouped(Math.round(prepared.rows / s.days))} a day), ` +
          `${percent(s.withBankReference / prepared.rows)} with a bank reference, ${grouped(s.repeats)} repeats of an ` +
          `identical payment on the same day; ${rules} transaction-code rules`,
      );
      console.log(
        `generate + prepareRows alone (no database): ${seconds(prepared.ms)}, ${grouped(perSecond(prepared))} tx/s ` +
          `(generate ${seconds(prepared.generateMs)}, prepareRows ${seconds(prepared.prepareMs)}), peak RSS ${mib(prepared.maxRssKiB)}, ` +
          `heap still reachable at the end ${mib(prepared.retainedHeapKiB)}`,
      );

      await checkpoint(control);
      const first = await child({ ...base, mode: 'ingest' });
      const stored = await storedTotals(control, bankAccountId);
      console.log(
        `ingest (prepareRows + ingestPage, ${grouped(first.pages)} pages, one transaction each): ${seconds(first.ms)}, ` +
          `${grouped(perSecond(first))} tx/s, imported ${grouped(first.imported)}, peak RSS ${mib(first.maxRssKiB)}, ${cpu(first)}`,
      );
      console.log(
        `  of which generate ${seconds(first.generateMs)}, prepareRows ${seconds(first.prepareMs)}, ingestPage ${seconds(first.databaseMs)}; ` +
          `stored ${grouped(stored.transactions)} transactions in ${grouped(stored.statements)} daily statements ` +
          `(statement counts sum to ${grouped(stored.statementCounts)}), ${grouped(stored.booked)} booked by a rule`,
      );
      console.log(
        `  heap still reachable at the end of the import ${mib(first.retainedHeapKiB)} (after a full GC; the rest of the ` +
          'peak RSS is heap V8 had not yet collected or returned)',
      );
      if (first.imported !== count || stored.transactions !== count || stored.statementCounts !== count) {
        console.log(`  ! expected ${grouped(count)} transactions everywhere`);
      }

      // By the next fetch autovacuum has long vacuumed and analysed the table; without it the re-ingest would be
      // planned for the empty table the first ingest started with, or share the CPU with autovacuum catching up.
      await control.query('VACUUM ANALYZE bank_transaction, daily_statement');
      await checkpoint(control);
      const again = await child({ ...base, mode: 'ingest' });
      const after = await storedTotals(control, bankAccountId);
      console.log(
        `re-ingest (same ${grouped(count)}, after VACUUM ANALYZE): ${seconds(again.ms)}, imported ${grouped(again.imported)}, ` +
          `duplicates ${grouped(again.duplicates)}, peak RSS ${mib(again.maxRssKiB)}, ${cpu(again)}; of which generate ${seconds(again.generateMs)}, ` +
          `prepareRows ${seconds(again.prepareMs)}, ingestPage ${seconds(again.databaseMs)}`,
      );
      if (
        again.imported !== 0 ||
        after.transactions !== stored.transactions ||
        after.statementCounts !== stored.statementCounts
      ) {
        console.log('  ! the re-ingest changed the stored data');
      }

      // Same columns, checks, primary key, unique dedupe index and secondary indexes as bank_transaction: COPY
      // pays the index maintenance ingest pays. LIKE copies no foreign keys, so COPY skips the checks ingest does.
      await control.query('CREATE TABLE copy_target (LIKE bank_transaction INCLUDING ALL)');
      await checkpoint(control);
      const copied = await child({ ...base, mode: 'copy', table: 'copy_target' });
      console.log(
        `COPY FROM STDIN into copy_target (LIKE bank_transaction INCLUDING ALL: same columns, checks, primary key, ` +
          `unique (bank_account_id, dedupe_key) and both secondary indexes; no foreign keys), one statement: ` +
          `${seconds(copied.ms)}, ${grouped(perSecond(copied))} rows/s, peak RSS ${mib(copied.maxRssKiB)}, ${cpu(copied)}`,
      );
      console.log(
        `  of which generate ${seconds(copied.generateMs)}, prepareRows ${seconds(copied.prepareMs)}, ` +
          `serialise + send ${seconds(copied.databaseMs)}; sent through a minimal copy-in Submittable on pg's own ` +
          'protocol messages (pg-copy-streams is not installed)',
      );

      await control.query('CREATE TABLE copy_bare (LIKE bank_transaction INCLUDING DEFAULTS)');
      await checkpoint(control);
      const bare = await child({ ...base, mode: 'copy', table: 'copy_bare' });
      console.log(
        `COPY into copy_bare (same columns, no index or constraint), for reference: ${seconds(bare.ms)}, ` +
          `${grouped(perSecond(bare))} rows/s, ${cpu(bare)}`,
      );

      console.log(
        `re-ingest (all duplicates): ${fixed(again.ms / 1000, 1)} s = ${fixed((100 * again.ms) / first.ms, 1)}% of first ingest`,
      );
      const ingestRate = perSecond(first);
      const copyRate = perSecond(copied);
      console.log(`ingest: ${ingestRate} tx/s, copy: ${copyRate} rows/s, ratio ${fixed(ingestRate / copyRate, 2)}`);
    } finally {
      await control.end();
    }
  } finally {
    await server.drop(databaseName);
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Database setup

/** An office with one bank account and the transaction-code rules a real office keeps, so ingest books some. */
async function setUp(databaseUrl: string): Promise<{ organizationId: string; bankAccountId: string; rules: number }> {
  const orm = await openOrm(databaseUrl, { pool: { min: 0, max: 2 } });
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const organization = em.create(Organization, { name: 'Administratiekantoor Benchmark B.V.', staffEmail: null });
    const environment = em.create(Environment, {
      organization,
      name: 'Hoofdadministratie',
      kind: 'main',
      parent: null,
    });
    const account = em.create(BankAccount, {
      organization,
      environment,
      journal: null,
      name: 'ING zakelijk',
      type: 'current',
      iban: ownIban(),
      currency: 'EUR',
      ledgerAccount: '1100',
      lastCheck: null,
    });
    const world = new World(SEED);
    const rules = world.rules();
    for (const [i, rule] of rules.entries()) {
      em.create(TransactionCodeRule, {
        organization,
        code: rule.code,
        description: rule.description,
        bankTransactionCode: rule.bankTransactionCode ?? null,
        counterpartyIban: rule.counterpartyIban ?? null,
        descriptionContains: rule.descriptionContains ?? null,
        ledgerAccount: rule.ledgerAccount,
        priority: 10 + i,
      });
    }
    await em.flush();
    return { organizationId: organization.id, bankAccountId: account.id, rules: rules.length };
  } finally {
    await orm.close(true);
  }
}

/**
 * Starts a phase on a quiet server: no dirty pages of the last phase to write, no autovacuum worker still busy
 * with its tables. CHECKPOINT needs a superuser (the embedded server); elsewhere the phases share checkpoints.
 */
async function checkpoint(client: Client): Promise<void> {
  await client.query('CHECKPOINT').catch(() => undefined);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()",
    );
    if (Number(rows[0].n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function storedTotals(client: Client, bankAccountId: string) {
  const { rows } = await client.query<{
    transactions: string;
    booked: string;
    statements: string;
    statement_counts: string;
  }>(
    `SELECT (SELECT count(*) FROM bank_transaction WHERE bank_account_id = $1) AS transactions,
            (SELECT count(*) FROM bank_transaction WHERE bank_account_id = $1 AND booked_by = 'rule') AS booked,
            count(*) AS statements, coalesce(sum(transaction_count), 0) AS statement_counts
     FROM daily_statement WHERE bank_account_id = $1`,
    [bankAccountId],
  );
  const row = rows[0];
  return {
    transactions: Number(row.transactions),
    booked: Number(row.booked),
    statements: Number(row.statements),
    statementCounts: Number(row.statement_counts),
  };
}

/** Runs this file as a child in one mode; a crash ends the benchmark with the child's message. */
async function child(config: ChildConfig): Promise<ChildReport> {
  const outcome = await runChild<ChildReport>(['--expose-gc', __filename, 'child', JSON.stringify(config)]);
  if ('report' in outcome) return outcome.report;
  throw new Error(`${config.mode} child failed (${outcome.exit}): ${outcome.stderr.trim() || outcome.stdout.trim()}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The child: one phase, streaming. Entries are generated lazily page by page; only one page is ever held.

async function childMain(config: ChildConfig): Promise<ChildReport> {
  switch (config.mode) {
    case 'prepare':
      return measure(config, null, async () => undefined);
    case 'ingest': {
      // One connection, so one backend does all the database work and its CPU time can be read.
      const orm = await openOrm(config.databaseUrl, { pool: { min: 1, max: 1 } });
      try {
        const target: IngestTarget = {
          organizationId: config.organizationId,
          bankAccountId: config.bankAccountId,
          source: SOURCE,
        };
        const [{ pid }] = await orm.em.getConnection().execute<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
        return await measure(config, pid, async (rows) => ingestPage(orm.em.fork(), target, rows));
      } finally {
        await orm.close(true);
      }
    }
    case 'copy': {
      const client = new Client({ connectionString: config.databaseUrl });
      await client.connect();
      try {
        const { pid } = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0];
        const copy = client.query(
          new CopyIn(`COPY ${quoteIdent(config.table ?? 'copy_target')} (${COPY_COLUMNS.join(', ')}) FROM STDIN`),
        );
        await copy.started;
        const line = copyLine(config, new Date().toISOString());
        let buffered = '';
        const report = await measure(
          config,
          pid,
          async (rows) => {
            for (const row of rows) {
              buffered += line(row);
              if (buffered.length >= COPY_CHUNK_CHARS) {
                await copy.write(buffered);
                buffered = '';
              }
            }
            return { imported: rows.length, duplicates: 0 };
          },
          async () => {
            if (buffered) await copy.write(buffered);
            copy.end();
            const copiedRows = await copy.done;
            if (copiedRows !== config.count)
              throw new Error(`COPY reported ${copiedRows} rows, expected ${config.count}`);
          },
        );
        return report;
      } finally {
        await client.end();
      }
    }
  }
}

/**
 * What an import keeps from page to page (its OccurrenceCounter), held here so the retained-heap figure still counts
 * it after the last page: V8 may drop a local that no later line reads.
 */
const heldByImport: unknown[] = [];

/** User + system time of a local process from /proc; null for a remote server or without /proc. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

type PageSink = (rows: IngestRow[]) => Promise<{ imported: number; duplicates: number } | undefined>;

async function measure(
  config: ChildConfig,
  serverPid: number | null,
  sink: PageSink,
  finish: () => Promise<void> = async () => undefined,
): Promise<ChildReport> {
  const counter = new OccurrenceCounter();
  heldByImport.push(counter);
  const source = transactions(config.count, SEED)[Symbol.iterator]();
  const stats: DataStats = { days: 0, firstDate: '', lastDate: '', withBankReference: 0, repeats: 0 };
  let rows = 0;
  let pages = 0;
  let imported = 0;
  let duplicates = 0;
  let generateMs = 0;
  let prepareMs = 0;
  let databaseMs = 0;
  const serverCpuBefore = serverPid === null ? null : processCpuMs(serverPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (;;) {
    const t0 = performance.now();
    const page: IncomingEntry[] = [];
    for (let next = source.next(); ; next = source.next()) {
      if (next.done) break;
      page.push(next.value);
      if (page.length === config.pageSize) break;
    }
    const t1 = performance.now();
    generateMs += t1 - t0;
    if (page.length === 0) break;
    const prepared = prepareRows(page, POLICY, counter).rows;
    const t2 = performance.now();
    prepareMs += t2 - t1;
    const result = await sink(prepared);
    databaseMs += performance.now() - t2;
    imported += result?.imported ?? 0;
    duplicates += result?.duplicates ?? 0;
    rows += prepared.length;
    pages += 1;
    for (const row of prepared) {
      if (row.bookingDate !== stats.lastDate) {
        stats.days += 1;
        stats.lastDate = row.bookingDate;
        if (!stats.firstDate) stats.firstDate = row.bookingDate;
      }
      if (row.bankReference !== null) stats.withBankReference += 1;
      if (row.occurrence > 0) stats.repeats += 1;
    }
  }
  const t3 = performance.now();
  await finish();
  databaseMs += performance.now() - t3;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  (globalThis as { gc?: () => void }).gc?.();
  const retainedHeapKiB = Math.round(process.memoryUsage().heapUsed / 1024);
  const serverCpuAfter = serverPid === null ? null : processCpuMs(serverPid);
  const serverCpuMs = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  return {
    rows,
    pages,
    ms,
    generateMs,
    prepareMs,
    databaseMs,
    imported,
    duplicates,
    maxRssKiB: process.resourceUsage().maxRSS,
    retainedHeapKiB,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverCpuMs,
    stats,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// COPY FROM STDIN without pg-copy-streams: pg runs any Submittable and hands it the protocol messages; this one
// answers CopyInResponse by letting the caller stream CopyData, as pg-copy-streams does.

const COPY_COLUMNS = [
  'id',
  'organization_id',
  'bank_account_id',
  'daily_statement_id',
  'dedupe_key',
  'fingerprint',
  'occurrence',
  'source',
  'booking_date',
  'value_date',
  'amount_cents',
  'currency',
  'counterparty_iban',
  'counterparty_name',
  'description',
  'end_to_end_id',
  'bank_reference',
  'bank_transaction_code',
  'ledger_account',
  'booked_by',
  'rule_id',
  'imported_at',
];

/** What a copy-in needs of pg's Connection: public methods, but not in @types/pg. */
interface CopyWire {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

class CopyIn implements Submittable {
  readonly started: Promise<void>;
  readonly done: Promise<number>;
  private wire: CopyWire | null = null;
  private failure: Error | null = null;
  private rowCount = 0;
  private onStarted: () => void = () => undefined;
  private onStartFailed: (error: Error) => void = () => undefined;
  private onDone: (rows: number) => void = () => undefined;
  private onFailed: (error: Error) => void = () => undefined;

  constructor(private readonly sql: string) {
    this.started = new Promise((resolve, reject) => {
      this.onStarted = resolve;
      this.onStartFailed = reject;
    });
    this.done = new Promise((resolve, reject) => {
      this.onDone = resolve;
      this.onFailed = reject;
    });
    // Whichever the caller is not awaiting at the moment of a failure must not become an unhandled rejection.
    this.started.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  submit(connection: Connection): void {
    this.wire = connection as unknown as CopyWire;
    this.wire.query(this.sql);
  }

  handleCopyInResponse(): void {
    this.onStarted();
  }

  handleCopyData(): void {}

  handleCommandComplete(message: { text?: string }): void {
    this.rowCount = Number(/COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    if (!this.failure) this.onDone(this.rowCount);
  }

  handleError(error: Error): void {
    this.failure = error;
    this.onStartFailed(error);
    this.onFailed(error);
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    const wire = this.wire as CopyWire;
    wire.sendCopyFromChunk(Buffer.from(text, 'utf8'));
    if (wire.stream.writableNeedDrain) await once(wire.stream, 'drain');
  }

  end(): void {
    if (!this.failure) this.wire?.endCopyFrom();
  }
}

/** COPY text format: tab-separated, `\N` for NULL, backslash escapes for backslash, tab, newline and return. */
function copyLine(config: ChildConfig, importedAt: string): (row: IngestRow) => string {
  const prefix = `${config.organizationId}\t${config.bankAccountId}\t`;
  const text = (value: string | null) =>
    value === null
      ? '\\N'
      : /[\\\t\n\r]/.test(value)
        ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c)
        : value;
  // A raw COPY has no statements to point at; a stable id per day keeps the column as wide as ingest's.
  const statementId = (date: string) => `00000000-0000-4000-8000-0000${date.replace(/-/g, '')}`;
  return (row) =>
    `${randomUUID()}\t${prefix}${statementId(row.bookingDate)}\t${text(row.dedupeKey)}\t${row.fingerprint}\t${row.occurrence}\t` +
    `${SOURCE}\t${row.bookingDate}\t${row.valueDate}\t${row.amountCents}\t${text(row.currency)}\t${text(row.counterpartyIban)}\t` +
    `${text(row.counterpartyName)}\t${text(row.description)}\t${text(row.endToEndId)}\t${text(row.bankReference)}\t` +
    `${text(row.bankTransactionCode)}\t\\N\t\\N\t\\N\t${importedAt}\n`;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

// ---------------------------------------------------------------------------------------------------------------
// Generated transactions: one busy business account's history, as a bank lists it (day by day, in order).

interface Party {
  name: string;
  iban: string | null;
}

interface RuleSpec {
  code: string;
  description: string;
  ledgerAccount: string;
  bankTransactionCode?: string;
  counterpartyIban?: string;
  descriptionContains?: string;
}

const BANK_CODES = ['INGB', 'RABO', 'ABNA', 'KNAB', 'SNSB', 'TRIO', 'ASNB', 'BUNQ'];
const FAMILY_NAMES = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'de Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'van Leeuwen',
  'Dekker',
  'Brouwer',
  'de Wit',
  'Dijkstra',
  'Smits',
  'de Graaf',
  'van der Meer',
  'Kok',
  'Jacobs',
  'de Haan',
  'Vermeulen',
  'van Dijk',
  'Willems',
  'Yılmaz',
  'El Amrani',
];
const TRADES = [
  'Bakkerij',
  'Installatiebedrijf',
  'Transportbedrijf',
  'Advocatenkantoor',
  'Tandartspraktijk',
  'Bouwbedrijf',
  'Autobedrijf',
  'Hoveniersbedrijf',
  'Schildersbedrijf',
  'Adviesbureau',
  'Drukkerij',
  'Café',
  'Webshop',
];
const LEGAL_FORMS = ['B.V.', 'V.O.F.', '', 'Holding B.V.'];
const INITIALS = ['J.', 'M.', 'A.', 'P.', 'H.', 'J.P.', 'M.C.', 'W.', 'E.', 'R.', 'C.J.M.'];
const COLLECTORS: readonly (readonly [string, string, string])[] = [
  ['KPN B.V.', 'Factuur {n} Zakelijk Mobiel', '4510'],
  ['Eneco Zakelijk B.V.', 'Termijnbedrag {m} klantnummer {k}', '4310'],
  ['Coöperatie VGZ U.A.', 'Premie zorgverzekering {m} relatienummer {k}', '4120'],
  ['Belastingdienst', 'Omzetbelasting betalingskenmerk {k}', '1520'],
  ['Ziggo Services B.V.', 'Zakelijk internet {m} klant {k}', '4520'],
  ['Achmea Schadeverzekeringen N.V.', 'Bedrijfsaansprakelijkheid polis {k}', '4610'],
];
const SHOPS = [
  'Albert Heijn 1403',
  'Jumbo Supermarkten',
  'Shell Station A12',
  'Gamma Bouwmarkt',
  'Praxis',
  'Coolblue B.V.',
  'Action 2231',
  'Bol.com B.V.',
  'Kruidvat 7721',
  'Makro Amsterdam',
  'Sligro Zwolle',
  'Esso Express',
  'Q-Park Utrecht',
  'Café De Gouden Leeuw',
];
const CITIES = ['Amsterdam', 'Rotterdam', 'Utrecht', "'s-Hertogenbosch", 'Zwolle', 'Groningen', 'Eindhoven', 'Haarlem'];

/** The account's counterparties, fixed by the seed so the parent (rules) and the children (rows) agree. */
class World {
  readonly customers: Party[];
  readonly suppliers: Party[];
  readonly collectors: (Party & { template: string; ledgerAccount: string })[];

  constructor(seed: number) {
    const random = new Random(seed ^ 0x5eed);
    const company = (): Party => ({
      name: `${random.pick(TRADES)} ${random.pick(FAMILY_NAMES)} ${random.pick(LEGAL_FORMS)}`.trim(),
      iban: iban(random.pick(BANK_CODES), random.digits(10)),
    });
    const person = (): Party => ({
      name: `${random.pick(INITIALS)} ${random.pick(FAMILY_NAMES)}`,
      iban: iban(random.pick(BANK_CODES), random.digits(10)),
    });
    this.customers = Array.from({ length: 3_000 }, () => (random.chance(0.3) ? person() : company()));
    this.suppliers = Array.from({ length: 400 }, company);
    this.collectors = COLLECTORS.map(([name, template, ledgerAccount]) => ({
      name,
      template,
      ledgerAccount,
      iban: iban(random.pick(BANK_CODES), random.digits(10)),
    }));
  }

  rules(): RuleSpec[] {
    return [
      { code: 'BANKKOSTEN', description: 'Bankkosten', ledgerAccount: '4910', bankTransactionCode: 'ACMT/MDOP/CHRG' },
      { code: 'SALARIS', description: 'Nettolonen', ledgerAccount: '4000', bankTransactionCode: 'PMNT/ICDT/SALA' },
      ...this.collectors.map((collector, i) => ({
        code: `INCASSO${i + 1}`,
        description: `Incasso ${collector.name}`,
        ledgerAccount: collector.ledgerAccount,
        bankTransactionCode: 'PMNT/IDDT/ESDD',
        counterpartyIban: collector.iban ?? undefined,
      })),
      { code: 'BRANDSTOF-SHELL', description: 'Brandstof', ledgerAccount: '4410', descriptionContains: 'shell' },
      { code: 'BRANDSTOF-ESSO', description: 'Brandstof', ledgerAccount: '4410', descriptionContains: 'esso' },
      { code: 'PARKEREN', description: 'Parkeerkosten', ledgerAccount: '4420', descriptionContains: 'q-park' },
      { code: 'KANTINE', description: 'Kantinekosten', ledgerAccount: '4900', descriptionContains: 'albert heijn' },
    ];
  }
}

/** An NL IBAN whose check digits pass mod-97, as a real one would. */
function iban(bankCode: string, account: string): string {
  const numeric = `${[...bankCode].map((c) => c.charCodeAt(0) - 55).join('')}${account}232100`;
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `NL${String(98 - remainder).padStart(2, '0')}${bankCode}${account}`;
}

function ownIban(): string {
  return iban('INGB', '0001234567');
}

const DAY_MS = 86_400_000;
/** ~200 a day over business days: 1,000,000 rows span some 19 years of one busy account. */
const PER_DAY = [150, 250] as const;
/** The second of two identical payments on one day (two coffees at the same bar). */
const REPEAT_CHANCE = 0.01;

function* transactions(count: number, seed: number): Generator<IncomingEntry> {
  const random = new Random(seed);
  const world = new World(seed);
  let reference = 0;
  const bankReference = (date: string) =>
    `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}${String(++reference).padStart(10, '0')}`;
  let produced = 0;
  for (let day = Date.UTC(2007, 0, 2); produced < count; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(day).toISOString().slice(0, 10);
    const today = Math.min(count - produced, random.int(PER_DAY[0], PER_DAY[1]));
    for (let i = 0; i < today; i++) {
      const entry = payment(random, world, date, bankReference);
      yield entry;
      produced += 1;
      if (i + 1 < today && random.chance(REPEAT_CHANCE)) {
        // The bank numbers each entry, so a repeat gets its own reference where the bank gives one.
        yield { ...entry, bankReference: entry.bankReference === null ? null : bankReference(date) };
        produced += 1;
        i += 1;
      }
    }
  }
}

function payment(random: Random, world: World, date: string, bankReference: (date: string) => string): IncomingEntry {
  const roll = random.next();
  const year = date.slice(0, 4);
  const month = dutchMonthName(date);
  const base = {
    bookingDate: date,
    valueDate: date,
    currency: 'EUR',
    booked: true,
    bankReference: bankReference(date),
  };
  if (roll < 0.3) {
    const customer = random.pick(world.customers);
    const invoice = `${year}-${random.digits(5)}`;
    const structured = random.chance(0.2);
    return {
      ...base,
      amountCents: random.int(1_500, 2_500_000),
      counterpartyIban: customer.iban,
      counterpartyName: customer.name,
      endToEndId: random.chance(0.4) ? null : `${random.digits(8)}-INV${invoice}`,
      description: structured ? random.digits(16) : `Factuur ${invoice} debiteurnr ${random.digits(5)}`,
      bankTransactionCode: 'PMNT/RCDT/ESCT',
    };
  }
  if (roll < 0.45) {
    const supplier = random.pick(world.suppliers);
    return {
      ...base,
      amountCents: -random.int(2_000, 1_500_000),
      counterpartyIban: supplier.iban,
      counterpartyName: supplier.name,
      endToEndId: `PAY${date.replace(/-/g, '')}${random.digits(6)}`,
      description: `Factuur ${random.digits(6)} ${random.pick(['inkoop', 'materiaal', 'diensten', 'huur'])} ${month}`,
      bankTransactionCode: 'PMNT/ICDT/ESCT',
    };
  }
  if (roll < 0.55) {
    const collector = random.pick(world.collectors);
    return {
      ...base,
      amountCents: -random.int(1_000, 350_000),
      counterpartyIban: collector.iban,
      counterpartyName: collector.name,
      endToEndId: random.digits(18),
      description: collector.template
        .replace('{n}', random.digits(10))
        .replace('{m}', `${month} ${year}`)
        .replace('{k}', random.digits(9)),
      bankTransactionCode: 'PMNT/IDDT/ESDD',
    };
  }
  if (roll < 0.97) {
    const shop = random.pick(SHOPS);
    const time = `${String(random.int(7, 21)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}`;
    return {
      ...base,
      // Card payments are where banks most often give no entry reference of their own.
      bankReference: random.chance(0.6) ? base.bankReference : null,
      valueDate: random.chance(0.2) ? new Date(Date.parse(date) - DAY_MS).toISOString().slice(0, 10) : date,
      amountCents: -random.int(150, 25_000),
      counterpartyIban: null,
      counterpartyName: shop,
      endToEndId: null,
      description: `BEA, Betaalpas ${shop},PAS${random.digits(3)} ${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(2, 4)}/${time} ${random.pick(CITIES)}`,
      bankTransactionCode: 'PMNT/CCRD/POSD',
    };
  }
  if (roll < 0.99) {
    const size = random.int(3, 60);
    return {
      ...base,
      amountCents: -random.int(250_000 * size, 450_000 * size),
      counterpartyIban: null,
      counterpartyName: null,
      endToEndId: `SAL${date.replace(/-/g, '')}${random.digits(4)}`,
      description: `Salarisbetalingen ${month} ${year} totaal ${size} posten`,
      bankTransactionCode: 'PMNT/ICDT/SALA',
    };
  }
  return {
    ...base,
    amountCents: -random.int(500, 6_000),
    counterpartyIban: null,
    counterpartyName: 'ING Bank N.V.',
    endToEndId: null,
    description: `Kosten zakelijk betalingsverkeer ${month} ${year}`,
    bankTransactionCode: 'ACMT/MDOP/CHRG',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

function positiveInteger(name: string, value: string | undefined): number {
  const n = Number(value?.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not "${value}"`);
  return n;
}

function perSecond(report: ChildReport): number {
  return Math.round(report.rows / (report.ms / 1000));
}

function cpu(report: ChildReport): string {
  const server = report.serverCpuMs === null ? 'n/a' : seconds(report.serverCpuMs);
  return `CPU node ${seconds(report.cpuMs)} + postgres backend ${server}`;
}

function seconds(ms: number): string {
  return `${fixed(ms / 1000, 1)} s`;
}

function mib(kib: number): string {
  return `${fixed(kib / 1024, 0)} MB`;
}

function percent(share: number): string {
  return `${fixed(share * 100, 1)}%`;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function grouped(value: number): string {
  return value.toLocaleString('en-US');
}

if (require.main === module) {
  const [role, json] = process.argv.slice(2);
  if (role !== 'child' || json === undefined) {
    process.stderr.write('run this benchmark with `npm run bench -- ingest [--count N]`\n');
    process.exitCode = 2;
  } else {
    childMain(JSON.parse(json) as ChildConfig).then(
      (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
