import { ConnectionException } from '@mikro-orm/core';
import { Problem } from './problem';

/** How long a client should wait before asking again; restarts of PostgreSQL or Temporal take seconds. */
const RETRY_AFTER_SECONDS = 10;

/**
 * The database or Temporal out of reach for a moment (a restart, a failover) is not a defect of the request nor of
 * the code: the answer is 503 with Retry-After, so clients and scripts know to try again, instead of a 500 that
 * says something broke (issue 12, seen by the chaos run while PostgreSQL and Temporal restarted).
 */
export function unavailableProblem(error: unknown): Problem | null {
  if (!dependencyUnavailable(error)) return null;
  return new Problem(
    503,
    'Service unavailable',
    'the database or Temporal does not answer right now; try again in a moment',
    [],
    { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
  );
}

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: Temporal did not answer, which says nothing about the request. */
const UNAVAILABLE_GRPC_CODES = new Set([14, 4]);
/** Node's own codes when a connection cannot be made or is cut. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

function dependencyUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ConnectionException) return true;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code)) return true;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^(57P0[1-3]|08(?!P01)\w{3})$/.test(code)))
      return true;
    if (/Connection terminated|the database system is (starting up|shutting down)/i.test(cause.message)) return true;
  }
  return false;
}
