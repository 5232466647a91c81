import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import pino from 'pino';
import path from 'node:path';
import { callbackUrl } from '../activities/onboarding';
import { createApp } from '../api/app';
import { runOnboardingStartReconciler } from '../api/onboarding-start';
import { SANDBOX_CLIENT_ID } from '../banks/registry';
import { loadConfig, type Config } from '../bin/config';
import { buildActivityDeps } from '../bin/stack/activity-deps';
import { buildApiServices } from '../bin/stack/api-services';
import { openDatabase } from '../bin/stack/database';
import { productDataConverter } from '../bin/stack/data-converter';
import { secretKeys } from '../bin/stack/keys';
import { startMaildev } from '../bin/stack/maildev';
import { freePort, resolveTemporalCli } from '../bin/stack/provision';
import { devSecretsKey } from '../bin/stack/secrets-key';
import { connectTemporal } from '../bin/stack/temporal';
import { startTemporalDevServer } from '../bin/stack/temporal-dev-server';
import { createWorker } from '../bin/stack/worker';
import { createDemoDataIfEmpty } from '../db/demo-data';
import { migrate, openOrm } from '../db/orm';
import type { MikroORM } from '@mikro-orm/postgresql';
import { startSandboxBank } from '../sandbox/bank';
import { startSandboxKvk } from '../sandbox/kvk';

export interface FuzzStack {
  /** Where the API listens, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** maildev's web server, whose REST API lists the e-mails the stack sent. */
  mailboxUrl: string;
  orm: MikroORM;
  stop(): Promise<void>;
}

export interface FuzzStackOptions {
  /**
   * The staff API's requests per minute per client. The fuzz is one client sending thousands of requests a minute;
   * under the product's default (600) most answers would be the 429 of the limiter and the handlers behind it
   * would go untested. The limit itself is checked by test/integration, and 429 stays in every operation's
   * documented responses.
   */
  apiRateLimitPerMinute: number;
  say: (line: string) => void;
}

/**
 * The product's whole development stack, composed from bin/stack as `npm start` composes it, on free ports and an
 * embedded PostgreSQL under a fresh temporary DATA_DIR, so a fuzz run never meets another stack or old data.
 */
export async function startFuzzStack(options: FuzzStackOptions): Promise<FuzzStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bankkoppeling-fuzz-'));
  // Run as root, embedded PostgreSQL runs as the postgres user, who must be able to pass through (not list) it.
  await chmod(dataDir, 0o711);
  const stops: { name: string; stop: () => Promise<void> }[] = [
    { name: 'data directory', stop: () => rm(dataDir, { recursive: true, force: true }) },
  ];
  const stop = async () => {
    for (const { name, stop: stopOne } of stops.reverse()) {
      await stopOne().catch((error: unknown) => options.say(`stopping ${name}: ${String(error)}`));
    }
  };
  try {
    const config = await fuzzConfig(dataDir);
    // Only errors (a 5xx names its cause here), and on stderr: stdout is for the fuzz line alone.
    const log = pino({ name: 'bankkoppeling-fuzz', level: 'error' }, pino.destination(2));
    options.say('Starting PostgreSQL…');
    const db = await openDatabase(config);
    stops.push({ name: 'PostgreSQL', stop: () => db.close() });
    const orm = await openOrm(db.url);
    stops.push({ name: 'ORM', stop: () => orm.close() });
    await migrate(orm);
    await createDemoDataIfEmpty(orm.em.fork());

    const appConfig = { ...config, secretsKey: await devSecretsKey(dataDir) };
    const dataConverter = productDataConverter(secretKeys(appConfig));
    // No codec server: nobody reads the Temporal UI during a fuzz run.
    const cliPath = await resolveTemporalCli(options.say);
    if (!cliPath) throw new Error('no Temporal CLI (npm run provision says why)');
    options.say('Starting the Temporal dev server…');
    const temporalServer = await startTemporalDevServer({
      cliPath,
      dataDir,
      port: config.temporalDevServer.port,
      uiPort: config.temporalDevServer.uiPort,
      namespace: config.temporal.namespace,
    });
    stops.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });
    const maildev = await startMaildev(config.maildev);
    stops.push({ name: 'maildev', stop: () => maildev.stop() });
    const bank = await startSandboxBank({ port: config.sandboxBankPort });
    bank.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [callbackUrl(config.publicBaseUrl)] });
    stops.push({ name: 'sandbox bank', stop: () => bank.close() });
    const kvk = await startSandboxKvk(config.sandboxKvkPort);
    stops.push({ name: 'sandbox KvK', stop: () => kvk.close() });

    options.say('Starting the worker (bundling workflows)…');
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    const activityDeps = await buildActivityDeps(appConfig, orm, log);
    const { worker, connection } = await createWorker({
      temporal: config.temporal,
      deps: activityDeps.deps,
      dataConverter,
    });
    const running = worker.run();
    stops.push({
      name: 'worker',
      stop: async () => {
        worker.shutdown();
        await running;
        await connection.close();
        await activityDeps.close();
      },
    });
    const temporal = await connectTemporal(config.temporal, dataConverter);
    stops.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
    const services = buildApiServices(appConfig, orm, temporal.client);
    const app = createApp(services, {
      log,
      publicBaseUrl: config.publicBaseUrl,
      apiRateLimitPerMinute: options.apiRateLimitPerMinute,
    });
    const server = await listen(app, config.port);
    stops.push({ name: 'API', stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    stops.push({ name: 'onboarding start reconciler', stop: runOnboardingStartReconciler(services, log) });
    return { baseUrl: config.publicBaseUrl, mailboxUrl: `http://127.0.0.1:${config.maildev.webPort}`, orm, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function fuzzConfig(dataDir: string): Promise<Config> {
  const names = [
    'PORT',
    'TEMPORAL_PORT',
    'TEMPORAL_UI_PORT',
    'MAILDEV_SMTP_PORT',
    'MAILDEV_WEB_PORT',
    'SANDBOX_BANK_PORT',
    'SANDBOX_KVK_PORT',
    'EMBEDDED_POSTGRES_PORT',
    'CODEC_SERVER_PORT',
  ];
  const ports: Record<string, string> = {};
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[name] = String(port);
  }
  // Only the ports and the data directory are the fuzz's own; nothing else from the caller's environment leaks
  // in (a DATABASE_URL or TEMPORAL_ADDRESS there would point the fuzz at someone's real data).
  return loadConfig({ ...ports, DATA_DIR: dataDir, PUBLIC_BASE_URL: `http://127.0.0.1:${ports.PORT}` });
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
