import { z } from 'zod';
import { kvkNumberProblem } from '../domain/kvk';

/**
 * Looks a company up in the KvK Handelsregister by its KvK number (R-V3, R-V9: the company name is filled in from the
 * number). It asks the Basisprofiel API, the one KvK intends for details of a known number: one call gives the name,
 * the trade names, the legal form and the full address. The same paths serve production (https://api.kvk.nl), the KvK
 * test environment (https://api.kvk.nl/test) and the sandbox (sandbox/kvk), so only `baseUrl` and `apiKey` differ.
 *
 * Nothing here logs: the API key travels only in the `apikey` header and never appears in a result or an error.
 */

export interface KvkAddress {
  kind: 'visiting' | 'postal';
  street: string;
  houseNumber?: number;
  houseLetter?: string;
  houseNumberAddition?: string;
  poBoxNumber?: number;
  postalCode?: string;
  city: string;
  country?: string;
}

export type KvkLookupResult =
  | { kind: 'found'; kvkNumber: string; name: string; tradeNames: string[]; legalForm?: string; address?: KvkAddress }
  | { kind: 'not_found' }
  | { kind: 'invalid'; reason: string };

/** KvK could not answer now (network, timeout, 5xx, 429, "temporarily unavailable"): a retry may succeed. */
export class KvkUnavailableError extends Error {
  override readonly name = 'KvkUnavailableError';
}

/**
 * KvK refused the request itself (API key, a parameter, an answer this client cannot read): retrying the same call
 * will not help, so a Temporal retry policy lists this type as non-retryable.
 */
export class KvkRejectedError extends Error {
  override readonly name = 'KvkRejectedError';
}

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

const foutSchema = z.object({
  fout: z.array(z.object({ code: z.string(), omschrijving: z.string().optional() })),
});

const adresSchema = z.object({
  type: z.string(),
  indAfgeschermd: z.string().optional(),
  straatnaam: z.string().optional(),
  huisnummer: z.number().optional(),
  huisletter: z.string().optional(),
  huisnummerToevoeging: z.string().optional(),
  postbusnummer: z.number().optional(),
  postcode: z.string().optional(),
  plaats: z.string().optional(),
  land: z.string().optional(),
});

const basisprofielSchema = z.object({
  kvkNummer: z.string(),
  naam: z.string().optional(),
  statutaireNaam: z.string().optional(),
  handelsnamen: z.array(z.object({ naam: z.string(), volgorde: z.number() })).optional(),
  _embedded: z
    .object({
      hoofdvestiging: z.object({ adressen: z.array(adresSchema).optional() }).optional(),
      eigenaar: z.object({ rechtsvorm: z.string().optional(), adressen: z.array(adresSchema).optional() }).optional(),
    })
    .optional(),
});

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

      if (status === 200) return found(body);
      const fout = foutCodes(body);
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

function found(body: string): KvkLookupResult {
  const parsed = basisprofielSchema.safeParse(parseJson(body));
  if (!parsed.success)
    throw new KvkRejectedError(`KvK's Basisprofiel answer has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  const profile = parsed.data;
  const tradeNames = [...(profile.handelsnamen ?? [])].sort((a, b) => a.volgorde - b.volgorde).map((h) => h.naam);
  // KvK's `naam` is already "the statutory name or else the first trade name"; the fallbacks cover older answers.
  const name = profile.naam ?? profile.statutaireNaam ?? tradeNames[0];
  if (!name) throw new KvkRejectedError(`KvK's Basisprofiel answer for ${profile.kvkNummer} names no company`);
  const legalForm = profile._embedded?.eigenaar?.rechtsvorm;
  const address = pickAddress([
    ...(profile._embedded?.hoofdvestiging?.adressen ?? []),
    ...(profile._embedded?.eigenaar?.adressen ?? []),
  ]);
  return {
    kind: 'found',
    kvkNumber: profile.kvkNummer,
    name,
    tradeNames,
    ...(legalForm ? { legalForm } : {}),
    ...(address ? { address } : {}),
  };
}

/** The visiting address of the main branch, else of the owner, else a postal address; never a shielded one. */
function pickAddress(adressen: z.infer<typeof adresSchema>[]): KvkAddress | undefined {
  const usable = adressen.filter((a) => a.indAfgeschermd !== 'Ja' && a.straatnaam && a.plaats);
  const adres = usable.find((a) => a.type === 'bezoekadres') ?? usable.find((a) => a.type === 'correspondentieadres');
  if (!adres?.straatnaam || !adres.plaats) return undefined;
  return {
    kind: adres.type === 'bezoekadres' ? 'visiting' : 'postal',
    street: adres.straatnaam,
    city: adres.plaats,
    ...(adres.huisnummer !== undefined ? { houseNumber: adres.huisnummer } : {}),
    ...(adres.huisletter ? { houseLetter: adres.huisletter } : {}),
    ...(adres.huisnummerToevoeging ? { houseNumberAddition: adres.huisnummerToevoeging } : {}),
    ...(adres.postbusnummer !== undefined ? { poBoxNumber: adres.postbusnummer } : {}),
    ...(adres.postcode ? { postalCode: adres.postcode } : {}),
    ...(adres.land ? { country: adres.land } : {}),
  };
}

function foutCodes(body: string): { code: string; omschrijving?: string }[] {
  const parsed = foutSchema.safeParse(parseJson(body));
  return parsed.success ? parsed.data.fout : [];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
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
