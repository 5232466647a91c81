import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onShutdown } from '../bin/stack/shutdown';
import { createFuzzAdminKey } from './admin-key';
import { schemathesisConfig } from './config';
import { parseFuzzOptions, type FuzzOptions } from './options';
import { readRound, type RoundCounts } from './report';
import { CHECKS, provisionSchemathesis, runSchemathesis } from './schemathesis';
import { seedStatement } from './seed';
import { seedConnection } from './seed-connection';
import { startFuzzStack, type FuzzStack } from './stack';

/**
 * `npm run fuzz`: Schemathesis against the product's own stack and its own OpenAPI document, with an admin key, in
 * every phase (examples, coverage, fuzzing, stateful), until at least `--requests` requests are sent. The last line
 * says what it found; any 5xx, error answer that is not application/problem+json, or response that breaks the
 * document fails the run (README "API fuzz").
 */

/** Far above what one fuzz client sends, so the limiter never answers in place of a handler (fuzz/stack.ts). */
const FUZZ_RATE_LIMIT_PER_MINUTE = 1_000_000;
/** Top-up rounds run only fuzzing and stateful with a new seed; this many rounds reach any sensible budget. */
const MAX_ROUNDS = 6;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(options: FuzzOptions): Promise<number> {
  const schemathesis = await provisionSchemathesis(say);
  if (options.provisionOnly) {
    say(`Schemathesis: ${schemathesis}`);
    return 0;
  }
  const stack = await startFuzzStack({ apiRateLimitPerMinute: FUZZ_RATE_LIMIT_PER_MINUTE, say });
  const reports = options.reports ?? (await mkdtemp(path.join(os.tmpdir(), 'bankkoppeling-fuzz-reports-')));
  await mkdir(reports, { recursive: true });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stack.stop();
    if (!options.reports) await rm(reports, { recursive: true, force: true });
  };
  onShutdown(stop, say);
  try {
    const total = await fuzz(stack, schemathesis, reports, options);
    await stop();
    for (const finding of total.findings) say(finding);
    const line =
      `fuzz: ${total.requests} requests, ${total.operations.size} operations, 5xx ${total.serverErrors}, ` +
      `non-problem errors ${total.nonProblemErrors}, schema violations ${total.schemaViolations}`;
    process.stdout.write(`${line}\n`);
    const clean = total.serverErrors + total.nonProblemErrors + total.schemaViolations + total.errors === 0;
    if (total.errors > 0) say(`${total.errors} test(s) could not run (schemathesis error above)`);
    if (total.requests < options.requests) say(`fewer requests than the ${options.requests} asked for`);
    return clean && total.requests >= options.requests ? 0 : 1;
  } finally {
    await stop();
  }
}

/**
 * Revoking or rotating a key can hit the fuzz's own key (GET /api/api-keys lists it, and Schemathesis follows the
 * listed id to revoke and rotate), after which every answer is a 401. So the rest of the API is fuzzed first, and
 * the API-key operations last, in a round of their own.
 */
const KEY_CHANGES = '^/api/api-keys/\\{id\\}/(revoke|rotate)$';
const KEY_OPERATIONS = '^/api/api-keys';
const KEY_ROUND_EXAMPLES = 25;

interface Round {
  phases: string;
  examplesPerOperation: number;
  /** Schemathesis's operation filter, e.g. ['--exclude-path-regex', KEY_CHANGES]. */
  filter: string[];
}

async function fuzz(stack: FuzzStack, schemathesis: string, reports: string, options: FuzzOptions) {
  const key = await createFuzzAdminKey(stack.orm);
  const operations = await documentedOperations(stack.baseUrl);
  const config = path.join(reports, 'schemathesis.toml');
  say('Seeding a statement (MT940 upload) and a connection (an onboarding consented at the sandbox bank)…');
  const statement = await seedStatement(stack.baseUrl, key);
  const connection = await seedConnection(stack.baseUrl, key, stack.mailboxUrl);
  await writeFile(config, schemathesisConfig(statement, connection));
  say(`Fuzzing ${operations.length} operations of ${stack.baseUrl}/api/openapi.json (seed ${options.seed})…`);
  const total: RoundCounts = {
    requests: 0,
    operations: new Set(),
    serverErrors: 0,
    nonProblemErrors: 0,
    schemaViolations: 0,
    errors: 0,
    findings: [],
  };
  const runRound = async (number: number, round: Round) => {
    say(`Round ${number}: phases ${round.phases}, at most ${round.examplesPerOperation} examples per operation`);
    const har = path.join(reports, `round-${number}.har.json`);
    const json = path.join(reports, `round-${number}.json`);
    await runSchemathesis(schemathesis, [
      ...['--config-file', config, 'run', `${stack.baseUrl}/api/openapi.json`, '--url', stack.baseUrl],
      ...['--header', `Authorization: Bearer ${key}`, '--checks', CHECKS.join(',')],
      ...['--phases', round.phases, '--max-examples', String(round.examplesPerOperation), ...round.filter],
      // One worker: Hypothesis parses strategy sources with ast.parse, which CPython 3.11 breaks on when two
      // threads do it at once ("AST constructor recursion depth mismatch"), failing a test at random.
      ...['--seed', String(options.seed + number), '--workers', '1', '--request-timeout', '30'],
      ...['--generation-database', 'none', '--no-color', '--report', 'har,json'],
      ...['--report-har-path', har, '--report-json-path', json],
    ]);
    const counts = await readRound(har, json, operations);
    total.requests += counts.requests;
    for (const operation of counts.operations) total.operations.add(operation);
    total.serverErrors += counts.serverErrors;
    total.nonProblemErrors += counts.nonProblemErrors;
    total.schemaViolations += counts.schemaViolations;
    total.errors += counts.errors;
    total.findings.push(...counts.findings);
    say(`Round ${number}: ${counts.requests} requests`);
  };
  const exceptKeyChanges = ['--exclude-path-regex', KEY_CHANGES];
  let round = 1;
  for (; round <= MAX_ROUNDS && total.requests < options.requests; round++) {
    const examplesPerOperation = Math.max(10, Math.ceil((options.requests - total.requests) / operations.length));
    const phases = round === 1 ? 'examples,coverage,fuzzing,stateful' : 'fuzzing,stateful';
    await runRound(round, { phases, examplesPerOperation, filter: exceptKeyChanges });
  }
  await runRound(round, {
    phases: 'examples,coverage,fuzzing,stateful',
    examplesPerOperation: KEY_ROUND_EXAMPLES,
    filter: ['--include-path-regex', KEY_OPERATIONS],
  });
  return total;
}

/** "METHOD /api/path/{param}" of every operation, fewest parameters first so a literal segment wins. */
async function documentedOperations(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/openapi.json`);
  if (!response.ok) throw new Error(`GET /api/openapi.json answered ${response.status}`);
  const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(document.paths).flatMap(([template, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${template}`),
  );
  const parameters = (operation: string) => operation.split('{').length;
  return operations.sort((a, b) => parameters(a) - parameters(b));
}

let options: FuzzOptions;
try {
  options = parseFuzzOptions(process.argv.slice(2));
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
main(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`fuzz could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
