import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { BOOKED_BY, TRANSACTION_SOURCES } from '../../domain/transaction';
import { BankAccount } from './bank-account';
import { DailyStatement } from './daily-statement';
import { Organization } from './organization';
import { TransactionCodeRule } from './transaction-code-rule';

/**
 * A booked bank transaction. Bulk ingest writes these with set-based SQL (db/ingest), not through the
 * unit of work; this definition is what the schema and the read paths use.
 */
export const Transaction = defineEntity({
  name: 'Transaction',
  tableName: 'bank_transaction',
  uniques: [{ properties: ['bankAccount', 'dedupeKey'] }],
  indexes: [{ properties: ['bankAccount', 'bookingDate', 'fingerprint'] }, { properties: ['dailyStatement'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    bankAccount: p.manyToOne(BankAccount).deleteRule('cascade'),
    dailyStatement: p.manyToOne(DailyStatement).deleteRule('cascade'),
    dedupeKey: p.string().length(120),
    fingerprint: p.string().length(32),
    occurrence: p.integer(),
    source: p.enum([...TRANSACTION_SOURCES]),
    bookingDate: p.date(),
    valueDate: p.date(),
    amountCents: p.bigint('number'),
    currency: p.string().length(3),
    counterpartyIban: p.string().length(34).nullable(),
    counterpartyName: p.string().length(140).nullable(),
    description: p.text(),
    endToEndId: p.string().length(140).nullable(),
    bankReference: p.string().length(140).nullable(),
    bankTransactionCode: p.string().length(60).nullable(),
    ledgerAccount: p.string().length(20).nullable(),
    bookedBy: p.enum([...BOOKED_BY]).nullable(),
    rule: p.manyToOne(TransactionCodeRule).nullable().deleteRule('set null'),
    importedAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ITransaction = InferEntity<typeof Transaction>;
