import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { amsterdamIso } from '../../domain/amsterdam-time';
import { API_KEY_ROLES, apiKeyState, expiryOfDate, type ApiKeyRole } from '../../domain/api-key';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, type KeyActor } from '../../db/api-keys';
import { Organization, type IOrganization } from '../../db/entities';
import { UsageError } from './usage-error';

export const API_KEY_USAGE = `  npm run cli -- apikey create --org <organization id or name> --role admin|staff|support [--name <label>]
                               [--expires YYYY-MM-DD]
  npm run cli -- apikey list --org <organization id or name>
  npm run cli -- apikey revoke --id <key id>
  npm run cli -- apikey rotate --id <key id>`;

export type ApiKeyCommand =
  | { kind: 'create'; org: string; role: ApiKeyRole; name: string | undefined; expiresAt: Date | null }
  | { kind: 'list'; org: string }
  | { kind: 'revoke' | 'rotate'; id: string };

const CLI: KeyActor = { actor: 'cli', label: 'cli' };

/** Checked before the database is opened, so a typo does not start embedded PostgreSQL first. */
export function parseApiKeyCommand(command: string, args: string[], now = new Date()): ApiKeyCommand {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      id: { type: 'string' },
    },
  });
  if (command === 'revoke' || command === 'rotate') {
    if (!z.uuid().safeParse(values.id).success) throw new UsageError(`--id must be a key id (a UUID)`);
    return { kind: command, id: values.id as string };
  }
  if (!values.org) throw new UsageError('--org is required');
  if (command === 'list') return { kind: 'list', org: values.org };
  if (command !== 'create') throw new UsageError(`no command apikey ${command}`);
  if (!API_KEY_ROLES.includes(values.role as ApiKeyRole)) {
    throw new UsageError(`--role must be one of ${API_KEY_ROLES.join(', ')}`);
  }
  let expiresAt: Date | null = null;
  if (values.expires !== undefined) {
    if (!z.iso.date().safeParse(values.expires).success) throw new UsageError('--expires must be a date, YYYY-MM-DD');
    expiresAt = expiryOfDate(values.expires);
    if (expiresAt.getTime() <= now.getTime()) throw new UsageError('--expires must be today or later');
  }
  return { kind: 'create', org: values.org, role: values.role as ApiKeyRole, name: values.name, expiresAt };
}

/** Only a new key goes to stdout, so `KEY=$(npm run --silent cli -- apikey rotate --id …)` captures it. */
export async function runApiKeyCommand(
  em: EntityManager,
  command: ApiKeyCommand,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<void> {
  switch (command.kind) {
    case 'create': {
      const organization = await findOrganization(em, command.org);
      const name = command.name ?? `${command.role} key (cli)`;
      const { key } = await createApiKey(em, organization, command.role, name, CLI, command.expiresAt);
      out(key);
      return;
    }
    case 'list': {
      const organization = await findOrganization(em, command.org);
      const now = new Date();
      out(['id', 'prefix', 'role', 'state', 'created', 'last used', 'expires', 'revoked', 'name'].join('\t'));
      for (const key of await listApiKeys(em, organization.id)) {
        const at = (instant: Date | null | undefined) => (instant ? amsterdamIso(instant) : '-');
        out(
          [
            key.id,
            key.prefix,
            key.role,
            apiKeyState(key, now),
            at(key.createdAt),
            at(key.lastUsedAt),
            at(key.expiresAt),
            at(key.revokedAt),
            key.name,
          ].join('\t'),
        );
      }
      return;
    }
    case 'revoke': {
      // The CLI is the way back in when no admin key is left, so it may revoke the last one.
      const result = await revokeApiKey(em, command.id, null, CLI, { keepLastAdmin: false });
      if (!result) throw new Error(`no API key with id ${command.id}`);
      const { apiKey } = result;
      const when = amsterdamIso(apiKey.revokedAt as Date);
      err(
        `${result.outcome === 'revoked' ? 'Revoked' : 'Already revoked'} bk_${apiKey.prefix}_… ("${apiKey.name}") at ${when}`,
      );
      return;
    }
    case 'rotate': {
      const result = await rotateApiKey(em, command.id, null, CLI);
      if (!result) throw new Error(`no API key with id ${command.id}`);
      if (result.outcome === 'not-active') {
        throw new Error(`the key is ${apiKeyState(result.replaced, new Date())}; create a new one instead`);
      }
      err(
        `Revoked bk_${result.replaced.prefix}_…; the new key "${result.apiKey.name}" (${result.apiKey.role}), shown once:`,
      );
      out(result.key);
      return;
    }
  }
}

async function findOrganization(em: EntityManager, ref: string): Promise<IOrganization> {
  const byId = /^[0-9a-f-]{36}$/i.test(ref) ? await em.findOne(Organization, { id: ref }) : null;
  const organization = byId ?? (await em.findOne(Organization, { name: ref }));
  if (!organization) throw new UsageError(`no organization with id or name "${ref}"`);
  return organization;
}
