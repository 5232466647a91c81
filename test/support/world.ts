import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities';
import { callbackUrl } from '../../activities/onboarding';
import { SANDBOX_CLIENT_ID } from '../../banks/registry';
import { startSandboxBank } from '../../sandbox/bank';
import { startSandboxKvk } from '../../sandbox/kvk';
import { createTestApp } from './api-fixture';
import { createTestDatabase, type TestDatabase } from './database';
import { startSmtpSink } from './smtp-sink';
import { devServerEnvironment } from './temporal';
import { createTestWorker, testActivityDeps } from './worker';

/**
 * Everything a client-facing test needs, for real: a database of its own, a Temporal dev server, the sandbox bank
 * and KvK, an SMTP sink, a worker with the real activities, and the app listening on a port (its address is in
 * every link and redirect URI, so it is known before the activities are built).
 */
export interface World {
  db: TestDatabase;
  env: TestWorkflowEnvironment;
  bank: Awaited<ReturnType<typeof startSandboxBank>>;
  kvk: Awaited<ReturnType<typeof startSandboxKvk>>;
  smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  deps: ActivityDeps;
  baseUrl: string;
  stop(): Promise<void>;
}

/** `maxFrequencyPerDay`: the sandbox bank's cap on unattended calls a day; 100 keeps it out of the way, 4 is PSD2's. */
export async function startWorld(
  options: { seed?: number; workerLog?: Logger; apiLog?: Logger; maxFrequencyPerDay?: number } = {},
): Promise<World> {
  const [db, env, bank, kvk, smtp] = await Promise.all([
    createTestDatabase(),
    devServerEnvironment(),
    startSandboxBank({ port: 0, seed: options.seed ?? 7, maxFrequencyPerDay: options.maxFrequencyPerDay ?? 100 }),
    startSandboxKvk(0),
    startSmtpSink(),
  ]);
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = testActivityDeps({
    orm: db.orm,
    env,
    sandboxBankUrl: bank.url,
    kvkUrl: kvk.url,
    smtpUrl: smtp.url,
    publicBaseUrl: baseUrl,
  });
  const deps = options.workerLog ? { ...base, log: options.workerLog } : base;
  bank.admin.registerClient({ clientId: SANDBOX_CLIENT_ID, redirectUris: [callbackUrl(baseUrl)] });
  const worker = await createTestWorker(env, deps);
  const running = worker.run();
  server.on('request', createTestApp(db.orm, env, { deps, log: options.apiLog, publicBaseUrl: baseUrl }));
  return {
    db,
    env,
    bank,
    kvk,
    smtp,
    deps,
    baseUrl,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      await Promise.all([env.teardown(), bank.close(), kvk.close(), smtp.close()]);
      await db.drop();
    },
  };
}
