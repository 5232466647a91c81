import { BankUnavailableError } from '../errors';

/** The subset of a pino logger this client uses; it logs ids, paths, statuses and timings, never a header. */
export interface BankLog {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface HttpOptions {
  bankCode: string;
  fetch?: typeof fetch;
  /** One deadline per HTTP request, covering connect, headers and body. */
  timeoutMs?: number;
  log?: BankLog;
}

export type Method = 'GET' | 'POST' | 'DELETE';

export interface HttpCall {
  method: Method;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Any status: what a status means is for the caller, which knows the endpoint's error format. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: unknown;
}

export type Send = (call: HttpCall) => Promise<HttpAnswer>;

const DEFAULT_TIMEOUT_MS = 30_000;

/** Only a network failure or the deadline throws here (BankUnavailableError), so a retry may help. */
export function createSend({ bankCode, fetch: fetchImpl = fetch, timeoutMs, log }: HttpOptions): Send {
  const deadlineMs = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (call) => {
    const started = performance.now();
    const fields = {
      bank: bankCode,
      method: call.method,
      path: call.url.pathname,
      requestId: call.headers['X-Request-ID'],
    };
    const elapsed = (): number => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      // Bank APIs do not redirect; following one could carry the bearer token to a host we never chose.
      const response = await fetchImpl(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
        redirect: 'manual',
      });
      const text = await response.text();
      log?.debug({ ...fields, status: response.status, ms: elapsed() }, 'bank answered');
      return { status: response.status, headers: response.headers, json: parseJson(text) };
    } catch (error) {
      const timedOut = signal.aborted;
      log?.warn({ ...fields, ms: elapsed(), timedOut }, 'bank did not answer');
      const summary = timedOut
        ? `no answer within ${deadlineMs} ms`
        : `could not reach the bank: ${networkReason(error)}`;
      throw new BankUnavailableError(summary, { bankCode, cause: error });
    }
  };
}

/** Error answers are often HTML or empty; the caller then maps the status alone. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof message === 'string' && message !== '' ? message : String(cause);
}
