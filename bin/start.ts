import { loadConfig } from './config';
import { startDevStack, type Stops } from './stack/dev-stack';
import { createLogger } from './stack/logger';
import { assertPortFree } from './stack/ports';
import { onShutdown } from './stack/shutdown';

/**
 * `npm start`: the whole development stack in one command, on embedded defaults (README "What runs where").
 * Everything started here is stopped here, newest first, on Ctrl-C or SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => console.log(line);
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'bankkoppeling');
  const stops: Stops = [];
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
    const stack = await startDevStack(
      { config, log, say, devTemporal, devMail, codecServer: true, sdkLogLevel: 'WARN' },
      stops,
    );
    const { demoKey, codecUrl } = stack;

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
    say(`  Sandbox bank        ${stack.bankUrl}`);
    say(`  Sandbox KvK         ${stack.kvkUrl}`);
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

void main();
