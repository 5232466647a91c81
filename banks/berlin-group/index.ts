import type { BankConnector } from '../connector';
import { balances, listAccounts } from './accounts';
import { createOAuthClient, type OAuthOptions } from './auth';
import { createConsent, deleteConsent, getConsent } from './consents';
import { createSend, type HttpOptions } from './http';
import { transactionPages } from './transactions';
import { createXs2aApi } from './xs2a';

export { parseAmountCents } from './amounts';
export type { BankLog } from './http';

/**
 * A client for banks that speak Berlin Group NextGenPSD2 XS2A AIS v1.3 with the OAuth SCA approach: the consent is
 * created over the API, the client authorises it at the bank through an OAuth2 authorization code flow with PKCE
 * S256 and `scope=AIS:<consentId>`, and the tokens that flow yields read the consented accounts.
 *
 * Not here: eIDAS client certificates (QWAC mutual TLS) and request signing, which production banks require at the
 * transport level; `fetch` can be handed a dispatcher that carries them.
 */
export interface BerlinGroupConnectorOptions extends HttpOptions, OAuthOptions {
  /** Root of the bank's XS2A API, without `/v1`: `https://api.bank.example/psd2`, or the sandbox's `<url>/INGB`. */
  baseUrl: string;
  now?: () => Date;
}

export function createBerlinGroupConnector(options: BerlinGroupConnectorOptions): BankConnector {
  const { bankCode } = options;
  const now = options.now ?? (() => new Date());
  const base = new URL(options.baseUrl.replace(/\/*$/, '/'));
  const send = createSend(options);
  const api = createXs2aApi(send, { bankCode, base, now, log: options.log });
  const oauth = createOAuthClient(send, { ...options, base, now });

  return {
    bankCode,
    createConsent: (input) => createConsent(api, input),
    authorizationUrl: (input) => oauth.authorizationUrl(input),
    exchangeCode: (input) => oauth.exchangeCode(input),
    refreshTokens: (refreshToken) => oauth.refreshTokens(refreshToken),
    getConsent: (consentId, session) => getConsent(api, consentId, session),
    deleteConsent: (consentId, session) => deleteConsent(api, consentId, session),
    listAccounts: (session) => listAccounts(api, session),
    balances: (session, resourceId) => balances(api, session, resourceId),
    transactions: (session, resourceId, query) => transactionPages(api, session, resourceId, query),
  };
}
