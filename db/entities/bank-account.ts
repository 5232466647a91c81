import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { BANK_ACCOUNT_TYPES, type ConnectabilityCheck } from '../../domain/bank-account';
import { BankJournal } from './bank-journal';
import { Environment } from './environment';
import { Organization } from './organization';

/** A bank account as the bookkeeping records it. Cash accounts have no IBAN and are never connectable (R-V1). */
export const BankAccount = defineEntity({
  name: 'BankAccount',
  tableName: 'bank_account',
  uniques: [{ properties: ['environment', 'iban'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    environment: p.manyToOne(Environment).deleteRule('restrict'),
    journal: p.manyToOne(BankJournal).nullable().deleteRule('set null'),
    name: p.string().length(200),
    type: p.enum([...BANK_ACCOUNT_TYPES]),
    iban: p.string().length(34).nullable(),
    currency: p.string().length(3),
    ledgerAccount: p.string().length(20),
    lastCheck: p.json<ConnectabilityCheck>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IBankAccount = InferEntity<typeof BankAccount>;
