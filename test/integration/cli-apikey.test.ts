import { parseApiKeyCommand, runApiKeyCommand } from '../../bin/commands/apikey';
import { UsageError } from '../../bin/commands/usage-error';
import { ApiKey, AuditEvent } from '../../db/entities';
import { hashApiKey } from '../../domain/api-key';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type Tenant } from '../support/tenant';

/** `npm run cli -- apikey create|list|revoke|rotate` (issue 12 item 1), run against a real database. */
let db: TestDatabase;
let office: Tenant;

beforeAll(async () => {
  db = await createTestDatabase();
  office = await createTenant(db.orm, 'Kantoor CLI');
});

afterAll(async () => {
  await db?.drop();
});

async function cli(...argv: string[]): Promise<{ out: string[]; err: string[] }> {
  const [command, ...args] = argv;
  const out: string[] = [];
  const err: string[] = [];
  const parsed = parseApiKeyCommand(command as string, args);
  await runApiKeyCommand(
    db.orm.em.fork(),
    parsed,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { out, err };
}

const stored = (key: string) => db.orm.em.fork().findOneOrFail(ApiKey, { secretHash: hashApiKey(key) });

test('create --expires prints only the key, which expires after that day in Amsterdam', async () => {
  const { out } = await cli('create', '--org', 'Kantoor CLI', '--role', 'staff', '--expires', '2999-07-01');
  expect(out).toEqual([expect.stringMatching(/^bk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/)]);
  const key = await stored(out[0] as string);
  expect(key.expiresAt?.toISOString()).toBe('2999-07-01T22:00:00.000Z');
  expect(key.name).toBe('staff key (cli)');
});

test('create refuses a malformed or past --expires before touching the database', () => {
  expect(() => parseApiKeyCommand('create', ['--org', 'x', '--role', 'staff', '--expires', '01-07-2999'])).toThrow(
    UsageError,
  );
  expect(() => parseApiKeyCommand('create', ['--org', 'x', '--role', 'staff', '--expires', '2020-01-01'])).toThrow(
    /today or later/,
  );
  expect(() => parseApiKeyCommand('revoke', ['--id', 'not-a-uuid'])).toThrow(/UUID/);
});

test("list shows the organization's keys with state and expiry, never a secret", async () => {
  const { out } = await cli('list', '--org', office.organizationId);
  expect(out[0]).toBe('id\tprefix\trole\tstate\tcreated\tlast used\texpires\trevoked\tname');
  const rows = out.slice(1).map((line) => line.split('\t'));
  expect(rows.map((row) => row[8])).toEqual(expect.arrayContaining(['admin', 'staff', 'support', 'staff key (cli)']));
  const cliKey = rows.find((row) => row[8] === 'staff key (cli)');
  expect(cliKey?.slice(2, 4)).toEqual(['staff', 'active']);
  expect(cliKey?.[6]).toBe('2999-07-02T00:00:00+02:00');
  for (const key of Object.values(office.keys)) expect(out.join('\n')).not.toContain(key.slice('bk_12345678_'.length));
});

test('revoke revokes even the last admin key (the CLI is the way back in), audited as cli', async () => {
  const admin = await stored(office.keys.admin);
  const { out, err } = await cli('revoke', '--id', admin.id);
  expect(out).toEqual([]);
  expect(err).toEqual([expect.stringContaining(`Revoked bk_${admin.prefix}_`)]);
  expect((await stored(office.keys.admin)).revokedAt).toBeInstanceOf(Date);
  const events = await db.orm.em.fork().find(AuditEvent, { subjectId: admin.id }, { orderBy: { at: 'asc' } });
  expect(events.map((e) => [e.action, e.actor])).toEqual([
    ['api_key.created', 'test'],
    ['api_key.revoked', 'cli'],
  ]);
});

test('rotate prints the new key once; it has the same name and role, and the old key is revoked', async () => {
  const old = await stored(office.keys.support);
  const { out, err } = await cli('rotate', '--id', old.id);
  expect(out).toHaveLength(1);
  expect(err).toEqual([expect.stringContaining(`Revoked bk_${old.prefix}_`)]);
  const replacement = await stored(out[0] as string);
  expect([replacement.name, replacement.role, replacement.revokedAt]).toEqual([old.name, old.role, null]);
  expect((await stored(office.keys.support)).revokedAt).toBeInstanceOf(Date);
  await expect(cli('rotate', '--id', old.id)).rejects.toThrow(/revoked; create a new one/);
  await expect(cli('revoke', '--id', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/no API key/);
});
