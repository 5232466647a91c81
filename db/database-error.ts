import { DriverException } from '@mikro-orm/core';

/**
 * A database error said without its SQL or values (issue 12). The driver's message holds the whole statement and
 * PostgreSQL's own often quotes the value it refused (`invalid input syntax for type date: "..."`): bank data,
 * names and IBANs that must not reach an HTTP answer, a log line, a workflow history or a stored fetch result.
 * What is kept is what a developer needs to find the cause: the SQLSTATE, the constraint, the table and column.
 */
export interface DatabaseErrorSummary {
  /** The PostgreSQL SQLSTATE, e.g. 22001. */
  code: string | null;
  constraint: string | null;
  table: string | null;
  column: string | null;
  /** One sentence without SQL or values, e.g. "the database refused a value longer than its column (SQLSTATE 22001)". */
  message: string;
  /**
   * The data itself was refused (SQLSTATE class 22, a missing value, a failed check, 08P01 for a NUL in a
   * parameter): the same statement would meet the same refusal. A duplicate or a broken reference is not among
   * them: it can be a race that a retry, finding the other's row, resolves.
   */
  refusedData: boolean;
}

/** What each SQLSTATE class (or a common code in it) means, in words that need no value to be understood. */
const MEANINGS: Record<string, string> = {
  '22001': 'a value longer than its column',
  '22021': 'a text with a character it cannot store (NUL)',
  '22P05': 'a text with a character it cannot store (NUL)',
  // What PostgreSQL answers when a statement's parameter holds NUL: the driver cannot even send it.
  '08P01': 'a value it cannot receive (a NUL character?)',
  '22007': 'a date or time it cannot read',
  '22008': 'a date or time out of range',
  '22003': 'a number out of range',
  '22P02': 'a value in the wrong form',
  '22': 'a value it cannot store',
  '23505': 'a record that already exists',
  '23503': 'a reference to a missing record, or the removal of one still referred to',
  '23502': 'a missing required value',
  '23514': 'a value that breaks a check',
  '23': 'a value that breaks a constraint',
  '08': 'the connection',
  '40': 'a transaction that conflicted with another',
  '53': 'the statement: it has run out of resources',
  '57': 'the statement: it is shutting down or cancelled it',
};

const REFUSED_DATA = new Set(['23502', '23514', '08P01']);

/** The summary of a database error (MikroORM's DriverException, or pg's own error), or null for any other error. */
export function databaseError(error: unknown): DatabaseErrorSummary | null {
  if (!isDatabaseError(error)) return null;
  const fields = error as { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown };
  const code = sqlState(fields.code);
  const constraint = text(fields.constraint);
  const refusedData = code !== null && (code.startsWith('22') || REFUSED_DATA.has(code));
  const meaning = code === null ? null : (MEANINGS[code] ?? MEANINGS[code.slice(0, 2)] ?? null);
  const what = meaning === null ? 'the database refused the statement' : `the database refused ${meaning}`;
  const where = [code && `SQLSTATE ${code}`, constraint && `constraint ${constraint}`].filter(Boolean).join(', ');
  return {
    code,
    constraint,
    table: text(fields.table),
    column: text(fields.column),
    message: where ? `${what} (${where})` : what,
    refusedData,
  };
}

/** pg's DatabaseError carries PostgreSQL's severity and SQLSTATE; MikroORM wraps it as a DriverException. */
function isDatabaseError(error: unknown): boolean {
  if (error instanceof DriverException) return true;
  const fields = error as { severity?: unknown; code?: unknown } | null;
  return error instanceof Error && typeof fields?.severity === 'string' && sqlState(fields.code) !== null;
}

/** Node's own codes (ECONNREFUSED) are no SQLSTATE. */
function sqlState(value: unknown): string | null {
  return typeof value === 'string' && /^[0-9A-Z]{5}$/.test(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
