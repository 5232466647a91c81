import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openOrm } from '../db/orm';
import { loadConfig } from './config';
import { openDatabase } from './stack/database';
import { createLogger } from './stack/logger';
import { buildActivityDeps } from './stack/activity-deps';
import { onShutdown } from './stack/shutdown';
import { productDataConverter } from './stack/data-converter';
import { secretKeys } from './stack/keys';
import { createWorker } from './stack/worker';

/** One worker process (scale out with more replicas); migrations are applied by the API or `cli db migrate`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'worker');
  // Our own shutdown handler stops the worker in order; the SDK must not react to the signals by itself.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const db = await openDatabase(config);
  const orm = await openOrm(db.url);
  const activityDeps = await buildActivityDeps(config, orm, log);
  const { worker, connection } = await createWorker({
    temporal: config.temporal,
    deps: activityDeps.deps,
    dataConverter: productDataConverter(secretKeys(config)),
  });
  const running = worker.run();
  log.info(`worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}`);
  onShutdown(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await activityDeps.close();
    await orm.close();
    await db.close();
  });
  await running;
}

main().catch((error: unknown) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
