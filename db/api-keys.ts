import type { EntityManager } from '@mikro-orm/postgresql';
import { mintApiKey, type ApiKeyRole } from '../domain/api-key';
import { ApiKey, AuditEvent, type IApiKey, type IOrganization } from './entities';
import { ensureId } from './ids';

/** Creates a key and returns the full secret, which exists nowhere else after this call. */
export async function createApiKey(
  em: EntityManager,
  organization: IOrganization,
  role: ApiKeyRole,
  name: string,
  actor: string,
): Promise<{ key: string; apiKey: IApiKey }> {
  const minted = mintApiKey();
  const apiKey = em.create(ApiKey, { organization, role, name, prefix: minted.prefix, secretHash: minted.secretHash });
  em.create(AuditEvent, {
    organization,
    actor,
    action: 'api_key.created',
    subjectType: 'ApiKey',
    subjectId: ensureId(apiKey),
    details: { role, name, prefix: minted.prefix },
  });
  await em.flush();
  return { key: minted.key, apiKey };
}
