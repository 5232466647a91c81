import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeyState, mintApiKey, type ApiKeyRole } from '../domain/api-key';
import { ApiKey, AuditEvent, Organization, type IApiKey, type IOrganization } from './entities';
import { ensureId } from './ids';

/** Who changes a key, as the audit trail names them. */
export interface KeyActor {
  /** `cli`, or `api-key:<id>` for a change made through the API. */
  actor: string;
  /** The acting key's label, so the trail reads without looking the key up (it may be revoked by then). */
  label?: string;
}

function audit(
  em: EntityManager,
  organization: IOrganization | string,
  by: KeyActor,
  action: string,
  apiKey: IApiKey,
  details: Record<string, unknown>,
): void {
  em.create(AuditEvent, {
    organization,
    actor: by.actor,
    action,
    subjectType: 'ApiKey',
    subjectId: ensureId(apiKey),
    details: by.label === undefined ? details : { ...details, actorLabel: by.label },
  });
}

/** Creates a key and returns the full secret, which exists nowhere else after this call. */
export async function createApiKey(
  em: EntityManager,
  organization: IOrganization | string,
  role: ApiKeyRole,
  name: string,
  actor: string | KeyActor,
  expiresAt: Date | null = null,
): Promise<{ key: string; apiKey: IApiKey }> {
  const minted = mintApiKey();
  const apiKey = em.create(ApiKey, {
    organization,
    role,
    name,
    prefix: minted.prefix,
    secretHash: minted.secretHash,
    expiresAt,
  });
  audit(em, organization, typeof actor === 'string' ? { actor } : actor, 'api_key.created', apiKey, {
    role,
    name,
    prefix: minted.prefix,
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
  });
  await em.flush();
  return { key: minted.key, apiKey };
}

export type RevokeOutcome =
  | { outcome: 'revoked' | 'already-revoked'; apiKey: IApiKey }
  /** Refused: it is the organization's only working admin key, and nobody could manage keys after it. */
  | { outcome: 'last-admin'; apiKey: IApiKey };

/**
 * Revokes a key (null: no such key, or not in `organizationId` when one is given). Changes to one organization's
 * keys take a lock on its row, so two admin keys revoking each other at the same moment cannot leave it with none.
 */
export async function revokeApiKey(
  em: EntityManager,
  id: string,
  organizationId: string | null,
  by: KeyActor,
  options: { keepLastAdmin: boolean },
): Promise<RevokeOutcome | null> {
  return em.transactional(async (tx) => {
    const apiKey = await lockedKey(tx, id, organizationId);
    if (!apiKey) return null;
    if (apiKey.revokedAt) return { outcome: 'already-revoked', apiKey };
    const now = new Date();
    if (options.keepLastAdmin && apiKey.role === 'admin' && apiKeyState(apiKey, now) === 'active') {
      const otherAdmins = await tx.count(ApiKey, {
        organization: apiKey.organization,
        role: 'admin',
        revokedAt: null,
        id: { $ne: apiKey.id },
        $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
      });
      if (otherAdmins === 0) return { outcome: 'last-admin', apiKey };
    }
    apiKey.revokedAt = now;
    audit(tx, apiKey.organization, by, 'api_key.revoked', apiKey, { role: apiKey.role, name: apiKey.name });
    return { outcome: 'revoked', apiKey };
  });
}

export type RotateOutcome =
  | { outcome: 'rotated'; key: string; apiKey: IApiKey; replaced: IApiKey }
  /** A revoked or expired key is not renewed: create a new one on purpose. */
  | { outcome: 'not-active'; replaced: IApiKey };

/**
 * Replaces a key's secret: a new key with the same role, name and expiry, and the old one revoked in the same
 * transaction, so there is no moment with both or neither.
 */
export async function rotateApiKey(
  em: EntityManager,
  id: string,
  organizationId: string | null,
  by: KeyActor,
): Promise<RotateOutcome | null> {
  return em.transactional(async (tx) => {
    const old = await lockedKey(tx, id, organizationId);
    if (!old) return null;
    const now = new Date();
    if (apiKeyState(old, now) !== 'active') return { outcome: 'not-active', replaced: old };
    const minted = mintApiKey();
    const apiKey = tx.create(ApiKey, {
      organization: old.organization,
      role: old.role,
      name: old.name,
      prefix: minted.prefix,
      secretHash: minted.secretHash,
      expiresAt: old.expiresAt ?? null,
    });
    old.revokedAt = now;
    audit(tx, old.organization, by, 'api_key.rotated', old, {
      role: old.role,
      name: old.name,
      replacementId: ensureId(apiKey),
      replacementPrefix: minted.prefix,
    });
    audit(tx, old.organization, by, 'api_key.created', apiKey, {
      role: old.role,
      name: old.name,
      prefix: minted.prefix,
      rotatedFrom: old.id,
    });
    return { outcome: 'rotated', key: minted.key, apiKey, replaced: old };
  });
}

async function lockedKey(tx: EntityManager, id: string, organizationId: string | null): Promise<IApiKey | null> {
  const found = await tx.findOne(ApiKey, { id, ...(organizationId ? { organization: organizationId } : {}) });
  if (!found) return null;
  await tx.findOneOrFail(Organization, { id: found.organization.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  return tx.findOneOrFail(ApiKey, { id }, { refresh: true });
}

/** An organization's keys, oldest first; what they are and when they were used, never their secrets. */
export async function listApiKeys(em: EntityManager, organizationId: string): Promise<IApiKey[]> {
  return em.find(ApiKey, { organization: organizationId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}
