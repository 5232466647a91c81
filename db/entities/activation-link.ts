import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Onboarding } from './onboarding';
import { Organization } from './organization';

/**
 * The single-use activation link (R-A9, R-A10). Only the SHA-256 of its token is stored; the token itself is
 * derived when the e-mail is sent (domain/activation-token.ts) and exists nowhere else.
 */
export const ActivationLink = defineEntity({
  name: 'ActivationLink',
  tableName: 'activation_link',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    onboarding: p.manyToOne(Onboarding).deleteRule('cascade'),
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IActivationLink = InferEntity<typeof ActivationLink>;
