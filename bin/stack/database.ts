import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config';
import { startEmbeddedPostgres } from './postgres';

export interface Database {
  url: string;
  /** Stops the embedded server when this process started it; otherwise does nothing. */
  close(): Promise<void>;
}

export const APP_DATABASE = 'bankkoppeling';

/**
 * DATABASE_URL when set; otherwise the embedded cluster under DATA_DIR: reused when `npm start` already runs it
 * (so the CLI works beside a running stack), started for the duration of this process when not.
 */
export async function openDatabase(config: Config, log: (line: string) => void = () => undefined): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => undefined };
  const dataDir = path.join(config.dataDir, 'postgres');
  const runningPort = await runningEmbeddedPort(dataDir);
  const server =
    runningPort === null
      ? await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort, log })
      : { serverUrl: `postgresql://postgres:bankkoppeling-dev@127.0.0.1:${runningPort}`, stop: async () => undefined };
  await ensureDatabase(server.serverUrl, APP_DATABASE);
  return { url: `${server.serverUrl}/${APP_DATABASE}`, close: () => server.stop() };
}

export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** postmaster.pid names the pid on line 1 and the port on line 4. */
async function runningEmbeddedPort(dataDir: string): Promise<number | null> {
  const content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!content) return null;
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return Number.isInteger(port) ? port : null;
}
