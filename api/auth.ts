import type { NextFunction, Request, Response } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { amsterdamIso } from '../domain/amsterdam-time';
import {
  apiKeyState,
  hashApiKey,
  looksLikeApiKey,
  roleAllows,
  type ApiKeyRole,
  type Permission,
} from '../domain/api-key';
import { ApiKey } from '../db/entities';
import { Problem } from './problem';

export interface AuthContext {
  apiKeyId: string;
  /** The label staff gave the key: what a person recognises in a status reason. */
  apiKeyName: string;
  organizationId: string;
  role: ApiKeyRole;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

/** Writing last-used on every request would turn every read into a write; once a minute is enough to audit. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * `Authorization: Bearer <key>`. The key is looked up by its SHA-256, so the database never sees the key itself
 * and a lookup is one unique-index probe. Unknown, malformed and revoked keys get the same answer; an expired key
 * is told so, so that its holder asks for a new one instead of checking how it was sent.
 *
 * Keys are deliberately not cached: every request reads the row, so a revoke (or rotate) refuses the old key at
 * once on every API replica. A cache added here must be cleared on revoke in every process, e.g. by PostgreSQL
 * LISTEN/NOTIFY from db/api-keys.ts.
 */
export function authenticate(orm: MikroORM) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw Problem.unauthorized('send an API key as "Authorization: Bearer <key>"');
    const key = match[1] as string;
    if (!looksLikeApiKey(key)) throw Problem.unauthorized('the API key is not valid');
    const em = orm.em.fork();
    const apiKey = await em.findOne(ApiKey, { secretHash: hashApiKey(key), revokedAt: null });
    if (!apiKey) throw Problem.unauthorized('the API key is not valid');
    const now = new Date();
    if (apiKey.expiresAt && apiKeyState(apiKey, now) === 'expired') {
      throw Problem.unauthorized(
        `the API key expired at ${amsterdamIso(apiKey.expiresAt)}; ask an admin for a new one`,
      );
    }
    if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: now });
    }
    req.auth = {
      apiKeyId: apiKey.id,
      apiKeyName: apiKey.name,
      organizationId: apiKey.organization.id,
      role: apiKey.role,
    };
    next();
  };
}

export function requirePermission(auth: AuthContext, permission: Permission): void {
  if (!roleAllows(auth.role, permission)) {
    throw Problem.forbidden(
      `the role "${auth.role}" may not do this; it needs ${permission === 'admin' ? 'admin' : 'admin or staff'}`,
    );
  }
}
