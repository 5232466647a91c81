import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { fetchScheduleId } from '../domain/fetch-schedule';
import type { Bookings } from './bookings';
import type { Lane } from './lanes';
import { StaffApi } from './staff';

/** A fetch the run asked for and how the product answered. */
export interface FetchRecord {
  connectionId: string;
  kind: 'fetch-now' | 'schedule';
  /** HTTP status of fetch now (202 started, 409 one runs, 429 allowance used), or "triggered" for the schedule. */
  answer: string;
  workflowId: string | null;
  runId: string | null;
}

/**
 * Asks for `total` fetches of the connections the onboardings made, at a pace that spreads them over the run: staff's
 * fetch now (R-A17) through the API, and the connection's own Temporal Schedule triggered out of its hourly turn.
 * Before some of them the bank books a new payment on one of the connection's accounts, so fetches have something
 * new to import beside the schedule and each other (R-A16: never twice).
 */
export async function driveFetches(options: {
  apiUrl: string;
  temporal: Client;
  bookings: Bookings;
  connections: ReadonlyMap<string, Lane>;
  total: number;
  /** Milliseconds between two fetches; read each time, so the run can speed up once the onboardings are done. */
  pace: () => number;
  random: () => number;
  records: FetchRecord[];
  say: (line: string) => void;
}): Promise<void> {
  while (options.records.length < options.total) {
    const ids = [...options.connections.keys()];
    if (!ids.length) {
      await sleep(2_000);
      continue;
    }
    const connectionId = ids[Math.floor(options.random() * ids.length)]!;
    const lane = options.connections.get(connectionId)!;
    if (options.random() < 0.3) {
      options.bookings.book(
        lane.ibans[Math.floor(options.random() * lane.ibans.length)]!,
        (options.random() < 0.5 ? -1 : 1) * (1 + Math.floor(options.random() * 50_000)),
        `chaos fetch ${options.records.length + 1}`,
      );
    }
    const record =
      options.random() < 0.7
        ? await fetchNow(new StaffApi(options.apiUrl, lane.staffKey, `10.0.0.${lane.index + 1}`), connectionId)
        : await triggerSchedule(options.temporal, connectionId);
    options.records.push(record);
    if (options.records.length % 100 === 0) options.say(`  fetch ${options.records.length}/${options.total}`);
    await sleep(options.pace());
  }
}

export async function fetchNow(staff: StaffApi, connectionId: string): Promise<FetchRecord> {
  const answer = await staff.call('POST', `/connections/${connectionId}/fetch-now`);
  return {
    connectionId,
    kind: 'fetch-now',
    answer: String(answer.status),
    workflowId: answer.status === 202 ? String(answer.body.workflowId) : null,
    runId: answer.status === 202 ? String(answer.body.runId) : null,
  };
}

async function triggerSchedule(temporal: Client, connectionId: string): Promise<FetchRecord> {
  const answer = await temporal.schedule
    .getHandle(fetchScheduleId(connectionId))
    .trigger()
    .then(
      () => 'triggered',
      (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  return { connectionId, kind: 'schedule', answer, workflowId: null, runId: null };
}
