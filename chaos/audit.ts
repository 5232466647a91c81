import type { Client as TemporalClient } from '@temporalio/client';
import { Client } from 'pg';
import { allowanceDay, transactionsCall } from '../domain/bank-allowance';
import { fetchScheduleId } from '../domain/fetch-schedule';
import { isFinal, type OnboardingStatus } from '../domain/onboarding';
import type { SandboxBankAdmin } from '../sandbox/bank';
import type { Bookings } from './bookings';
import type { Mailbox } from './mailbox';
import type { OnboardingRecord } from './onboardings';

/**
 * One finding of the final audit. lost, duplicated, duplicate-email and stuck count in the last line; waiting names an
 * expected state with its reason (the day's bank calls used, a client who did not finish); note is for reading only.
 */
export interface Finding {
  category: 'lost' | 'duplicated' | 'duplicate-email' | 'stuck' | 'waiting' | 'note';
  what: string;
}

const ACTIVE = ['active', 'active_awaiting_first_transaction'];

interface OnboardingRow {
  id: string;
  status: OnboardingStatus;
  status_reason: string | null;
  client_email: string;
  workflow_id: string;
  connection_id: string | null;
}

/** Compares what the run did and what the bank and maildev hold with the database and Temporal. */
export async function audit(options: {
  databaseUrl: string;
  organizationIds: readonly string[];
  bank: SandboxBankAdmin;
  bookings: Bookings;
  mailbox: Mailbox;
  temporal: TemporalClient;
  records: readonly OnboardingRecord[];
}): Promise<Finding[]> {
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const running = await runningWorkflows(options.temporal);
    return [
      ...(await auditOnboardings(db, options.organizationIds, options.records, running)),
      ...(await auditConnections(db, options.organizationIds, options.bank, options.temporal)),
      ...(await auditTransactions(db, options.organizationIds, options.bank, options.bookings)),
      ...(await auditEmails(db, options.organizationIds, options.mailbox)),
      ...auditFetchWorkflows(running),
    ];
  } finally {
    await db.end();
  }
}

export async function onboardingRows(db: Client, organizationIds: readonly string[]): Promise<OnboardingRow[]> {
  const result = await db.query<OnboardingRow>(
    `SELECT id, status, status_reason, client_email, workflow_id, connection_id FROM onboarding
     WHERE organization_id = ANY($1::uuid[]) ORDER BY created_at`,
    [organizationIds],
  );
  return result.rows;
}

/** Every consented onboarding active; every other one final, or waiting for a reason the run can name. */
async function auditOnboardings(
  db: Client,
  organizationIds: readonly string[],
  records: readonly OnboardingRecord[],
  running: Map<string, string>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const byEmail = new Map(records.map((r) => [r.clientEmail, r]));
  for (const row of await onboardingRows(db, organizationIds)) {
    const record = byEmail.get(row.client_email);
    const where = `onboarding ${row.id} (${row.workflow_id}, ${row.client_email})`;
    const reason = row.status_reason ? `: ${row.status_reason}` : '';
    const workflowRuns = running.has(row.workflow_id);
    if (record?.startTrouble.length)
      findings.push({ category: 'note', what: `${where}: staff's start answered ${record.startTrouble.join(' | ')}` });
    if (isFinal(row.status)) {
      if (workflowRuns) findings.push({ category: 'stuck', what: `${where} is ${row.status} but its workflow runs` });
      if (record?.consented && !ACTIVE.includes(row.status))
        findings.push({ category: 'stuck', what: `${where} consented but ended ${row.status}${reason}` });
      continue;
    }
    if (!workflowRuns) {
      findings.push({ category: 'stuck', what: `${where} is ${row.status}${reason} with no workflow running` });
    } else if (record?.consented || row.status === 'syncing_profile' || row.status === 'preparing') {
      findings.push({ category: 'stuck', what: `${where} is still ${row.status}${reason}` });
    } else {
      const why = record ? record.note : 'not started by this run';
      findings.push({ category: 'waiting', what: `${where} is ${row.status}: the client did not finish (${why})` });
    }
  }
  return findings;
}

/**
 * A connection is given up only when its consent is: one marked consent_invalid while the bank holds its consent
 * valid, or an active one whose schedule is paused, stops fetching for nothing.
 */
async function auditConnections(
  db: Client,
  organizationIds: readonly string[],
  bank: SandboxBankAdmin,
  temporal: TemporalClient,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const rows = await db.query<{ id: string; state: string; state_reason: string | null; bank_consent_id: string }>(
    `SELECT c.id, c.state, c.state_reason, k.bank_consent_id FROM connection c JOIN consent k ON k.id = c.consent_id
     WHERE c.organization_id = ANY($1::uuid[])`,
    [organizationIds],
  );
  for (const row of rows.rows) {
    const atBank = bank.consent(row.bank_consent_id)?.status;
    const where = `connection ${row.id} (bank consent ${row.bank_consent_id}, ${atBank ?? 'unknown'} at the bank)`;
    if (row.state !== 'active') {
      if (atBank === 'valid')
        findings.push({ category: 'stuck', what: `${where} is ${row.state} (${row.state_reason ?? ''})` });
      continue;
    }
    const schedule = await temporal.schedule
      .getHandle(fetchScheduleId(row.id))
      .describe()
      .then(
        (d) => (d.state.paused ? `paused (${d.state.note ?? 'no note'})` : null),
        (error: unknown) => `not readable: ${error instanceof Error ? error.message : String(error)}`,
      );
    if (schedule) findings.push({ category: 'stuck', what: `${where} is active but its schedule is ${schedule}` });
  }
  return findings;
}

interface AccountRow {
  id: string;
  organization_id: string;
  iban: string;
  bank_account_id: string;
  switch_over_date: string;
  state: string;
  state_reason: string | null;
  consent_id: string | null;
  frequency_per_day: number | null;
  last_fetch_result: { outcome: string; at?: string } | null;
}

/** Longer than any one fetch of an account takes, retries after a fault included. */
const FETCH_GRACE_MS = 5 * 60_000;

/** A fetch that asked the bank and succeeded long after the entry was booked must have seen it. */
function fetchedAfter(result: AccountRow['last_fetch_result'], bookedAt: number | undefined): string | null {
  if (!result?.at || bookedAt === undefined || !['imported', 'no_new_data'].includes(result.outcome)) return null;
  return Date.parse(result.at) - bookedAt > FETCH_GRACE_MS ? `a fetch at ${result.at} ended ${result.outcome}` : null;
}

/** Every booked entry of the bank's ledger since the switch-over imported exactly once, per connected account. */
async function auditTransactions(
  db: Client,
  organizationIds: readonly string[],
  bank: SandboxBankAdmin,
  bookings: Bookings,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const accounts = await db.query<AccountRow>(
    `SELECT ca.id, ca.organization_id, ca.iban, ca.bank_account_id, ca.switch_over_date::text AS switch_over_date,
            c.state, c.state_reason, c.consent_id, k.frequency_per_day, ca.last_fetch_result
     FROM connected_account ca JOIN connection c ON c.id = ca.connection_id LEFT JOIN consent k ON k.id = c.consent_id
     WHERE ca.organization_id = ANY($1::uuid[]) AND ca.import_transactions AND NOT ca.blocked`,
    [organizationIds],
  );
  const day = allowanceDay(new Date());
  for (const account of accounts.rows) {
    const where = `account ${account.iban} (connected account ${account.id}, organization ${account.organization_id})`;
    const imported = await db.query<{ ref: string | null; n: string; ids: string }>(
      `SELECT bank_reference AS ref, count(*) AS n, string_agg(id::text, ',') AS ids FROM bank_transaction
       WHERE bank_account_id = $1 GROUP BY bank_reference`,
      [account.bank_account_id],
    );
    const counts = new Map(imported.rows.map((r) => [r.ref, r]));
    const entries = bank
      .ledger(account.iban)
      .entries.filter((e) => e.status === 'booked' && e.bookingDate >= account.switch_over_date);
    const known = new Set(entries.map((e) => e.entryReference));
    for (const row of imported.rows) {
      if (!known.has(row.ref))
        findings.push({ category: 'duplicated', what: `${where}: transaction(s) ${row.ids} unknown to the bank` });
      else if (Number(row.n) > 1)
        findings.push({
          category: 'duplicated',
          what: `${where}: entry ${row.ref} imported ${row.n} times (${row.ids})`,
        });
    }
    const missing = entries.filter((e) => !counts.has(e.entryReference));
    if (!missing.length) continue;
    const excuse = await whyNotFetched(db, account, day);
    for (const entry of missing) {
      const what = `${where}: entry ${entry.entryReference} (${entry.amountCents} cents, "${entry.remittanceInformationUnstructured}") not imported`;
      const after = fetchedAfter(account.last_fetch_result, bookings.at(entry.entryReference));
      if (after) findings.push({ category: 'lost', what: `${what}, though ${after}` });
      else findings.push(excuse ? { category: 'waiting', what: `${what}: ${excuse}` } : { category: 'lost', what });
    }
  }
  return findings;
}

/** An expected reason an account has not been fetched since its last entry: the day's calls used, or no consent. */
async function whyNotFetched(db: Client, account: AccountRow, day: string): Promise<string | null> {
  if (account.state !== 'active') return `the connection is ${account.state} (${account.state_reason ?? 'no reason'})`;
  if (!account.consent_id || account.frequency_per_day === null) return 'the connection has no consent';
  const made = await db.query<{ made: number }>(
    'SELECT made FROM bank_call_count WHERE consent_id = $1 AND day = $2 AND call = $3',
    [account.consent_id, day, transactionsCall(account.iban)],
  );
  const calls = made.rows[0]?.made ?? 0;
  return calls >= account.frequency_per_day
    ? `the bank's ${account.frequency_per_day} calls of ${day} for it are used (consent ${account.consent_id})`
    : null;
}

/** No e-mail twice for one intent (maildev against the outbox), every outbox row sent, every sent row received. */
async function auditEmails(db: Client, organizationIds: readonly string[], mailbox: Mailbox): Promise<Finding[]> {
  const findings: Finding[] = [];
  const outbox = await db.query<{
    id: string;
    idempotency_key: string;
    status: string;
    message_id: string;
    to: string;
    attempts: number;
    last_error: string | null;
  }>(
    `SELECT id, idempotency_key, status, message_id, "to", attempts, last_error FROM email_message
     WHERE organization_id = ANY($1::uuid[])`,
    [organizationIds],
  );
  const received = new Map<string, string[]>();
  for (const mail of await mailbox.all())
    received.set(mail.messageId, [...(received.get(mail.messageId) ?? []), mail.id]);
  for (const row of outbox.rows) {
    const where = `e-mail ${row.idempotency_key} (outbox row ${row.id}, to ${row.to})`;
    const copies = received.get(row.message_id.replace(/^<|>$/g, '')) ?? [];
    if (row.status !== 'sent')
      findings.push({
        category: 'stuck',
        what: `${where} is ${row.status} after ${row.attempts} attempts (${row.last_error ?? 'no error'})`,
      });
    else if (copies.length === 0) findings.push({ category: 'lost', what: `${where} is sent but maildev has none` });
    if (copies.length > 1)
      findings.push({ category: 'duplicate-email', what: `${where} received ${copies.length} times (${copies})` });
  }
  return findings;
}

/** Once the run has settled, no fetch runs any more: one still running is stuck. */
function auditFetchWorkflows(running: Map<string, string>): Finding[] {
  return [...running]
    .filter(([, type]) => type === 'fetchTransactionsWorkflow')
    .map(([id]) => ({ category: 'stuck' as const, what: `fetch workflow ${id} still running` }));
}

/** Running workflow ids with their type. */
export async function runningWorkflows(temporal: TemporalClient): Promise<Map<string, string>> {
  const running = new Map<string, string>();
  for await (const execution of temporal.workflow.list({ query: 'ExecutionStatus = "Running"' }))
    running.set(execution.workflowId, execution.type);
  return running;
}
