import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { quoteIdent } from '../../bin/stack/database';
import { migrate, openOrm } from '../../db/orm';

export interface TestDatabase {
  url: string;
  orm: MikroORM;
  /** Closes the ORM and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, on the cluster the global setup started. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.BK_TEST_DB_SERVER_URL;
  if (!serverUrl)
    throw new Error('BK_TEST_DB_SERVER_URL is not set: run tests through jest (test/support/global-setup.ts)');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  const url = `${serverUrl}/${name}`;
  const orm = await openOrm(url, { pool: { min: 0, max: 5 } });
  await migrate(orm);
  return {
    url,
    orm,
    drop: async () => {
      await orm.close(true);
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
