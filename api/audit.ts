import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from '../db/entities';
import { ensureId } from '../db/ids';
import type { AuthContext } from './auth';

/** Queues an audit row in the request's unit of work, so it commits with the change it describes. */
export function recordAudit(
  em: EntityManager,
  auth: AuthContext,
  action: string,
  subject: { type: string; entity: { id: string } },
  details: Record<string, unknown> | null = null,
): void {
  em.create(AuditEvent, {
    organization: auth.organizationId,
    actor: `api-key:${auth.apiKeyId}`,
    action,
    subjectType: subject.type,
    subjectId: ensureId(subject.entity),
    details,
  });
}
