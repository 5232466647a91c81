import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Organization } from './organization';

/**
 * "Transactiecode" (R-A19): transactions whose bank transaction code matches (and, when set, whose counterparty
 * IBAN or description matches too) are booked to the ledger account at import. Lower priority wins.
 */
export const TransactionCodeRule = defineEntity({
  name: 'TransactionCodeRule',
  tableName: 'transaction_code_rule',
  uniques: [{ properties: ['organization', 'code'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    /** The rule's own short code, unique per organization, used in CSV export/import. */
    code: p.string().length(40),
    description: p.string().length(200),
    bankTransactionCode: p.string().length(60).nullable(),
    counterpartyIban: p.string().length(34).nullable(),
    descriptionContains: p.string().length(140).nullable(),
    ledgerAccount: p.string().length(20),
    priority: p.integer().default(100),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ITransactionCodeRule = InferEntity<typeof TransactionCodeRule>;
