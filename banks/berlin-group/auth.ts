import type { AuthorizationUrlInput, BankTokens, ExchangeCodeInput } from '../connector';
import { BankRequestError } from '../errors';
import { statusError, tokenError } from './errors';
import type { Send } from './http';
import { type GrantedTokens, metadataSchema, type OAuthMetadata, parseAnswer, tokenSchema } from './schemas';

/**
 * The OAuth SCA approach: the client authorises the consent at the bank through an OAuth2 authorization code flow
 * with PKCE S256 and `scope=AIS:<consentId>`; the tokens it yields read the consented accounts.
 */

export interface OAuthOptions {
  clientId: string;
  /** Confidential clients authenticate at the token endpoint with HTTP Basic (RFC 6749 §2.3.1). */
  clientSecret?: string;
  /**
   * The RFC 8414 metadata naming the authorization and token endpoints. Defaults to
   * `<baseUrl>/.well-known/oauth-authorization-server`, where a consent's `_links.scaOAuth` points.
   */
  oauthMetadataUrl?: string;
}

interface OAuthContext extends OAuthOptions {
  bankCode: string;
  base: URL;
  now: () => Date;
}

export interface OAuthClient {
  authorizationUrl(input: AuthorizationUrlInput): Promise<string>;
  exchangeCode(input: ExchangeCodeInput): Promise<BankTokens>;
  refreshTokens(refreshToken: string): Promise<BankTokens>;
}

/**
 * RFC 6749 makes expires_in optional; assume a short life, so callers refresh early instead of meeting
 * TOKEN_INVALID.
 */
const ASSUMED_TOKEN_LIFETIME_SECONDS = 300;

export function createOAuthClient(send: Send, context: OAuthContext): OAuthClient {
  const { bankCode, clientId, now } = context;
  // Built here, so that a malformed URL fails when the connector is made rather than at the client's first step.
  const metadataUrl = new URL(
    context.oauthMetadataUrl ?? new URL('.well-known/oauth-authorization-server', context.base),
  );
  const oauthMetadata = cachedMetadata(() => loadMetadata(send, bankCode, metadataUrl));
  const tokenRequest = createTokenRequest(send, context, oauthMetadata);
  const tokensFrom = (granted: GrantedTokens, refreshToken: string): BankTokens => ({
    accessToken: granted.access_token,
    refreshToken,
    expiresAt: new Date(now().getTime() + (granted.expires_in ?? ASSUMED_TOKEN_LIFETIME_SECONDS) * 1000),
    scope: granted.scope ?? null,
  });

  return {
    async authorizationUrl(input) {
      const url = new URL((await oauthMetadata()).authorization_endpoint);
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: input.redirectUri,
        scope: `AIS:${input.consentId}`,
        state: input.state,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
      };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.toString();
    },

    async exchangeCode(input) {
      const granted = await tokenRequest(
        {
          grant_type: 'authorization_code',
          code: input.code,
          redirect_uri: input.redirectUri,
          code_verifier: input.codeVerifier,
        },
        [input.code, input.codeVerifier],
      );
      if (!granted.refresh_token) {
        throw new BankRequestError('the bank granted no refresh token, so scheduled fetches could not go on', {
          bankCode,
        });
      }
      return tokensFrom(granted, granted.refresh_token);
    },

    async refreshTokens(refreshToken) {
      const granted = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, [refreshToken]);
      // RFC 6749 §6: without a new refresh token in the answer, the old one stays valid.
      return tokensFrom(granted, granted.refresh_token ?? refreshToken);
    },
  };
}

/** Read once per connector; a failed read is forgotten, so the next call tries again instead of failing for good. */
function cachedMetadata(load: () => Promise<OAuthMetadata>): () => Promise<OAuthMetadata> {
  let metadata: Promise<OAuthMetadata> | undefined;
  return () => {
    metadata ??= load().catch((error: unknown) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  };
}

async function loadMetadata(send: Send, bankCode: string, url: URL): Promise<OAuthMetadata> {
  const answer = await send({ method: 'GET', url, headers: { Accept: 'application/json' } });
  if (answer.status !== 200) throw statusError(bankCode, answer.status, 'the OAuth metadata could not be read');
  const found = parseAnswer(bankCode, metadataSchema, answer.json, 'OAuth metadata');
  if (found.code_challenge_methods_supported && !found.code_challenge_methods_supported.includes('S256')) {
    throw new BankRequestError('the bank does not offer PKCE S256', { bankCode });
  }
  return found;
}

/** `secrets`: what the grant carries, kept out of error messages even when the bank echoes it. */
type TokenRequest = (grant: Record<string, string>, secrets: readonly string[]) => Promise<GrantedTokens>;

function createTokenRequest(
  send: Send,
  { bankCode, clientId, clientSecret, now }: OAuthContext,
  oauthMetadata: () => Promise<OAuthMetadata>,
): TokenRequest {
  return async (grant, secrets) => {
    const { token_endpoint } = await oauthMetadata();
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    const form = new URLSearchParams(grant);
    if (clientSecret === undefined) form.set('client_id', clientId);
    else headers.Authorization = basicCredentials(clientId, clientSecret);
    const answer = await send({ method: 'POST', url: new URL(token_endpoint), headers, body: form.toString() });
    if (answer.status !== 200)
      throw tokenError(bankCode, answer, [...secrets, ...(clientSecret ? [clientSecret] : [])], now());
    return parseAnswer(bankCode, tokenSchema, answer.json, 'token request');
  };
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into the Basic credentials. */
function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
