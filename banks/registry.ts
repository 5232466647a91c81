import { DUTCH_BANK_CODES, type DutchBankCode } from '../domain/iban';
import { type BankLog, createBerlinGroupConnector } from './berlin-group';
import type { BankConnector } from './connector';

/**
 * The banks the platform connects, and where their APIs live.
 *
 * In development every bank is the sandbox bank (sandbox/bank) under its own prefix: `<sandboxBankUrl>/INGB`,
 * `/RABO`, `/ABNA`, with the OAuth client `bankkoppeling`.
 *
 * In production each bank is configured from the environment (read by `bankEndpointsFromEnv`):
 *   BANK_<CODE>_URL                  root of the bank's Berlin Group XS2A API, without /v1 (required to use the bank)
 *   BANK_<CODE>_CLIENT_ID            our OAuth client id at that bank (required with the URL)
 *   BANK_<CODE>_CLIENT_SECRET        for a confidential client (optional; a secret, keep it out of logs)
 *   BANK_<CODE>_OAUTH_METADATA_URL   RFC 8414 metadata, when not at <URL>/.well-known/oauth-authorization-server
 * with <CODE> one of INGB, RABO, ABNA. A bank without BANK_<CODE>_URL is not offered.
 */

export const BANK_CODES = DUTCH_BANK_CODES;
export type BankCode = DutchBankCode;

/** The OAuth client the platform uses at the sandbox bank; its redirect URI is registered at start-up. */
export const SANDBOX_CLIENT_ID = 'bankkoppeling';

export interface BankEndpoint {
  baseUrl: string;
  clientId: string;
  clientSecret?: string;
  oauthMetadataUrl?: string;
}

export type BankEndpointsConfig = { sandboxBankUrl: string } | { endpoints: Partial<Record<BankCode, BankEndpoint>> };

export interface ConnectorRuntime {
  fetch?: typeof fetch;
  timeoutMs?: number;
  log?: BankLog;
  now?: () => Date;
}

export class BankConfigError extends Error {
  override readonly name = 'BankConfigError';
}

export function createConnectorFor(
  bankCode: BankCode,
  config: BankEndpointsConfig,
  runtime: ConnectorRuntime = {},
): BankConnector {
  const endpoint =
    'sandboxBankUrl' in config
      ? { baseUrl: `${config.sandboxBankUrl.replace(/\/+$/, '')}/${bankCode}`, clientId: SANDBOX_CLIENT_ID }
      : config.endpoints[bankCode];
  if (!endpoint)
    throw new BankConfigError(
      `Bank ${bankCode} is not configured: set BANK_${bankCode}_URL and BANK_${bankCode}_CLIENT_ID`,
    );
  return createBerlinGroupConnector({ bankCode, ...endpoint, ...runtime });
}

export function bankEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<BankCode, BankEndpoint>> {
  const endpoints: Partial<Record<BankCode, BankEndpoint>> = {};
  for (const code of BANK_CODES) {
    const value = (suffix: string): string | undefined => env[`BANK_${code}_${suffix}`]?.trim() || undefined;
    const baseUrl = value('URL');
    if (!baseUrl) continue;
    const clientId = value('CLIENT_ID');
    if (!clientId) throw new BankConfigError(`BANK_${code}_URL is set, so BANK_${code}_CLIENT_ID must be set too`);
    const clientSecret = value('CLIENT_SECRET');
    const oauthMetadataUrl = value('OAUTH_METADATA_URL');
    endpoints[code] = {
      baseUrl: httpsUrl(`BANK_${code}_URL`, baseUrl),
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      ...(oauthMetadataUrl ? { oauthMetadataUrl: httpsUrl(`BANK_${code}_OAUTH_METADATA_URL`, oauthMetadataUrl) } : {}),
    };
  }
  return endpoints;
}

/** Bank tokens travel in these requests: plain http is allowed for a bank on this machine only (a local sandbox). */
function httpsUrl(name: string, raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  const local = url?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!url || (url.protocol !== 'https:' && !local))
    throw new BankConfigError(`${name} must be an https URL, got "${raw}"`);
  return raw;
}
