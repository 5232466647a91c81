import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { callbackUrl } from '../activities/onboarding';
import { SANDBOX_CLIENT_ID } from '../banks/registry';
import type { ManagedChild } from '../bin/stack/child';
import { productDataConverter } from '../bin/stack/data-converter';
import { ensureDatabase, APP_DATABASE } from '../bin/stack/database';
import { secretKeys } from '../bin/stack/keys';
import { startMaildev } from '../bin/stack/maildev';
import { waitForPort } from '../bin/stack/ports';
import { startEmbeddedPostgres } from '../bin/stack/postgres';
import { freePort, resolveTemporalCli } from '../bin/stack/provision';
import { startTemporalDevServer } from '../bin/stack/temporal-dev-server';
import { startSandboxBank, type RunningSandboxBank } from '../sandbox/bank';
import { startSandboxKvk } from '../sandbox/kvk';
import { NodeProcess, outputContains } from './node-process';

/**
 * The whole product on free ports, each part a process of its own where a fault must hit it alone: PostgreSQL
 * (embedded, under a temporary DATA_DIR), the Temporal dev server (its SQLite file survives a restart, and with it
 * every workflow), maildev (its mail directory survives a restart, so the inbox can be compared at the end), the
 * API and two workers (the product's own entry points). The sandbox bank and KvK run in this process: their faults
 * are injected through the bank's own levers, and the final audit reads the bank's ledger directly.
 */
export interface ChaosStack {
  apiUrl: string;
  mailUrl: string;
  databaseUrl: string;
  dataDir: string;
  bank: RunningSandboxBank;
  temporal: Client;
  workers: NodeProcess[];
  /** Stops it, leaves it down for downMs (staff and clients keep going meanwhile), starts it on the same data. */
  restartTemporal(downMs: number): Promise<void>;
  restartPostgres(downMs: number): Promise<void>;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The sandbox caps a consent's unattended calls a day at 4 by default (plain PSD2). The product asks for 6 (the
 * agreement level of R-V5), so the run raises the sandbox's cap to 6: every onboarding's consent then gets what the
 * product asks and the product's own count (domain/bank-allowance.ts) and the bank's agree. The bank's clock is
 * not advanced: the product counts by its own clock, so a sandbox day ending early would only make the two disagree.
 * Runs refused because the day's calls are used remain: they are an expected outcome, never counted as lost.
 */
const BANK_DAILY_CAP = 6;

export async function startChaosStack(say: (line: string) => void): Promise<ChaosStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bankkoppeling-chaos-'));
  // Run as root, PostgreSQL runs as the postgres user, which must be able to enter its data directory.
  await chmod(dataDir, 0o755);
  const logDir = path.join(dataDir, 'logs');
  await mkdir(logDir);
  const ports = {
    api: await freePort(),
    postgres: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
    smtp: await freePort(),
    mailWeb: await freePort(),
    bank: await freePort(),
    kvk: await freePort(),
  };
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => say(`  while stopping: ${error}`));
  };
  try {
    const pgDir = path.join(dataDir, 'postgres');
    let postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: ports.postgres });
    stops.push(() => postgres.stop());
    await ensureDatabase(postgres.serverUrl, APP_DATABASE);
    const databaseUrl = `${postgres.serverUrl}/${APP_DATABASE}`;

    const cliPath = await resolveTemporalCli(say);
    if (!cliPath) throw new Error('no Temporal CLI: run `npm run provision`');
    const temporalOptions = {
      cliPath,
      dataDir: path.join(dataDir, 'temporal'),
      port: ports.temporal,
      uiPort: ports.temporalUi,
      namespace: 'default',
    };
    let temporalServer: ManagedChild = await startTemporalDevServer(temporalOptions);
    stops.push(() => temporalServer.stop());

    const mailOptions = { smtpPort: ports.smtp, webPort: ports.mailWeb, mailDirectory: path.join(dataDir, 'mail') };
    let maildev: ManagedChild | null = await startMaildev(mailOptions);
    stops.push(() => maildev?.stop() ?? Promise.resolve());

    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const bank = await startSandboxBank({ port: ports.bank, maxFrequencyPerDay: BANK_DAILY_CAP });
    bank.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [callbackUrl(apiUrl)] });
    stops.push(() => bank.close());
    const kvk = await startSandboxKvk(ports.kvk);
    stops.push(() => kvk.close());

    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_URL: `http://127.0.0.1:${ports.temporalUi}`,
      SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
      SANDBOX_BANK_URL: bank.url,
      KVK_API_URL: kvk.url,
      PUBLIC_BASE_URL: apiUrl,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      // Every client journey comes from an address of its own, as real clients do behind the TLS proxy.
      TRUST_PROXY: '1',
    };
    const bin = path.join(__dirname, '..', 'bin');
    const api = new NodeProcess(
      'api',
      path.join(bin, 'api.js'),
      { ...env, PORT: String(ports.api), LOG_LEVEL: 'warn' },
      logDir,
      () => waitForPort(ports.api, 60_000),
    );
    await api.start();
    stops.push(() => api.stop());
    const workers = [1, 2].map(
      (n) =>
        new NodeProcess(
          `worker-${n}`,
          path.join(bin, 'worker.js'),
          { ...env, LOG_LEVEL: 'info' },
          logDir,
          outputContains('worker polling task queue', 120_000),
        ),
    );
    for (const worker of workers) {
      await worker.start();
      stops.push(() => worker.stop());
    }
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    stops.push(() => connection.close());
    // The product's codec: schedules and histories hold encrypted payloads that the audit reads.
    const dataConverter = productDataConverter(secretKeys({ secretsKey: env.SECRETS_KEY!, secretsKeyPrevious: null }));

    return {
      apiUrl,
      mailUrl: `http://127.0.0.1:${ports.mailWeb}`,
      databaseUrl,
      dataDir,
      bank,
      temporal: new Client({ connection, namespace: 'default', dataConverter }),
      workers,
      async restartTemporal(downMs) {
        await temporalServer.stop();
        await sleep(downMs);
        temporalServer = await startTemporalDevServer(temporalOptions);
      },
      async restartPostgres(downMs) {
        await postgres.stop();
        await sleep(downMs);
        postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: ports.postgres });
      },
      async stopSmtp() {
        await maildev?.stop();
        maildev = null;
      },
      async startSmtp() {
        maildev ??= await startMaildev(mailOptions);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
