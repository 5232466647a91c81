import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { databaseProblem } from '../../api/database-problem';
import { createLogger } from '../../bin/stack/logger';
import { databaseError } from '../../db/database-error';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';
import { testActivityDeps } from '../support/worker';

/*
 * Issue 12: a database error reaches no answer, log line, activity failure or stored result with its SQL or values.
 * Real errors from PostgreSQL: the driver's message holds the statement, and PostgreSQL's often quotes the value.
 */

const VALUE = 'Bakkerij Jansen NL91ABNA0417164300';
const LEAKS = new RegExp(`SELECT|INSERT|unnest|\\?::|${VALUE}|2026-13-45|not-a-uuid`, 'i');

let db: TestDatabase;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

/** The error PostgreSQL gives for `sql`, as the driver throws it. */
async function refusal(sql: string, values: unknown[] = []): Promise<Error> {
  try {
    await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('CREATE TEMPORARY TABLE short_text (v varchar(10) UNIQUE) ON COMMIT DROP');
      await tx.execute(sql, values);
    });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${sql} to fail`);
}

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('info', 'test', stream), lines };
}

test('the driver message holds SQL and values; the summary keeps only the SQLSTATE and what it means', async () => {
  const tooLong = await refusal('INSERT INTO short_text (v) VALUES (?)', [VALUE]);
  expect(tooLong.message).toMatch(LEAKS);
  expect(databaseError(tooLong)).toEqual({
    code: '22001',
    constraint: null,
    table: null,
    column: null,
    message: 'the database refused a value longer than its column (SQLSTATE 22001)',
    refusedData: true,
  });
  const badDate = await refusal('SELECT ?::date', ['2026-13-45']);
  expect(databaseError(badDate)?.message).toBe('the database refused a date or time out of range (SQLSTATE 22008)');
  const nul = await refusal('INSERT INTO short_text (v) VALUES (?)', ['a\u0000b']);
  // The driver cannot send a NUL in a parameter: PostgreSQL calls the message malformed.
  expect(databaseError(nul)).toMatchObject({ code: '08P01', refusedData: true });
  // A duplicate can be a race between two writers: a retry finds the other's row.
  const duplicate = await refusal('INSERT INTO short_text (v) VALUES (?), (?)', ['x', 'x']);
  expect(databaseError(duplicate)).toMatchObject({ code: '23505', refusedData: false });
  const missing = await refusal('SELECT * FROM no_such_table');
  expect(databaseError(missing)).toMatchObject({ code: '42P01', refusedData: false });
  expect(databaseError(new Error('not from the database'))).toBeNull();
});

test('the API answers a refused value 422 and anything else 500, neither with SQL; the log line has none either', async () => {
  const { log, lines } = capturingLogger();
  const refused = databaseProblem(await refusal('INSERT INTO short_text (v) VALUES (?)', [VALUE]), log);
  expect(refused?.status).toBe(422);
  expect(JSON.stringify(refused?.body('/api/x'))).not.toMatch(LEAKS);
  const ours = databaseProblem(await refusal('SELECT * FROM no_such_table'), log);
  expect(ours?.status).toBe(500);
  expect(lines.join('')).toContain('42P01');
  expect(lines.join('')).not.toMatch(/SELECT/);
});

test('a logged database error keeps its SQLSTATE, not its SQL or values', async () => {
  const { log, lines } = capturingLogger();
  log.error({ err: await refusal('INSERT INTO short_text (v) VALUES (?)', [VALUE]) }, 'unhandled error');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('22001');
  expect(lines[0]).not.toMatch(LEAKS);
  log.error({ err: new Error('plain') }, 'other');
  expect(lines[1]).toContain('"message":"plain"');
});

test('every activity raises a database error as a failure without SQL, not retried when the data was refused', async () => {
  const activities = createActivities(testActivityDeps({ orm: db.orm, env }));
  const failure = await activities
    .fetchAccount({ connectionId: 'not-a-uuid', connectedAccountId: 'not-a-uuid' })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'DatabaseError', nonRetryable: true });
  expect((failure as Error).message).toMatch(/SQLSTATE 22P02/);
  expect((failure as Error).message).not.toMatch(LEAKS);
  expect((failure as Error).stack).not.toMatch(LEAKS);
});
