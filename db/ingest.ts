import type { EntityManager } from '@mikro-orm/postgresql';
import type { IngestRow } from '../domain/ingest';
import type { TransactionSource } from '../domain/transaction';
import { pgArray } from './pg-array';

export interface IngestTarget {
  organizationId: string;
  bankAccountId: string;
  source: TransactionSource;
}

export interface IngestPageResult {
  imported: number;
  duplicates: number;
  /** Booking dates that received new transactions (their statements are in progress now). */
  dates: string[];
}

const ENSURE_STATEMENTS = `
INSERT INTO daily_statement (id, organization_id, bank_account_id, date, status, transaction_count, sum_cents, created_at, updated_at)
SELECT gen_random_uuid(), ?::uuid, ?::uuid, d, 'in_progress', 0, 0, now(), now()
FROM unnest(?::date[]) AS d
ON CONFLICT (bank_account_id, date) DO NOTHING`;

/*
 * One statement: insert the new rows (the unique dedupe key drops repeats of this channel; NOT EXISTS drops the
 * same payment already imported through the other channel, by fingerprint and occurrence), book them by the
 * first matching transaction-code rule (R-A19), then add them to their daily statements, which reopen (R-A18).
 */
const INSERT_TRANSACTIONS = `
WITH input AS (
  SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::date[], ?::date[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
    AS i(dedupe_key, fingerprint, occurrence, booking_date, value_date, amount_cents, currency, counterparty_iban,
         counterparty_name, description, end_to_end_id, bank_reference, bank_transaction_code)
),
inserted AS (
  INSERT INTO bank_transaction (id, organization_id, bank_account_id, daily_statement_id, dedupe_key, fingerprint, occurrence,
    source, booking_date, value_date, amount_cents, currency, counterparty_iban, counterparty_name, description,
    end_to_end_id, bank_reference, bank_transaction_code, ledger_account, booked_by, rule_id, imported_at)
  SELECT gen_random_uuid(), ?::uuid, ?::uuid, s.id, i.dedupe_key, i.fingerprint, i.occurrence, ?, i.booking_date, i.value_date,
    i.amount_cents, i.currency, i.counterparty_iban, i.counterparty_name, i.description, i.end_to_end_id, i.bank_reference,
    i.bank_transaction_code, r.ledger_account, CASE WHEN r.id IS NULL THEN NULL ELSE 'rule' END, r.id, now()
  FROM input i
  JOIN daily_statement s ON s.bank_account_id = ?::uuid AND s.date = i.booking_date
  LEFT JOIN LATERAL (
    SELECT rule.id, rule.ledger_account FROM transaction_code_rule rule
    WHERE rule.organization_id = ?::uuid
      AND (rule.bank_transaction_code IS NULL OR rule.bank_transaction_code = i.bank_transaction_code)
      AND (rule.counterparty_iban IS NULL OR rule.counterparty_iban = i.counterparty_iban)
      AND (rule.description_contains IS NULL OR strpos(upper(i.description), upper(rule.description_contains)) > 0)
    ORDER BY rule.priority, rule.code LIMIT 1
  ) r ON true
  WHERE NOT EXISTS (
    SELECT 1 FROM bank_transaction t
    WHERE t.bank_account_id = ?::uuid AND t.booking_date = i.booking_date AND t.fingerprint = i.fingerprint
      AND t.occurrence = i.occurrence AND t.source <> ?
  )
  ON CONFLICT (bank_account_id, dedupe_key) DO NOTHING
  RETURNING daily_statement_id, amount_cents
),
totals AS (SELECT daily_statement_id, count(*) AS n, sum(amount_cents) AS total FROM inserted GROUP BY daily_statement_id)
UPDATE daily_statement d
SET transaction_count = d.transaction_count + totals.n, sum_cents = d.sum_cents + totals.total,
    status = 'in_progress', processed_at = NULL, updated_at = now()
FROM totals WHERE d.id = totals.daily_statement_id
RETURNING to_char(d.date, 'YYYY-MM-DD') AS date, totals.n::int AS n`;

/**
 * Writes one page of prepared rows in one database transaction with set-based SQL. Safe to retry: a repeat
 * imports nothing twice, so a retried activity or an overlapping fetch-now cannot double anything.
 */
export async function ingestPage(
  em: EntityManager,
  target: IngestTarget,
  rows: readonly IngestRow[],
): Promise<IngestPageResult> {
  if (rows.length === 0) return { imported: 0, duplicates: 0, dates: [] };
  const dates = [...new Set(rows.map((r) => r.bookingDate))];
  const column = <K extends keyof IngestRow>(key: K) => pgArray(rows.map((r) => r[key] as string | number | null));
  const result = await em.transactional(async (tx) => {
    await tx.execute(ENSURE_STATEMENTS, [target.organizationId, target.bankAccountId, pgArray(dates)]);
    return tx.execute<{ date: string; n: number }[]>(INSERT_TRANSACTIONS, [
      column('dedupeKey'),
      column('fingerprint'),
      column('occurrence'),
      column('bookingDate'),
      column('valueDate'),
      column('amountCents'),
      column('currency'),
      column('counterpartyIban'),
      column('counterpartyName'),
      column('description'),
      column('endToEndId'),
      column('bankReference'),
      column('bankTransactionCode'),
      target.organizationId,
      target.bankAccountId,
      target.source,
      target.bankAccountId,
      target.organizationId,
      target.bankAccountId,
      target.source,
    ]);
  });
  const imported = result.reduce((sum, row) => sum + row.n, 0);
  return { imported, duplicates: rows.length - imported, dates: result.map((row) => row.date).sort() };
}
