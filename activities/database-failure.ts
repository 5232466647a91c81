import { ApplicationFailure } from '@temporalio/common';
import { databaseError } from '../db/database-error';
import { ERROR_TYPES } from '../domain/error-types';

/**
 * A database error as an activity's failure, without the SQL and values the driver puts in its message: the
 * failure stands in the workflow history, the worker's log and whatever a workflow makes of it (a fetch summary).
 * Not retried when the data itself was refused, since the same statement meets the same refusal; null for any
 * other error.
 */
export function databaseFailure(error: unknown): ApplicationFailure | null {
  const database = databaseError(error);
  if (!database) return null;
  return ApplicationFailure.create({
    message: database.message,
    type: ERROR_TYPES.database,
    nonRetryable: database.refusedData,
  });
}

type ActivityFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/** The activities, each raising its database errors as databaseFailure says; every other error as it came. */
export function sayingDatabaseErrors<T extends ActivityFunctions>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (error) {
        throw databaseFailure(error) ?? error;
      }
    };
  }
  return wrapped as T;
}
