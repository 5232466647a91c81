import type { EntityManager } from '@mikro-orm/postgresql';
import {
  allowanceDay,
  judgeCalls,
  type AllowanceVerdict,
  type BankCall,
  type CallsMade,
} from '../domain/bank-allowance';
import { pgArray } from './pg-array';

/**
 * The bank call allowance's bookkeeping (domain/bank-allowance.ts): how many unattended calls a consent made today,
 * and the atomic "count it, then make it". Activities count before they call; the staff API reads to refuse a fetch
 * now at once.
 */

export async function callsMadeToday(em: EntityManager, consentId: string, now: Date): Promise<CallsMade> {
  const rows = await em.execute<{ call: string; made: number }[]>(
    'SELECT call, made FROM bank_call_count WHERE consent_id = ? AND day = ?',
    [consentId, allowanceDay(now)],
  );
  return new Map(rows.map((row) => [row.call, row.made]));
}

/**
 * Counts the calls if all of them fit in today's allowance, or none if one does not. Serialised per consent by a
 * row lock on the consent, so two runs at once (fetch now beside a scheduled run) can never both take the last one.
 */
export async function countCalls(
  em: EntityManager,
  consent: { id: string; frequencyPerDay: number },
  calls: readonly BankCall[],
  now: Date,
): Promise<AllowanceVerdict> {
  return em.transactional(async (tx) => {
    await tx.execute('SELECT id FROM consent WHERE id = ? FOR UPDATE', [consent.id]);
    const verdict = judgeCalls(calls, await callsMadeToday(tx, consent.id, now), consent.frequencyPerDay, now);
    if (!verdict.allowed) return verdict;
    await tx.execute(
      `INSERT INTO bank_call_count (consent_id, day, call, made)
       SELECT ?, ?, call, 1 FROM unnest(?::text[]) AS call
       ON CONFLICT (consent_id, day, call) DO UPDATE SET made = bank_call_count.made + 1`,
      [consent.id, allowanceDay(now), pgArray([...new Set(calls)])],
    );
    return verdict;
  });
}

/** The bank said the allowance is used up although we counted less: believe the bank for the rest of its day. */
export async function markCallUsedUp(
  em: EntityManager,
  consent: { id: string; frequencyPerDay: number },
  call: BankCall,
  now: Date,
): Promise<void> {
  await em.execute(
    `INSERT INTO bank_call_count (consent_id, day, call, made) VALUES (?, ?, ?, ?)
     ON CONFLICT (consent_id, day, call) DO UPDATE SET made = GREATEST(bank_call_count.made, EXCLUDED.made)`,
    [consent.id, allowanceDay(now), call, consent.frequencyPerDay],
  );
}
