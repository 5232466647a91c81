import { createApp } from '../api/app';
import { runOnboardingStartReconciler } from '../api/onboarding-start';
import { migrate, openOrm } from '../db/orm';
import { loadConfig } from './config';
import { buildApiServices } from './stack/api-services';
import { openDatabase } from './stack/database';
import { createLogger } from './stack/logger';
import { productDataConverter } from './stack/data-converter';
import { secretKeys } from './stack/keys';
import { connectTemporal } from './stack/temporal';
import { onShutdown } from './stack/shutdown';

/** The API process on its own (production, docker-compose): applies migrations, then serves. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'api');
  const db = await openDatabase(config);
  const orm = await openOrm(db.url);
  const applied = await migrate(orm);
  if (applied.length) log.info({ applied }, 'migrations applied');
  const temporal = await connectTemporal(config.temporal, productDataConverter(secretKeys(config)));
  const services = buildApiServices(config, orm, temporal.client);
  const app = createApp(services, {
    log,
    publicBaseUrl: config.publicBaseUrl,
    trustProxyHops: config.trustProxyHops,
  });
  const server = app.listen(config.port, () => log.info(`API listening on ${config.publicBaseUrl}`));
  const stopReconciler = runOnboardingStartReconciler(services, log);
  onShutdown(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopReconciler();
    await temporal.connection.close();
    await orm.close();
    await db.close();
  });
}

main().catch((error: unknown) => {
  console.error(`API failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
