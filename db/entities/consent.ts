import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { CONSENT_STATUSES } from '../../domain/consent';
import { Organization } from './organization';

/**
 * The client's grant at the bank (Berlin Group AIS consent). Tokens are stored encrypted (AES-256-GCM with
 * SECRETS_KEY); they never enter workflow input, history or logs: workflows pass the consent's id.
 */
export const Consent = defineEntity({
  name: 'Consent',
  tableName: 'consent',
  uniques: [{ properties: ['bankCode', 'bankConsentId'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    bankCode: p.string().length(4),
    bankConsentId: p.string().length(200),
    status: p.enum([...CONSENT_STATUSES]),
    validUntil: p.date().nullable(),
    frequencyPerDay: p.integer(),
    accessTokenEncrypted: p.text().nullable(),
    refreshTokenEncrypted: p.text().nullable(),
    tokenExpiresAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IConsent = InferEntity<typeof Consent>;
