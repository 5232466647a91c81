import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { loadConfig, type Config } from '../bin/config';
import { startDevStack, type Stops } from '../bin/stack/dev-stack';
import { freePort } from '../bin/stack/provision';

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
  const stops: Stops = [{ name: 'data directory', stop: () => rm(dataDir, { recursive: true, force: true }) }];
  const stop = async () => {
    for (const { name, stop: stopOne } of stops.reverse()) {
      await stopOne().catch((error: unknown) => options.say(`stopping ${name}: ${String(error)}`));
    }
  };
  try {
    const config = await fuzzConfig(dataDir);
    // Only errors (a 5xx names its cause here), and on stderr: stdout is for the fuzz line alone.
    const log = pino({ name: 'bankkoppeling-fuzz', level: 'error' }, pino.destination(2));
    // No codec endpoint: nobody reads the Temporal UI during a fuzz run.
    const { orm } = await startDevStack(
      {
        config,
        log,
        say: options.say,
        devTemporal: true,
        devMail: true,
        codecServer: false,
        sdkLogLevel: 'ERROR',
        host: '127.0.0.1',
        apiRateLimitPerMinute: options.apiRateLimitPerMinute,
      },
      stops,
    );
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
