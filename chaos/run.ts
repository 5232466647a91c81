import { rmSync } from 'node:fs';
import { audit, type Finding } from './audit';
import { Bookings } from './bookings';
import { injectFaults, type FaultRecord } from './faults';
import { driveFetches, type FetchRecord } from './fetches';
import { prepareLanes } from './lanes';
import { Mailbox } from './mailbox';
import { onboardingDriver } from './onboardings';
import { parseOptions, seededRandom } from './options';
import { report, type Totals } from './report';
import { settle } from './settle';
import { startChaosStack } from './stack';

/** Fetch pace while onboardings run, and after: the fetches spread over the run, and faults keep hitting them. */
const PACE_WHILE_ONBOARDING_MS = 1_000;
const PACE_AFTER_MS = 300;

/**
 * `npm run chaos` (issue 12 item 3): the whole stack under faults at random moments while clients onboard through
 * the real pages and staff and the schedules fetch; then an audit against the bank's ledger, maildev, the database
 * and Temporal. The last line is the verdict; the exit code is non-zero when anything was lost, duplicated, mailed
 * twice or stuck.
 */
async function main(): Promise<{ dataDir: string; totals: Totals; findings: Finding[] }> {
  const options = parseOptions(process.argv.slice(2));
  const say = (line: string) => console.log(line);
  const random = seededRandom(options.seed);
  // Every restart of a child adds the stack's own exit hook; the run restarts children many times.
  process.setMaxListeners(200);
  say(
    `chaos: ${options.onboardings} onboardings, ${options.fetches} fetches, seed ${options.seed}; starting the stack…`,
  );
  const stack = await startChaosStack(say);
  say(`  data and logs in ${stack.dataDir} (removed when the run finds nothing)`);
  try {
    const lanes = await prepareLanes(stack.databaseUrl, stack.bank.admin);
    const mailbox = new Mailbox(`${stack.mailUrl}/api`);
    const bookings = new Bookings(stack.bank.admin);
    const onboardings = onboardingDriver({
      apiUrl: stack.apiUrl,
      lanes,
      total: options.onboardings,
      mailbox,
      bookings,
      random,
      say,
    });
    const fetches: FetchRecord[] = [];
    const faults: FaultRecord[] = [];
    let journeysDone = false;
    let fetchesDone = false;
    await Promise.all([
      onboardings.run().finally(() => (journeysDone = true)),
      driveFetches({
        apiUrl: stack.apiUrl,
        temporal: stack.temporal,
        bookings,
        connections: onboardings.connections,
        total: options.fetches,
        pace: () => (journeysDone ? PACE_AFTER_MS : PACE_WHILE_ONBOARDING_MS),
        random,
        records: fetches,
        say,
      }).finally(() => (fetchesDone = true)),
      injectFaults({ stack, random, keepGoing: () => !journeysDone || !fetchesDone, records: faults, say }),
    ]);
    say(`fetch answers: ${tally(fetches.map((f) => `${f.kind} ${f.answer}`))}`);
    say('settling: waiting for the onboardings, the outbox and the fetches to finish…');
    await settle({
      databaseUrl: stack.databaseUrl,
      apiUrl: stack.apiUrl,
      temporal: stack.temporal,
      lanes,
      records: onboardings.records,
      connections: onboardings.connections,
      lastFaultOver: Math.max(...faults.map((f) => Date.parse(f.over))),
      say,
    });
    const findings = await audit({
      databaseUrl: stack.databaseUrl,
      organizationIds: lanes.map((l) => l.organizationId),
      bank: stack.bank.admin,
      bookings,
      mailbox,
      temporal: stack.temporal,
      records: onboardings.records,
    });
    return {
      dataDir: stack.dataDir,
      totals: { onboardings: onboardings.records.length, fetches: fetches.length, faults: faults.length },
      findings,
    };
  } finally {
    await stack.stop();
  }
}

/** "fetch-now 202 ×12, schedule triggered ×5": how often each answer came. */
function tally(answers: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  return [...counts].map(([answer, n]) => `${answer} ×${n}`).join(', ');
}

main().then(
  // Printed once the stack has stopped, so the verdict is the very last line; a failed run keeps its logs.
  ({ dataDir, totals, findings }) => {
    const code = report(totals, findings, (line) => console.log(line));
    if (code === 0) rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
