import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosStack } from './stack';

export const FAULT_KINDS = [
  'worker-sigkill',
  'temporal-restart',
  'postgres-restart',
  'smtp-down',
  'bank-429',
  'bank-500',
  'bank-slow',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  at: string;
  /** When the stack was whole again. */
  over: string;
  detail: string;
}

const SMTP_DOWN_MS = 60_000;

/** Long enough that staff's starts, the clients' pages and running activities meet the outage, not just a blink. */
function downTime(random: () => number): number {
  return 1_000 * (3 + Math.floor(random() * 13));
}
const SLOW_FOR_MS = 30_000;

/**
 * Injects faults at random moments until `keepGoing` says stop, every kind at least once (in a random order), then
 * kinds at random. Each fault is whole again before the next begins, so "the last fault" has a clear end.
 */
export async function injectFaults(options: {
  stack: ChaosStack;
  random: () => number;
  /** Extra faults after each kind had its turn, while this holds. */
  keepGoing: () => boolean;
  records: FaultRecord[];
  say: (line: string) => void;
}): Promise<void> {
  const { random } = options;
  const first = [...FAULT_KINDS].sort(() => random() - 0.5);
  while (first.length || options.keepGoing()) {
    await sleep(10_000 + random() * 30_000);
    const kind = first.shift() ?? FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!;
    const at = new Date().toISOString();
    const detail = await inject(options.stack, kind, random);
    const record = { kind, at, over: new Date().toISOString(), detail };
    options.records.push(record);
    options.say(`  fault ${options.records.length}: ${kind} (${detail})`);
  }
}

async function inject(stack: ChaosStack, kind: FaultKind, random: () => number): Promise<string> {
  const admin = stack.bank.admin;
  switch (kind) {
    case 'worker-sigkill': {
      const n = Math.floor(random() * stack.workers.length);
      const worker = stack.workers[n]!;
      await worker.kill();
      await sleep(2_000 + random() * 8_000);
      await worker.start();
      return `${worker.name} killed and started again`;
    }
    case 'temporal-restart': {
      const down = downTime(random);
      await stack.restartTemporal(down);
      return `stopped, down ${down / 1000} s, started on the same SQLite file`;
    }
    case 'postgres-restart': {
      const down = downTime(random);
      await stack.restartPostgres(down);
      return `stopped, down ${down / 1000} s, started on the same data directory`;
    }
    case 'smtp-down':
      await stack.stopSmtp();
      await sleep(SMTP_DOWN_MS);
      await stack.startSmtp();
      return `maildev down for ${SMTP_DOWN_MS / 1000} s`;
    case 'bank-429': {
      const count = 1 + Math.floor(random() * 3);
      admin.failNext({ status: 429, count, retryAfterSeconds: 2 });
      return `the next ${count} bank calls answer 429 with Retry-After 2`;
    }
    case 'bank-500': {
      const count = 1 + Math.floor(random() * 3);
      admin.failNext({ status: 500, count });
      return `the next ${count} bank calls answer 500`;
    }
    case 'bank-slow': {
      const ms = 2_000 + Math.floor(random() * 6_000);
      admin.setLatency(ms);
      await sleep(SLOW_FOR_MS);
      admin.setLatency(0);
      return `every bank call ${ms} ms slower for ${SLOW_FOR_MS / 1000} s`;
    }
  }
}
