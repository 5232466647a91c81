import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** An accounting office: the tenant. Every other row belongs to exactly one. */
export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organization',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    name: p.string().length(200),
    /** Where staff notices go (a consent that ended, an onboarding that expired). */
    staffEmail: p.string().length(320).nullable(),
    /** R-V12: the licence decides whether the wizard offers Payments and Direct debit per account. */
    licencePayments: p.boolean().default(false),
    licenceDirectDebit: p.boolean().default(false),
    /** The office's own terms of service and privacy statement for the wizard; null: the default pages /terms, /privacy. */
    termsUrl: p.string().length(500).nullable(),
    privacyUrl: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IOrganization = InferEntity<typeof Organization>;
