import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, escapeLiteral } from 'pg';
import { parse } from 'yaml';

/**
 * Issue 12: the application and Temporal get database roles of their own in docker-compose.yml. No Docker engine
 * runs here, so the postgres service's first-start SQL runs on the test cluster as its superuser (names suffixed,
 * so it cannot touch anything else there), and each role then tries the other's database.
 */
const compose = parse(readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  configs?: Record<string, { content?: string }>;
};
const suffix = `_${randomBytes(4).toString('hex')}`;
const NAMES = ['temporal_visibility', 'bankkoppeling', 'temporal'];
const rename = (name: string) => `${name}${suffix}`;
const serverUrl = () => process.env.BK_TEST_DB_SERVER_URL!;

/** The script's SQL, as psql would send it with the passwords given as variables. */
function rolesSql(passwords: { app: string; temporal: string }): string[] {
  const script = (compose.configs?.['postgres-roles']?.content ?? '').replace(/\$\$/g, '$');
  const sql = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(script)?.[1];
  if (!sql) throw new Error('docker-compose.yml has no postgres-roles script with its SQL in a heredoc');
  return sql
    .replace(/:'app_password'/g, escapeLiteral(passwords.app))
    .replace(/:'temporal_password'/g, escapeLiteral(passwords.temporal))
    .replace(new RegExp(`\\b(${NAMES.join('|')})\\b`, 'g'), (name) => rename(name))
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean);
}

async function asUser(user: string, password: string, database: string): Promise<string> {
  const url = new URL(`${serverUrl()}/${database}`);
  url.username = user;
  url.password = password;
  const client = new Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function superuser<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${serverUrl()}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const passwords = { app: `app'${randomBytes(6).toString('hex')}`, temporal: `tmp${randomBytes(6).toString('hex')}` };

afterAll(async () => {
  await superuser(async (client) => {
    for (const db of NAMES) await client.query(`DROP DATABASE IF EXISTS ${rename(db)} WITH (FORCE)`);
    for (const role of ['bankkoppeling', 'temporal']) await client.query(`DROP ROLE IF EXISTS ${rename(role)}`);
  });
});

test("each role owns its own databases and cannot connect to the other's", async () => {
  await superuser(async (client) => {
    for (const statement of rolesSql(passwords)) await client.query(statement);
  });
  const app = rename('bankkoppeling');
  const temporal = rename('temporal');
  expect(await asUser(app, passwords.app, app)).toBe('connected');
  expect(await asUser(temporal, passwords.temporal, rename('temporal'))).toBe('connected');
  expect(await asUser(temporal, passwords.temporal, rename('temporal_visibility'))).toBe('connected');
  expect(await asUser(app, passwords.app, rename('temporal'))).toMatch(/permission denied|CONNECT privilege/i);
  expect(await asUser(app, passwords.app, rename('temporal_visibility'))).toMatch(/permission denied|CONNECT/i);
  expect(await asUser(temporal, passwords.temporal, app)).toMatch(/permission denied|CONNECT privilege/i);
  const owners = await superuser((client) =>
    client.query<{ datname: string; owner: string }>(
      `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY($1) ORDER BY datname`,
      [NAMES.map(rename)],
    ),
  );
  expect(owners.rows).toEqual([
    { datname: app, owner: app },
    { datname: rename('temporal'), owner: temporal },
    { datname: rename('temporal_visibility'), owner: temporal },
  ]);
});
