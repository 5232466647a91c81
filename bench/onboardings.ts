import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../api/app';
import { createKvkClient } from '../kvk/client';
import { ensureDatabase } from '../bin/stack/database';
import { loadConfig, type Config } from '../bin/config';
import { buildActivityDeps } from '../bin/stack/activity-deps';
import { buildApiServices } from '../bin/stack/api-services';
import { createLogger } from '../bin/stack/logger';
import { resolveTemporalCli, serverExecutable } from '../bin/stack/provision';
import { productDataConverter } from '../bin/stack/data-converter';
import { secretKeys } from '../bin/stack/keys';
import { createWorker } from '../bin/stack/worker';
import { ApiKey, Environment, Organization } from '../db/entities';
import { migrate, openOrm } from '../db/orm';
import { mintApiKey } from '../domain/api-key';
import { startSandboxKvk } from '../sandbox/kvk';
import { TEST_REGISTRATIONS } from '../sandbox/kvk/test-data';
import { onboardingStartOptions } from '../workflows/onboarding/contract';
import { onboardingWorkflow } from '../workflows/onboarding/workflow';
import { openPostgres } from './support/postgres';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * `npm run bench -- onboardings [--count N] [--concurrency C] [--rounds R]`: N onboardings (default 10,000) started
 * through the staff API (`POST /api/onboardings`, the real Express app in this process, with its PostgreSQL rows,
 * audit event and search attributes), which then wait for consent on one worker with the real activities (sandbox
 * KvK, outbox, e-mail through nodemailer's JSON transport); beside them, in the same run, N bare
 * `client.workflow.start` calls of the onboarding workflow on a task queue no worker polls, which costs the start
 * path alone. The two kinds alternate in R rounds (ABBA order), so both see the same server state and the same
 * background work of the worker; C requests of one kind are in flight at a time. The worker runs in a child
 * process, as `npm run worker` does (bin/stack/worker.ts's createWorker, bundling the workflows at start); its peak
 * RSS is read when all N onboardings wait for consent. The CPU time each process of the run spent during each kind
 * of start is printed too (from /proc), since on a small machine they all share the same cores.
 *
 * Experiments (each says so in the output; their figures are not the benchmark's):
 *   --no-worker                 starts only, nothing waits for consent
 *   --bare-as-api               bare starts carry the API's search attributes, static summary and details
 *   --max-cached-workflows M    the worker's sticky cache capped at M
 *   --worker-max-old-space MB   the worker runs with node --max-old-space-size=MB (the SDK sizes its cache by it)
 */

const DEFAULT_COUNT = 10_000;
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_ROUNDS = 10;
const TASK_QUEUE = 'bank-connections-bench';
const WAIT_TIMEOUT_MS = 60 * 60_000;
const BANKS = ['INGB', 'RABO', 'ABNA'] as const;
const TARGET_RSS_MIB = 1024;
const TARGET_RATIO = 0.8;

interface WorkerChildConfig {
  env: Record<string, string>;
  /** Experiment only: a worker like createWorker's with this sticky cache size. */
  maxCachedWorkflows: number | null;
  /** Experiment only: node --max-old-space-size for the worker process. */
  maxOldSpaceMb: number | null;
}

type ToWorker = { type: 'report' } | { type: 'stop' };
type FromWorker =
  | { type: 'ready'; report: WorkerReport; createMs: number; heapLimitBytes: number; maxCachedWorkflows: number }
  | { type: 'report'; report: WorkerReport }
  | { type: 'error'; message: string };

interface WorkerReport {
  maxRssKiB: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  cachedWorkflows: number;
}

interface Tenant {
  organizationId: string;
  environmentId: string;
  key: string;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string', default: String(DEFAULT_COUNT) },
      concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      rounds: { type: 'string', default: String(DEFAULT_ROUNDS) },
      'no-worker': { type: 'boolean', default: false },
      'bare-as-api': { type: 'boolean', default: false },
      'max-cached-workflows': { type: 'string' },
      'worker-max-old-space': { type: 'string' },
    },
  });
  const workerMaxOldSpace =
    values['worker-max-old-space'] === undefined
      ? null
      : positiveInteger('--worker-max-old-space', values['worker-max-old-space']);
  const maxCachedWorkflows =
    values['max-cached-workflows'] === undefined
      ? null
      : positiveInteger('--max-cached-workflows', values['max-cached-workflows']);
  const withWorker = !values['no-worker'];
  const bareAsApi = values['bare-as-api'] ?? false;
  const count = positiveInteger('--count', values.count);
  const concurrency = positiveInteger('--concurrency', values.concurrency);
  const rounds = Math.min(positiveInteger('--rounds', values.rounds), count);

  const cleanups: (() => Promise<unknown>)[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.reverse())
        await cleanup().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    })());
  // Ctrl-C stops the servers and the worker this run started, and removes its temporary PostgreSQL cluster.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping\n`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const postgres = await openPostgres('onboardings');
    cleanups.push(postgres.dispose);
    const databaseName = `bench_onboardings_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(postgres.serverUrl, databaseName);
    cleanups.push(() => postgres.drop(databaseName));
    const databaseUrl = `${postgres.serverUrl}/${databaseName}`;

    const cli = await resolveTemporalCli((line) => process.stderr.write(`${line}\n`));
    const secretsKey = randomBytes(32).toString('base64');
    const env = await TestWorkflowEnvironment.createLocal({
      // The product's payload codec, as the API and the workers use it: its cost is part of what is measured.
      client: { dataConverter: productDataConverter(secretKeys({ secretsKey, secretsKeyPrevious: null })) },
      server: {
        executable: serverExecutable(cli),
        searchAttributes: SEARCH_ATTRIBUTES,
        ui: false,
        log: { format: 'pretty', level: 'error' },
      },
    });
    cleanups.push(() => env.teardown());
    const kvk = await startSandboxKvk(0);
    cleanups.push(() => kvk.close());

    const orm = await openOrm(databaseUrl);
    cleanups.push(() => orm.close(true));
    await migrate(orm);

    // The API's own address is in every link the activities write, so it is bound before the worker starts.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => closeServer(server));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const configEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SECRETS_KEY: secretsKey,
      KVK_API_URL: kvk.url,
      // The bank is not reached before consent; nothing listens here.
      SANDBOX_BANK_URL: 'http://127.0.0.1:9',
      PUBLIC_BASE_URL: apiUrl,
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(configEnv);

    const kvkNumbers = await registeredKvkNumbers(config);
    const tenantCount = Math.ceil(count / kvkNumbers.length);
    const tenants = await createTenants(orm, tenantCount);

    // pino-http logs every request at info, as in production; here into /dev/null, so the cost stays and the noise goes.
    const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
    const app = createApp(buildApiServices(config, orm, env.client), {
      log,
      publicBaseUrl: apiUrl,
      // The limiter guards against one misbehaving client; the benchmark is one client on purpose.
      apiRateLimitPerMinute: 10_000_000,
    });
    server.on('request', app);

    console.log(
      `onboardings benchmark: ${grouped(count)} through the staff API and ${grouped(count)} bare starts, concurrency ${concurrency}, ` +
        `${rounds} alternating rounds; node ${process.version} ${process.platform}-${process.arch}, Temporal CLI dev server ` +
        `(${cli ?? 'SDK download'}, in-memory SQLite), PostgreSQL (${postgres.description})`,
    );
    console.log(
      `tenants: ${grouped(tenantCount)} offices with one environment each, KvK numbers ${kvkNumbers.join(', ')} (sandbox KvK), banks ${BANKS.join('/')}`,
    );

    const experiments = [
      !withWorker && '--no-worker (no worker runs; nothing waits for consent)',
      bareAsApi && "--bare-as-api (bare starts carry the API's search attributes, summary and details)",
      workerMaxOldSpace !== null &&
        `--worker-max-old-space ${workerMaxOldSpace} (the worker runs with node --max-old-space-size=${workerMaxOldSpace}, which also lowers the SDK's default sticky cache)`,
      maxCachedWorkflows !== null &&
        `--max-cached-workflows ${maxCachedWorkflows} (the worker's sticky cache is capped; bin/stack/worker.ts does not cap it)`,
    ].filter(Boolean);
    if (experiments.length) console.log(`EXPERIMENT: ${experiments.join(', ')}; not the benchmark's own figures`);
    const worker = withWorker
      ? await startWorkerChild({ env: configEnv, maxCachedWorkflows, maxOldSpaceMb: workerMaxOldSpace })
      : null;
    if (worker) {
      cleanups.push(() => worker.stop());
      console.log(
        `worker: child process ${worker.pid}, V8 heap limit ${mib(worker.heapLimitBytes / 1024)}, sticky cache up to ${grouped(worker.maxCachedWorkflows)} workflows, created in ${seconds(worker.createMs)} (bundling the workflows at start), RSS after start ${mib(worker.atStart.rssBytes / 1024)}, peak so far ${mib(worker.atStart.maxRssKiB)}`,
      );
    }

    const onboardingsBody = (i: number) => {
      const tenant = tenants[Math.floor(i / kvkNumbers.length)]!;
      return {
        key: tenant.key,
        body: {
          flavour: 'activation-link',
          environmentId: tenant.environmentId,
          bank: BANKS[Math.floor(i / kvkNumbers.length) % BANKS.length],
          client: { kvkNumber: kvkNumbers[i % kvkNumbers.length], email: `klant-${i}@bench.test` },
          language: 'nl',
        },
      };
    };
    const bareQueue = `bench-bare-${randomUUID()}`;
    const bareOrganization = tenants[0]!.organizationId;

    const startViaApi = async (i: number) => {
      const { key, body } = onboardingsBody(i);
      const response = await fetch(`${apiUrl}/api/onboardings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 201)
        throw new Error(`POST /api/onboardings answered ${response.status}: ${text.slice(0, 300)}`);
    };
    const startBare = async (i: number) => {
      const { body } = onboardingsBody(i);
      await env.client.workflow.start(onboardingWorkflow, {
        taskQueue: bareQueue,
        workflowId: `bench-bare:${i}`,
        args: [{ onboardingId: randomUUID(), organizationId: bareOrganization, flavour: 'activation-link' }],
        ...(bareAsApi
          ? onboardingStartOptions({
              organizationId: bareOrganization,
              environment: { id: body.environmentId, name: 'Hoofdadministratie' },
              flavour: 'activation-link',
              bank: body.bank,
              kvkNumber: body.client.kvkNumber,
              restartOf: null,
            })
          : {}),
      });
    };

    const timing = { api: 0, bare: 0 };
    const cpu = { api: emptyCpu(), bare: emptyCpu() };
    const firstStart = performance.now();
    const boundaries = Array.from({ length: rounds + 1 }, (_, r) => Math.round((r * count) / rounds));
    for (let r = 0; r < rounds; r++) {
      const from = boundaries[r]!;
      const to = boundaries[r + 1]!;
      const indices = Array.from({ length: to - from }, (_, k) => from + k);
      const order: ('api' | 'bare')[] = r % 2 === 0 ? ['api', 'bare'] : ['bare', 'api'];
      for (const kind of order) {
        const started = performance.now();
        const cpuBefore = await cpuByProcess(worker?.pid ?? null);
        await pool(indices, concurrency, kind === 'api' ? startViaApi : startBare);
        timing[kind] += performance.now() - started;
        addCpu(cpu[kind], cpuBefore, await cpuByProcess(worker?.pid ?? null));
      }
      if (r === 0 && rounds > 1)
        process.stdout.write(
          `  round 1 of ${rounds}: api ${rate(to - from, timing.api)}/s, bare ${rate(to - from, timing.bare)}/s\n`,
        );
    }
    const startsDone = performance.now();

    const apiRate = (count * 1000) / timing.api;
    const bareRate = (count * 1000) / timing.bare;
    console.log(
      `api starts: ${grouped(count)} in ${seconds(timing.api)}, ${apiRate.toFixed(1)} starts/s (POST /api/onboardings, 201 each)`,
    );
    console.log(
      `bare starts: ${grouped(count)} in ${seconds(timing.bare)}, ${bareRate.toFixed(1)} starts/s (client.workflow.start, no worker on the queue)`,
    );
    for (const kind of ['api', 'bare'] as const) {
      const c = cpu[kind];
      console.log(
        `  CPU per start while ${kind} starts ran (ms, all processes of the run): this process ${perStart(c.self, count)}, Temporal server ${perStart(c.temporal, count)}, ` +
          `PostgreSQL ${perStart(c.postgres, count)}, worker ${perStart(c.worker, count)}; ${availableCpus()} CPUs`,
      );
    }
    if (!worker) {
      console.log(
        `onboardings: 0 waiting (--no-worker), worker rss - MiB, api/bare start rate ${(apiRate / bareRate).toFixed(2)}`,
      );
      return;
    }

    const waited = await waitForConsentWaiting(orm, count, (line) => console.log(line));
    const allWaiting = performance.now();
    const report = await worker.report();
    console.log(
      `all ${grouped(waited)} waiting for consent ${seconds(allWaiting - firstStart)} after the first start ` +
        `(${seconds(allWaiting - startsDone)} after the last), ${(waited / ((allWaiting - firstStart) / 1000)).toFixed(1)} onboardings/s end to end`,
    );
    console.log(
      `worker: peak RSS ${mib(report.maxRssKiB)}, RSS now ${mib(report.rssBytes / 1024)}, V8 heap used ${mib(report.heapUsedBytes / 1024)}, ` +
        `external ${mib(report.externalBytes / 1024)}, ${grouped(report.cachedWorkflows)} workflows in the sticky cache`,
    );
    const rssMib = report.maxRssKiB / 1024;
    const ratio = apiRate / bareRate;
    console.log(
      `targets: worker RSS <= ${TARGET_RSS_MIB} MiB ${rssMib <= TARGET_RSS_MIB ? 'met' : 'MISSED'}; api/bare >= ${TARGET_RATIO.toFixed(2)} ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}`,
    );
    console.log(
      `onboardings: ${waited} waiting, worker rss ${Math.round(rssMib)} MiB, api/bare start rate ${ratio.toFixed(2)}`,
    );
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The worker child: what bin/worker.ts does, with e-mail into nodemailer's JSON transport.

async function workerChild(): Promise<void> {
  const send = (message: FromWorker) => process.send?.(message);
  try {
    const config = loadConfig(JSON.parse(process.env.BENCH_WORKER_ENV ?? '{}') as Record<string, string>);
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    const log = createLogger(config.logLevel, 'worker');
    const orm = await openOrm(config.databaseUrl!);
    const activityDeps = await buildActivityDeps(config, orm, log);
    activityDeps.deps.mailer.close();
    activityDeps.deps.mailer = nodemailer.createTransport({ jsonTransport: true });
    const created = performance.now();
    const maxCached = process.env.BENCH_MAX_CACHED_WORKFLOWS ? Number(process.env.BENCH_MAX_CACHED_WORKFLOWS) : null;
    const { worker, connection } = await createWorker({
      temporal: config.temporal,
      deps: activityDeps.deps,
      dataConverter: productDataConverter(secretKeys(config)),
      ...(maxCached === null ? {} : { maxCachedWorkflows: maxCached }),
    });
    const createMs = performance.now() - created;
    const running = worker.run();
    const report = (): WorkerReport => {
      const memory = process.memoryUsage();
      return {
        maxRssKiB: process.resourceUsage().maxRSS,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
        cachedWorkflows: worker.getStatus().numCachedWorkflows,
      };
    };
    process.on('message', (message: ToWorker) => {
      if (message.type === 'report') send({ type: 'report', report: report() });
      if (message.type === 'stop') {
        worker.shutdown();
        void running
          .then(async () => {
            await connection.close();
            await activityDeps.close();
            await orm.close();
          })
          .finally(() => process.exit(0));
      }
    });
    send({
      type: 'ready',
      report: report(),
      createMs,
      heapLimitBytes: getHeapStatistics().heap_size_limit,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
    });
    await running;
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
}

interface WorkerHandle {
  pid: number;
  createMs: number;
  heapLimitBytes: number;
  maxCachedWorkflows: number;
  atStart: WorkerReport;
  report(): Promise<WorkerReport>;
  stop(): Promise<void>;
}

async function startWorkerChild(config: WorkerChildConfig): Promise<WorkerHandle> {
  const child: ChildProcess = fork(__filename, ['worker'], {
    env: {
      ...process.env,
      BENCH_WORKER_ENV: JSON.stringify(config.env),
      ...(config.maxCachedWorkflows === null ? {} : { BENCH_MAX_CACHED_WORKFLOWS: String(config.maxCachedWorkflows) }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: config.maxOldSpaceMb === null ? [] : [`--max-old-space-size=${config.maxOldSpaceMb}`],
  });
  const next = <T extends FromWorker['type']>(type: T) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'error') reject(new Error(`worker child failed: ${message.message}`));
        else if (message.type === type) resolve(message as Extract<FromWorker, { type: T }>);
        else return;
        cleanup();
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`worker child exited (${code})`));
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  const ready = await next('ready');
  return {
    pid: child.pid!,
    createMs: ready.createMs,
    heapLimitBytes: ready.heapLimitBytes,
    maxCachedWorkflows: ready.maxCachedWorkflows,
    atStart: ready.report,
    report: async () => {
      const answer = next('report');
      child.send({ type: 'report' } satisfies ToWorker);
      return (await answer).report;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Set-up

/** One office per KvK number round (R-A9 allows one open onboarding per client, bank and environment). */
async function createTenants(orm: MikroORM, n: number): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  const batch = 500;
  for (let from = 0; from < n; from += batch) {
    const em = orm.em.fork();
    const created = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const organization = em.create(Organization, {
        name: `Administratiekantoor ${i + 1}`,
        staffEmail: `backoffice-${i + 1}@bench.test`,
      });
      const environment = em.create(Environment, {
        organization,
        name: 'Hoofdadministratie',
        kind: 'main',
        parent: null,
      });
      const minted = mintApiKey();
      em.create(ApiKey, {
        organization,
        role: 'staff',
        name: 'bench',
        prefix: minted.prefix,
        secretHash: minted.secretHash,
      });
      created.push({ organization, environment, key: minted.key });
    }
    // Ids are assigned at flush.
    await em.flush();
    for (const { organization, environment, key } of created)
      tenants.push({ organizationId: organization.id, environmentId: environment.id, key });
  }
  return tenants;
}

/** The sandbox KvK's registrations that a lookup finds (prepare rejects the others). */
async function registeredKvkNumbers(config: Config): Promise<string[]> {
  const client = createKvkClient({ baseUrl: config.kvk.baseUrl, apiKey: config.kvk.apiKey });
  const found: string[] = [];
  for (const { kvkNummer } of TEST_REGISTRATIONS)
    if ((await client.lookup(kvkNummer)).kind === 'found') found.push(kvkNummer);
  if (!found.length) throw new Error('the sandbox KvK finds none of its registrations');
  return found;
}

async function waitForConsentWaiting(orm: MikroORM, count: number, say: (line: string) => void): Promise<number> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let lastSaid = Date.now();
  for (;;) {
    const rows = await orm.em
      .fork()
      .getConnection()
      .execute<{ status: string; n: string }[]>('SELECT status, count(*) AS n FROM onboarding GROUP BY status');
    const byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
    const waiting = byStatus.waiting_for_consent ?? 0;
    if (waiting >= count) return waiting;
    const other = Object.entries(byStatus).filter(
      ([status]) => status !== 'waiting_for_consent' && status !== 'preparing',
    );
    if (other.length)
      throw new Error(`onboardings ended up elsewhere than waiting for consent: ${JSON.stringify(byStatus)}`);
    if (Date.now() > deadline)
      throw new Error(
        `after ${WAIT_TIMEOUT_MS / 60_000} minutes only ${waiting} of ${count} wait for consent: ${JSON.stringify(byStatus)}`,
      );
    if (Date.now() - lastSaid >= 15_000) {
      say(
        `  ${grouped(waiting)} of ${grouped(count)} waiting for consent, ${grouped(byStatus.preparing ?? 0)} preparing`,
      );
      lastSaid = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CPU time of every process of the run, from /proc (Linux; elsewhere the figures stay 0)

interface Cpu {
  self: number;
  temporal: number;
  postgres: number;
  worker: number;
}

function emptyCpu(): Cpu {
  return { self: 0, temporal: 0, postgres: 0, worker: 0 };
}

function addCpu(total: Cpu, before: Cpu, after: Cpu): void {
  for (const key of Object.keys(total) as (keyof Cpu)[]) total[key] += after[key] - before[key];
}

/** User + system milliseconds of this process and its descendants, by kind. */
async function cpuByProcess(workerPid: number | null): Promise<Cpu> {
  const result = emptyCpu();
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const stats = new Map<number, { ppid: number; comm: string; ms: number }>();
  await Promise.all(
    entries
      .filter((entry) => /^[0-9]+$/.test(entry))
      .map(async (entry) => {
        const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
        if (!text) return;
        const close = text.lastIndexOf(')');
        const comm = text.slice(text.indexOf('(') + 1, close);
        const fields = text.slice(close + 2).split(' ');
        // Fields after the name: state ppid ... utime stime cutime cstime (14th to 17th of the line), in clock ticks
        // (100 a second). cutime/cstime hold the children that ended and were reaped (PostgreSQL's closed backends).
        const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
        stats.set(Number(entry), { ppid: Number(fields[1]), comm, ms: ticks * 10 });
      }),
  );
  const kindOf = (pid: number): keyof Cpu | null => {
    for (let current = pid, depth = 0; depth < 10; depth++) {
      if (current === process.pid) return 'self';
      if (current === workerPid) return 'worker';
      const stat = stats.get(current);
      if (!stat) return null;
      const parent = stats.get(stat.ppid);
      if (stat.ppid === process.pid || parent?.ppid === process.pid) {
        if (stat.comm.startsWith('temporal')) return 'temporal';
        if (stat.comm.startsWith('postgres')) return 'postgres';
      }
      current = stat.ppid;
    }
    return null;
  };
  for (const [pid, stat] of stats) {
    const kind = kindOf(pid);
    if (kind) result[kind] += stat.ms;
  }
  return result;
}

function perStart(ms: number, count: number): string {
  return (ms / count).toFixed(2);
}

function availableCpus(): number {
  return availableParallelism();
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Runs fn over the items with at most `concurrency` in flight; the first error stops the run. */
async function pool(items: number[], concurrency: number, fn: (item: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function positiveInteger(name: string, raw: string | undefined): number {
  const value = Number(raw?.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function mib(kib: number): string {
  return `${Math.round(kib / 1024)} MiB`;
}

function rate(n: number, ms: number): string {
  return ((n * 1000) / ms).toFixed(1);
}

if (require.main === module && process.argv[2] === 'worker') void workerChild();
