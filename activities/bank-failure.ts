import { ApplicationFailure } from '@temporalio/common';
import { BankError, RateLimitedError } from '../banks/errors';
import { databaseFailure } from './database-failure';

/**
 * A bank's error as the activity's failure: a 429 retries after as long as the bank asks; a refusal that retrying
 * cannot change (a dead consent, a request the bank rejects) is not retried at all. A database error is said
 * without its SQL and values, which would otherwise stand in the workflow history, and is not retried when the
 * data itself was refused. Anything else as it came.
 */
export function toActivityFailure(error: unknown): unknown {
  const database = databaseFailure(error);
  if (database) return database;
  if (error instanceof RateLimitedError) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.type,
      nextRetryDelay: `${Math.max(1, error.retryAfterSeconds ?? 30)} seconds`,
    });
  }
  if (error instanceof BankError) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: !error.retryable });
  }
  return error;
}
