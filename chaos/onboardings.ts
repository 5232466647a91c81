import { setTimeout as sleep } from 'node:timers/promises';
import { SERIAL_ALPHABET } from '../domain/serial-number';
import type { Bookings } from './bookings';
import { activationLinkJourney, serialJourney, type ClientOutcome } from './journeys';
import { KVK_NUMBER, type Lane } from './lanes';
import type { Mailbox } from './mailbox';
import { StaffApi } from './staff';

/** One onboarding of the run: who started it, what the client managed, and its status when the lane moved on. */
export interface OnboardingRecord {
  lane: number;
  flavour: 'activation-link' | 'serial';
  clientEmail: string;
  onboardingId: string | null;
  consented: boolean;
  note: string;
  /** Staff's start answers that were not 201, with their detail: evidence for the start path. */
  startTrouble: string[];
  connectionId: string | null;
  status: string | null;
}

export interface OnboardingDriver {
  records: OnboardingRecord[];
  /** Connections made so far, for the fetch driver. */
  connections: Map<string, Lane>;
  run(): Promise<void>;
}

const MAIL_WAIT_MS = 6 * 60_000;
/** After the consent, how long a lane waits for the onboarding to finish before its next one. */
const FINISH_WAIT_MS = 4 * 60_000;
const FINAL = ['rejected', 'active', 'active_awaiting_first_transaction', 'expired', 'cancelled', 'consent_refused'];
const LINK = /\/connect\/[A-Za-z0-9_-]{43}/;
const SERIAL = new RegExp(`\\b[${SERIAL_ALPHABET}]{4}-[${SERIAL_ALPHABET}]{4}-[${SERIAL_ALPHABET}]{4}\\b`);

/**
 * Drives `total` onboardings over the lanes, each lane one at a time, flavours alternating: staff start it through
 * the API, the client reads the e-mail in maildev and walks the real pages, then the lane waits for the end.
 */
export function onboardingDriver(options: {
  apiUrl: string;
  lanes: readonly Lane[];
  total: number;
  mailbox: Mailbox;
  bookings: Bookings;
  random: () => number;
  say: (line: string) => void;
}): OnboardingDriver {
  const records: OnboardingRecord[] = [];
  const connections = new Map<string, Lane>();
  let next = 0;

  async function runLane(lane: Lane): Promise<void> {
    const staff = new StaffApi(options.apiUrl, lane.staffKey, `10.0.0.${lane.index + 1}`);
    let environment = 0;
    for (;;) {
      const n = next;
      if (n >= options.total) return;
      next += 1;
      const record: OnboardingRecord = {
        lane: lane.index,
        flavour: n % 2 === 0 ? 'activation-link' : 'serial',
        clientEmail: `client-${n + 1}@chaos.test`,
        onboardingId: null,
        consented: false,
        note: '',
        startTrouble: [],
        connectionId: null,
        status: null,
      };
      records.push(record);
      try {
        environment = await start(staff, lane, record, environment);
        if (record.onboardingId) await finish(staff, lane, record, n);
      } catch (error) {
        record.note = `the run's client failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (n % 10 === 0) options.say(`  onboarding ${n + 1}/${options.total}: ${record.note}`);
    }
  }

  /** Staff start it; a 409 (one still open here) moves the lane to its next environment. */
  async function start(staff: StaffApi, lane: Lane, record: OnboardingRecord, environment: number): Promise<number> {
    for (let tries = 0; tries < lane.environmentIds.length * 2; tries += 1) {
      const answer = await staff.call('POST', '/onboardings', {
        flavour: record.flavour,
        environmentId: lane.environmentIds[environment % lane.environmentIds.length],
        bank: lane.bankCode,
        client: { kvkNumber: KVK_NUMBER, email: record.clientEmail },
        accountManager: { name: 'Anna de Vries', email: `am-${lane.index + 1}@chaos.test` },
      });
      if (answer.status === 201) {
        record.onboardingId = String(answer.body.id);
        return environment;
      }
      record.startTrouble.push(`${answer.status} ${String(answer.body.detail ?? answer.body.error ?? '')}`);
      if (answer.status === 409) environment += 1;
      else await sleep(3_000);
    }
    record.note = 'staff could not start it';
    return environment;
  }

  async function finish(staff: StaffApi, lane: Lane, record: OnboardingRecord, n: number): Promise<void> {
    // Today starts with nothing booked: a payment now lets the first fetch find one, so the onboarding ends active.
    options.bookings.book(
      lane.ibans[Math.floor(options.random() * lane.ibans.length)]!,
      1 + Math.floor(options.random() * 10_000),
      `chaos onboarding ${n + 1}`,
    );
    const pattern = record.flavour === 'activation-link' ? LINK : SERIAL;
    const mail = await options.mailbox.waitFor(record.clientEmail, (m) => pattern.test(m.text), MAIL_WAIT_MS);
    if (!mail) {
      record.note = `no e-mail to the client within ${MAIL_WAIT_MS / 60_000} minutes`;
      return;
    }
    const client = {
      apiUrl: options.apiUrl,
      username: lane.username,
      ibans: lane.ibans,
      address: `10.${lane.index + 1}.${Math.floor(n / 250)}.${(n % 250) + 1}`,
    };
    const found = pattern.exec(mail.text)![0];
    const outcome: ClientOutcome =
      record.flavour === 'activation-link'
        ? await activationLinkJourney(client, `${options.apiUrl}${found}`)
        : await serialJourney(client, found);
    record.consented = outcome.consented;
    record.note = outcome.note;
    const deadline = Date.now() + FINISH_WAIT_MS;
    while (Date.now() < deadline) {
      const answer = await staff.call('GET', `/onboardings/${record.onboardingId}`);
      if (answer.status === 200) {
        record.status = String(answer.body.status);
        record.connectionId = (answer.body.connectionId as string | null) ?? null;
        if (record.connectionId) connections.set(record.connectionId, lane);
        if (FINAL.includes(record.status) || (!outcome.consented && record.status === 'waiting_for_consent')) return;
      }
      await sleep(3_000);
    }
  }

  return {
    records,
    connections,
    run: async () => {
      await Promise.all(options.lanes.map((lane) => runLane(lane)));
    },
  };
}
