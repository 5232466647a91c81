import { readBasisprofiel, readFoutCodes, type KvkCompany } from './basisprofiel';
import { KvkRejectedError, KvkUnavailableError } from './errors';
import { kvkNumberProblem } from '../domain/kvk';

/**
 * Looks a company up in the KvK Handelsregister by its KvK number (R-V3, R-V9: the company name is filled in from the
 * number). It asks the Basisprofiel API, the one KvK intends for details of a known number: one call gives the name,
 * the trade names, the legal form and the full address. The same paths serve production (https://api.kvk.nl), the KvK
 * test environment (https://api.kvk.nl/test) and the sandbox (sandbox/kvk), so only `baseUrl` and `apiKey` differ.
 *
 * Nothing here logs: the API key travels only in the `apikey` header and never appears in a result or an error.
 */

export type KvkLookupResult = KvkCompany | { kind: 'not_found' } | { kind: 'invalid'; reason: string };

export interface KvkClientOptions {
  /** Without a trailing `/api`: `https://api.kvk.nl`, `https://api.kvk.nl/test` or the sandbox's URL. */
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface KvkLookupOptions {
  /**
   * Shorter than the client's own for a caller that must answer a person now and has a later, patient caller
   * behind it (the staff API before the onboarding's prepare step).
   */
  timeoutMs?: number;
}

export interface KvkClient {
  lookup(kvkNumber: string, options?: KvkLookupOptions): Promise<KvkLookupResult>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

// KvK's status-code table: IPD0004 the number is not valid; IPD0005 no product for this number; IPD1002 and IPD1003
// data temporarily unavailable ("probeer het later nog eens"), which KvK sends with a 4xx status all the same.
const INVALID_NUMBER_CODES = new Set(['IPD0004']);
const NOT_FOUND_CODES = new Set(['IPD0005']);
const TEMPORARY_CODES = new Set(['IPD1002', 'IPD1003']);

export function createKvkClient(options: KvkClientOptions): KvkClient {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  return {
    async lookup(input: string, lookupOptions: KvkLookupOptions = {}): Promise<KvkLookupResult> {
      const problem = kvkNumberProblem(input);
      if (problem) return { kind: 'invalid', reason: `KvK number ${problem}` };
      const kvkNumber = input.trim();

      // One deadline covers connecting, waiting for the headers and reading the body: a server that stalls halfway
      // through its answer must not hold the activity past its timeout either.
      const deadlineMs = lookupOptions.timeoutMs ?? timeoutMs;
      const signal = AbortSignal.timeout(deadlineMs);
      let status: number;
      let body: string;
      try {
        const response = await fetchImpl(`${baseUrl}/api/v1/basisprofielen/${kvkNumber}`, {
          headers: { apikey: options.apiKey, accept: 'application/hal+json, application/json' },
          signal,
        });
        status = response.status;
        body = await response.text();
      } catch (error) {
        if (signal.aborted) {
          throw new KvkUnavailableError(`KvK did not answer within ${deadlineMs} ms`, { cause: error });
        }
        throw new KvkUnavailableError(`KvK could not be reached: ${describe(error)}`, { cause: error });
      }

      if (status === 200) return readBasisprofiel(body);
      const fout = readFoutCodes(body);
      if (status >= 500 || status === 429 || fout.some((f) => TEMPORARY_CODES.has(f.code))) {
        throw new KvkUnavailableError(`KvK is unavailable (HTTP ${status}${codesText(fout)})`);
      }
      const invalid = fout.find((f) => INVALID_NUMBER_CODES.has(f.code));
      if (status === 400 && invalid)
        return { kind: 'invalid', reason: invalid.omschrijving ?? `KvK rejected the number (${invalid.code})` };
      // A 404 without KvK's own code is not "no such company" but a wrong base URL or path: say so instead.
      if (status === 404 && fout.some((f) => NOT_FOUND_CODES.has(f.code))) return { kind: 'not_found' };
      if (status === 401 || status === 403) throw new KvkRejectedError(`KvK refused the API key (HTTP ${status})`);
      throw new KvkRejectedError(
        `KvK answered HTTP ${status}${codesText(fout)} to ${baseUrl}/api/v1/basisprofielen/{kvkNumber}`,
      );
    },
  };
}

function codesText(fout: { code: string }[]): string {
  return fout.length > 0 ? `, ${fout.map((f) => f.code).join(', ')}` : '';
}

/**
 * fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. Duck-typed, because
 * errors raised inside undici may come from another realm than this module's `Error`.
 */
function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(cause);
}
