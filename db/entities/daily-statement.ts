import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { STATEMENT_STATUSES } from '../../domain/daily-statement';
import { BankAccount } from './bank-account';
import { Organization } from './organization';

/** One statement per account per booking date, only for days with mutations (R-A16); later fetches append (R-A18). */
export const DailyStatement = defineEntity({
  name: 'DailyStatement',
  tableName: 'daily_statement',
  uniques: [{ properties: ['bankAccount', 'date'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    bankAccount: p.manyToOne(BankAccount).deleteRule('cascade'),
    date: p.date(),
    status: p.enum([...STATEMENT_STATUSES]),
    transactionCount: p.integer().default(0),
    sumCents: p.bigint('number').default(0),
    /** Balances as the bank reported them (statement files), when it did; the chain is checked against them. */
    openingBalanceCents: p.bigint('number').nullable(),
    closingBalanceCents: p.bigint('number').nullable(),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IDailyStatement = InferEntity<typeof DailyStatement>;
