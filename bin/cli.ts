import { parseArgs } from 'node:util';
import { API_KEY_ROLES, type ApiKeyRole } from '../domain/api-key';
import { createApiKey } from '../db/api-keys';
import { Organization } from '../db/entities';
import { migrate, openOrm } from '../db/orm';
import { statementsParse } from './commands/statements-parse';
import { loadConfig } from './config';
import { openDatabase } from './stack/database';

const USAGE = `Usage:
  npm run cli -- apikey create --org <organization id or name> --role admin|staff|support [--name <label>]
  npm run cli -- db migrate
  npm run cli -- migration create [--initial]
  npm run --silent cli -- statements parse FILE
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  const key = `${group ?? ''} ${command ?? ''}`;
  if (key === 'apikey create') return apiKeyCreate(rest);
  if (key === 'db migrate')
    return withOrm(async (orm) => {
      const applied = await migrate(orm);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    });
  if (key === 'migration create')
    return withOrm(async (orm) => {
      const { values } = parseArgs({ args: rest, options: { initial: { type: 'boolean' } } });
      await migrate(orm);
      const result = await orm.getMigrator().createMigration('db/migrations', false, values.initial === true);
      console.log(
        result.fileName
          ? `Wrote db/migrations/${result.fileName}; add it to db/migrations/index.ts`
          : 'No schema changes.',
      );
    });
  if (key === 'statements parse') {
    process.exitCode = await statementsParse(rest);
    return;
  }
  throw new UsageError(USAGE);
}

async function apiKeyCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { org: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.org) throw new UsageError(`--org is required\n${USAGE}`);
  if (!API_KEY_ROLES.includes(values.role as ApiKeyRole)) {
    throw new UsageError(`--role must be one of ${API_KEY_ROLES.join(', ')}\n${USAGE}`);
  }
  const orgRef = values.org;
  await withOrm(async (orm) => {
    await migrate(orm);
    const em = orm.em.fork();
    const byId = /^[0-9a-f-]{36}$/i.test(orgRef) ? await em.findOne(Organization, { id: orgRef }) : null;
    const organization = byId ?? (await em.findOne(Organization, { name: orgRef }));
    if (!organization) throw new UsageError(`no organization with id or name "${orgRef}"`);
    const { key } = await createApiKey(
      em,
      organization,
      values.role as ApiKeyRole,
      values.name ?? `${values.role} key (cli)`,
      'cli',
    );
    console.log(key);
  });
}

async function withOrm(action: (orm: Awaited<ReturnType<typeof openOrm>>) => Promise<void>): Promise<void> {
  const db = await openDatabase(loadConfig());
  try {
    const orm = await openOrm(db.url);
    try {
      await action(orm);
    } finally {
      await orm.close();
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(
    error instanceof UsageError ? error.message : `Error: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
