import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { quoteIdent } from '../../bin/stack/database';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../bin/stack/postgres';
import { freePort } from '../../bin/stack/provision';

export interface BenchPostgres {
  serverUrl: string;
  description: string;
  /** Drops a benchmark's database; an embedded cluster goes as a whole in dispose. */
  drop(name: string): Promise<void>;
  dispose(): Promise<void>;
}

/** DATABASE_URL's server when set; otherwise an embedded cluster of our own in a temporary directory. */
export async function openPostgres(name: string): Promise<BenchPostgres> {
  const given = process.env.DATABASE_URL;
  if (given) {
    const url = new URL(given);
    url.pathname = '';
    const serverUrl = url.toString().replace(/\/$/, '');
    return { serverUrl, description: 'DATABASE_URL', drop: dropper(serverUrl), dispose: async () => undefined };
  }
  const workDir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  // Under root PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  await chmod(workDir, 0o755);
  let postgres: EmbeddedPostgresHandle;
  try {
    postgres = await startEmbeddedPostgres({ dataDir: join(workDir, 'postgres'), port: await freePort() });
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    serverUrl: postgres.serverUrl,
    description: 'embedded, fsync=off, synchronous_commit=off, otherwise default settings',
    drop: async () => undefined,
    dispose: async () => {
      await postgres.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

function dropper(serverUrl: string): (name: string) => Promise<void> {
  return async (name) => {
    const admin = new Client({ connectionString: `${serverUrl}/postgres` });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
}
