import { setTimeout as sleep } from 'node:timers/promises';
import type { Client as TemporalClient } from '@temporalio/client';
import { Client } from 'pg';
import { onboardingRows, runningWorkflows } from './audit';
import { fetchNow } from './fetches';
import type { Lane } from './lanes';
import type { OnboardingRecord } from './onboardings';
import { StaffApi } from './staff';

/** Issue 12: every consented onboarding is active within 10 minutes of the last fault. */
export const SETTLE_MS = 10 * 60_000;
const ACTIVE = ['active', 'active_awaiting_first_transaction'];

/**
 * After the last fault: waits (up to SETTLE_MS after it) until every consented onboarding is active and the e-mail
 * outbox is empty, then lets the running fetches end and fetches every connection once more, so the audit compares
 * the bank's ledger with everything a fetch could have imported.
 */
export async function settle(options: {
  databaseUrl: string;
  apiUrl: string;
  temporal: TemporalClient;
  lanes: readonly Lane[];
  records: readonly OnboardingRecord[];
  connections: ReadonlyMap<string, Lane>;
  lastFaultOver: number;
  say: (line: string) => void;
}): Promise<void> {
  const deadline = options.lastFaultOver + SETTLE_MS;
  const consented = new Set(options.records.filter((r) => r.consented).map((r) => r.clientEmail));
  const organizationIds = options.lanes.map((l) => l.organizationId);
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    for (;;) {
      const waiting = (await onboardingRows(db, organizationIds)).filter(
        (row) => consented.has(row.client_email) && !ACTIVE.includes(row.status),
      ).length;
      const pending = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM email_message WHERE status <> 'sent' AND organization_id = ANY($1::uuid[])",
        [organizationIds],
      );
      if (!waiting && pending.rows[0]!.n === '0') break;
      if (Date.now() > deadline) {
        options.say(`  settle: ${waiting} consented not active, ${pending.rows[0]!.n} e-mails pending at the deadline`);
        break;
      }
      await sleep(5_000);
    }
  } finally {
    await db.end();
  }
  await fetchesEnded(options.temporal, 3 * 60_000);
  for (const [connectionId, lane] of options.connections) {
    const staff = new StaffApi(options.apiUrl, lane.staffKey, `10.0.0.${lane.index + 1}`);
    const answer = await fetchNow(staff, connectionId);
    options.say(`  final fetch of connection ${connectionId}: ${answer.answer}`);
  }
  await fetchesEnded(options.temporal, 5 * 60_000);
}

async function fetchesEnded(temporal: TemporalClient, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const running = [...(await runningWorkflows(temporal)).values()];
    if (!running.includes('fetchTransactionsWorkflow')) return;
    await sleep(3_000);
  }
}
