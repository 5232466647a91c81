import type { ActivityOptions } from '@temporalio/workflow';
import { ERROR_TYPES } from '../domain/error-types';

/**
 * The activity option presets every workflow picks from, so a retry policy is set in one place. Each activity adds
 * its own summary: what support staff read in the Temporal UI.
 */

/** A database step or a quick look-up. */
export const SHORT: ActivityOptions = { startToCloseTimeout: '30 seconds' };

/** An e-mail through the outbox: sent exactly once however often it is retried, so it may retry for long. */
export const EMAIL: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '10 minutes' } };

/** A call to the bank: a dead consent or a request the bank refuses is not retried. */
export const BANK_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [ERROR_TYPES.consentInvalid, ERROR_TYPES.bankRequest] },
};

/** One account's transactions, page by page: long, with heartbeats, and backing off as the bank asks. */
export const ACCOUNT_FETCH: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '15 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [ERROR_TYPES.consentInvalid, ERROR_TYPES.bankRequest, ERROR_TYPES.accountNotInConsent],
  },
};

export function withSummary(options: ActivityOptions, summary: string): ActivityOptions {
  return { ...options, summary };
}
