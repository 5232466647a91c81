import type { Logger } from 'pino';
import { databaseError } from '../db/database-error';
import { Problem } from './problem';

/**
 * A database error as the answer, never with its SQL or values (issue 12), or null for any other error. Values from
 * statement files and banks are fitted before they are stored (domain/value-limits.ts), so a value the database
 * still refuses came with the request: a 422 naming the refusal, not a 500. A duplicate or a broken reference is
 * a 409. Anything else is our fault: a 500, logged with the SQLSTATE, constraint, table and column only.
 */
export function databaseProblem(error: unknown, log: Logger): Problem | null {
  const database = databaseError(error);
  if (!database) return null;
  if (database.code === '23505') return new Problem(409, 'Conflict', 'a record with these values already exists');
  if (database.code === '23503') {
    return new Problem(
      409,
      'Conflict',
      'other records still refer to this one, or it refers to a record that does not exist',
    );
  }
  if (database.refusedData) {
    return new Problem(422, 'Unprocessable content', `a value in the request cannot be stored: ${database.message}`);
  }
  const { code, constraint, table, column } = database;
  log.error({ database: { code, constraint, table, column } }, `database error: ${database.message}`);
  return new Problem(500, 'Internal server error', 'something went wrong on our side; it has been logged');
}
