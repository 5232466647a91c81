import type { MikroORM } from '@mikro-orm/postgresql';
import { parseApiKeyCommand, runApiKeyCommand } from '../bin/commands/apikey';
import { DEMO_ORGANIZATION_NAME } from '../db/demo-data';

/**
 * A fresh admin key for the demo organization, made the way `npm run cli -- apikey create` makes one: admin, so
 * every operation is reachable, including the admin-only ones (API keys, deleting a bank account).
 */
export async function createFuzzAdminKey(orm: MikroORM): Promise<string> {
  const command = parseApiKeyCommand('create', ['--org', DEMO_ORGANIZATION_NAME, '--role', 'admin', '--name', 'fuzz']);
  let key: string | undefined;
  await runApiKeyCommand(
    orm.em.fork(),
    command,
    (line) => (key = line),
    () => undefined,
  );
  if (!key) throw new Error('the CLI made no API key');
  return key;
}
