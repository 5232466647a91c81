import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Onboarding } from './onboarding';
import { Organization } from './organization';

/**
 * A serial number of the serial flavour (R-V6, R-V7, R-V9; domain/serial-number.ts). Found by its keyed hash;
 * kept encrypted too, because staff read it back (GET /api/onboardings/:id, the bank account's detail). Five wrong
 * KvK numbers lock it; a resend revokes it and issues a new one; it expires with the onboarding's consent deadline.
 */
export const SerialNumber = defineEntity({
  name: 'SerialNumber',
  tableName: 'serial_number',
  indexes: [{ properties: ['onboarding'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    onboarding: p.manyToOne(Onboarding).deleteRule('cascade'),
    numberHash: p.string().length(64).unique(),
    numberEncrypted: p.text(),
    /** The onboarding's consent deadline (R-A10). */
    expiresAt: p.datetime(),
    failedAttempts: p.integer().default(0),
    /** Keyed hashes of the wrong KvK numbers counted so far: the same wrong number sent again is not counted twice. */
    wrongKvkHashes: p.array().default([]),
    lockedAt: p.datetime().nullable(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ISerialNumber = InferEntity<typeof SerialNumber>;
