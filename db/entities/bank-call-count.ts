import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Consent } from './consent';

/**
 * Unattended calls made on a consent, per endpoint per Amsterdam day (domain/bank-allowance.ts): counted before
 * each call, so a run the bank would refuse is refused here first. Written only by db/bank-call-counts.ts.
 */
export const BankCallCount = defineEntity({
  name: 'BankCallCount',
  tableName: 'bank_call_count',
  properties: (p) => ({
    consent: p.manyToOne(Consent).primary().deleteRule('cascade'),
    day: p.date().primary(),
    call: p.string().length(60).primary(),
    made: p.integer(),
  }),
});
export type IBankCallCount = InferEntity<typeof BankCallCount>;
