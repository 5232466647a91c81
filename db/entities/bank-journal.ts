import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Environment } from './environment';
import { Organization } from './organization';

/** The ledger journal ("dagboek bank") bank statements are booked in; an account must have one (R-A4). */
export const BankJournal = defineEntity({
  name: 'BankJournal',
  tableName: 'bank_journal',
  uniques: [{ properties: ['environment', 'code'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    environment: p.manyToOne(Environment).deleteRule('cascade'),
    code: p.string().length(20),
    name: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IBankJournal = InferEntity<typeof BankJournal>;
