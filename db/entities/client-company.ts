import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Organization } from './organization';

/** The business whose accounts are linked, known by its KvK number (R-V3). */
export const ClientCompany = defineEntity({
  name: 'ClientCompany',
  tableName: 'client_company',
  uniques: [{ properties: ['organization', 'kvkNumber'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    kvkNumber: p.string().length(8),
    name: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IClientCompany = InferEntity<typeof ClientCompany>;
