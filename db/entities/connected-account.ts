import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { FetchResult } from '../../domain/connection';
import { BankAccount } from './bank-account';
import { Connection } from './connection';
import { Environment } from './environment';
import { Organization } from './organization';

/** One bank account under a connection, matched by IBAN (never by the bank's resource id), with its options. */
export const ConnectedAccount = defineEntity({
  name: 'ConnectedAccount',
  tableName: 'connected_account',
  uniques: [{ properties: ['connection', 'iban'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    connection: p.manyToOne(Connection).deleteRule('cascade'),
    bankAccount: p.manyToOne(BankAccount).deleteRule('cascade'),
    environment: p.manyToOne(Environment).deleteRule('restrict'),
    iban: p.string().length(34),
    currency: p.string().length(3),
    /**
     * The bank's id for this account under the connection's current consent, from the last account list: kept so a
     * fetch need not ask the list again (it counts against the daily allowance). Never used to match (R-A12).
     */
    bankResourceId: p.string().length(200).nullable(),
    importTransactions: p.boolean().default(true),
    payments: p.boolean().default(false),
    directDebit: p.boolean().default(false),
    blocked: p.boolean().default(false),
    statementImportEnabled: p.boolean().default(false),
    /** R-A5, R-A14: the API channel imports from 00:00 of this day; statement files cover the days before. */
    switchOverDate: p.date(),
    firstTransactionAt: p.datetime().nullable(),
    lastFetchAt: p.datetime().nullable(),
    lastFetchResult: p.json<FetchResult>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IConnectedAccount = InferEntity<typeof ConnectedAccount>;
