import { parseArgs } from 'node:util';
import { migrate, openOrm } from '../db/orm';
import { API_KEY_USAGE, parseApiKeyCommand, runApiKeyCommand } from './commands/apikey';
import { resealSecrets, SECRETS_USAGE } from './commands/secrets-reseal';
import { statementsParse } from './commands/statements-parse';
import { UsageError } from './commands/usage-error';
import { loadConfig } from './config';
import { productDataConverter } from './stack/data-converter';
import { openDatabase } from './stack/database';
import { secretKeys } from './stack/keys';
import { connectTemporal } from './stack/temporal';

const USAGE = `Usage:
${API_KEY_USAGE}
  npm run cli -- db migrate
  npm run cli -- migration create [--initial]
  npm run --silent cli -- statements parse FILE
${SECRETS_USAGE}
`;

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  const key = `${group ?? ''} ${command ?? ''}`;
  if (group === 'apikey' && ['create', 'list', 'revoke', 'rotate'].includes(command ?? '')) {
    return apiKey(command as string, rest);
  }
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
  if (key === 'secrets reseal')
    return withOrm(async (orm) => {
      const config = loadConfig();
      const keys = secretKeys(config);
      const temporal = await connectTemporal(config.temporal, productDataConverter(keys));
      try {
        await resealSecrets({ orm, temporal: temporal.client, keys }, (line) => console.log(line));
      } finally {
        await temporal.connection.close();
      }
    });
  if (key === 'statements parse') {
    process.exitCode = await statementsParse(rest);
    return;
  }
  throw new UsageError(USAGE);
}

async function apiKey(command: string, args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseApiKeyCommand(command, args);
  } catch (error) {
    throw error instanceof Error ? new UsageError(`${error.message}\n${USAGE}`) : error;
  }
  await withOrm(async (orm) => {
    await migrate(orm);
    await runApiKeyCommand(
      orm.em.fork(),
      parsed,
      (line) => console.log(line),
      (line) => console.error(line),
    );
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
