import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Organization } from './organization';

/** Who changed what, for the support desk. `details` never holds secrets or tokens. */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_event',
  indexes: [{ properties: ['organization', 'at'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    actor: p.string().length(200),
    action: p.string().length(100),
    subjectType: p.string().length(100),
    subjectId: p.string().length(100),
    details: p.json<Record<string, unknown>>().nullable(),
    at: p.datetime().onCreate(() => new Date()),
  }),
});
export type IAuditEvent = InferEntity<typeof AuditEvent>;
