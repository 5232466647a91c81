import { randomUUID } from 'node:crypto';
import type { BankSession } from '../connector';
import { xs2aError } from './errors';
import type { BankLog, HttpAnswer, Method, Send } from './http';

export interface Xs2aContext {
  bankCode: string;
  /** Root of the bank's XS2A API, ending in `/`, so that `v1/...` resolves below it. */
  base: URL;
  now: () => Date;
  log?: BankLog | undefined;
}

/** What the consent, account and transaction calls share: where the API is and how it is called. */
export interface Xs2aApi extends Xs2aContext {
  /** A URL below the API root; `path` comes without a leading `/`. */
  url(path: string, query?: Record<string, string>): URL;
  /** Answers 2xx; any other status is thrown as the error type of banks/errors.ts it stands for. */
  call(method: Method, url: URL, extras?: Xs2aExtras): Promise<HttpAnswer>;
}

export interface Xs2aExtras {
  session?: BankSession | undefined;
  body?: unknown;
  /** The client's address where there is no session yet (creating the consent on their behalf). */
  psuIpAddress?: string | undefined;
}

export function createXs2aApi(send: Send, context: Xs2aContext): Xs2aApi {
  const { bankCode, base, now } = context;
  return {
    ...context,
    url(path, query) {
      const url = new URL(path, base);
      for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
      return url;
    },
    async call(method, url, { session, body, psuIpAddress } = {}) {
      const headers = xs2aHeaders(session, body !== undefined, psuIpAddress);
      const answer = await send({
        method,
        url,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (answer.status < 200 || answer.status >= 300)
        throw xs2aError(bankCode, answer, session ? [session.accessToken] : [], now());
      return answer;
    },
  };
}

/**
 * A fresh X-Request-ID each time, JSON both ways, and the session's consent and token. Without `PSU-IP-Address`
 * the bank takes the call as unattended and counts it against the consent's frequencyPerDay.
 */
function xs2aHeaders(
  session: BankSession | undefined,
  hasBody: boolean,
  psuIpAddress: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'X-Request-ID': randomUUID(), Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (session) {
    headers['Consent-ID'] = session.consentId;
    headers.Authorization = `Bearer ${session.accessToken}`;
  }
  const ip = session && !session.unattended ? session.psuIpAddress : psuIpAddress;
  if (ip) headers['PSU-IP-Address'] = ip;
  return headers;
}
