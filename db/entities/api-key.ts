import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { API_KEY_ROLES } from '../../domain/api-key';
import { Organization } from './organization';

/** A staff credential. Only the SHA-256 of the secret is stored; the prefix lets staff tell keys apart. */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    name: p.string().length(200),
    role: p.enum([...API_KEY_ROLES]),
    prefix: p.string().length(16).index(),
    secretHash: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    /** Null: the key works until it is revoked. */
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  }),
});
export type IApiKey = InferEntity<typeof ApiKey>;
