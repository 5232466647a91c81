import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import type { Consent } from './consents';
import { bankUrl, openJson, randomToken, type SandboxContext, sealJson, today } from './context';
import {
  BANK_NAMES,
  companyOf,
  consentRefusal,
  findUser,
  SANDBOX_ACCOUNTS,
  type SandboxBankCode,
  type TestUser,
} from './test-users';
import { formatIbanForDisplay, PageError, renderLogin, renderSelect, setPageHeaders } from './views';

/**
 * OAuth2 authorization code grant with PKCE S256 (RFC 6749, RFC 7636), as banks use it for the Berlin Group
 * "OAuth SCA approach": the consent id travels in `scope=AIS:<consentId>`, the PSU logs in and signs on the
 * bank's own pages, and the tokens it yields are bound to that one consent.
 */

export const CODE_TTL_MS = 10 * 60_000;
/** How long a PSU may take on the login and account pages. */
const PAGE_FLOW_TTL_MS = 15 * 60_000;

export interface OAuthClient {
  clientId: string;
  /** Compared exactly, character for character (RFC 6749 §3.1.2, OAuth security BCP). */
  redirectUris: string[];
}

interface AuthorizationFlow {
  id: string;
  bank: SandboxBankCode;
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  consentId: string;
  username: string | null;
  startedAt: number;
}

interface AuthorizationCode {
  bank: SandboxBankCode;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  consentId: string;
  expiresAt: number;
  used: boolean;
  /** Every token descending from this code shares it, so a replayed code can revoke them all. */
  grantId: string;
}

export interface AccessToken {
  bank: SandboxBankCode;
  clientId: string;
  consentId: string;
  grantId: string;
  expiresAt: number;
}

interface RefreshToken {
  bank: SandboxBankCode;
  clientId: string;
  consentId: string;
  grantId: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

/** An error of the token endpoint, answered as RFC 6749 §5.2 JSON. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

export class OAuthStore {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly flows = new Map<string, AuthorizationFlow>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly revokedGrants = new Set<string>();

  registerClient(client: OAuthClient): void {
    if (client.clientId.trim() === '') throw new Error('clientId must not be empty');
    for (const uri of client.redirectUris) {
      const parsed = URL.canParse(uri) ? new URL(uri) : null;
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hash !== '') {
        throw new Error(`redirect URI ${uri} must be an absolute http(s) URL without a fragment`);
      }
    }
    this.clients.set(client.clientId, { clientId: client.clientId, redirectUris: [...client.redirectUris] });
  }

  client(clientId: string): OAuthClient | undefined {
    return this.clients.get(clientId);
  }

  startFlow(flow: Omit<AuthorizationFlow, 'id' | 'username'>): AuthorizationFlow {
    const started: AuthorizationFlow = { ...flow, id: randomToken(16), username: null };
    this.flows.set(started.id, started);
    return started;
  }

  flow(id: string, nowMs: number): AuthorizationFlow | undefined {
    const flow = this.flows.get(id);
    if (flow && nowMs - flow.startedAt > PAGE_FLOW_TTL_MS) {
      this.flows.delete(id);
      return undefined;
    }
    return flow;
  }

  endFlow(id: string): void {
    this.flows.delete(id);
  }

  issueCode(flow: AuthorizationFlow, nowMs: number): string {
    const code = randomToken();
    this.codes.set(code, {
      bank: flow.bank,
      clientId: flow.clientId,
      redirectUri: flow.redirectUri,
      codeChallenge: flow.codeChallenge,
      consentId: flow.consentId,
      expiresAt: nowMs + CODE_TTL_MS,
      used: false,
      grantId: randomToken(12),
    });
    return code;
  }

  code(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }

  /** RFC 6749 §4.1.2: a code used twice is a sign of theft, so what the first use yielded stops working. */
  revokeGrant(grantId: string): void {
    this.revokedGrants.add(grantId);
    for (const [token, refresh] of this.refreshTokens)
      if (refresh.grantId === grantId) this.refreshTokens.delete(token);
  }

  issueTokens(grant: RefreshToken, nowMs: number, ttlSeconds: number): TokenResponse {
    const access = randomToken();
    const refresh = randomToken();
    this.accessTokens.set(access, { ...grant, expiresAt: nowMs + ttlSeconds * 1000 });
    this.refreshTokens.set(refresh, { ...grant });
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: ttlSeconds,
      token_type: 'Bearer',
      scope: `AIS:${grant.consentId}`,
    };
  }

  refreshToken(token: string): RefreshToken | undefined {
    return this.refreshTokens.get(token);
  }

  /** Refresh tokens rotate: the one presented is spent, the answer carries its successor. */
  spendRefreshToken(token: string): void {
    this.refreshTokens.delete(token);
  }

  accessToken(token: string): (AccessToken & { revoked: boolean }) | undefined {
    const found = this.accessTokens.get(token);
    return found ? { ...found, revoked: this.revokedGrants.has(found.grantId) } : undefined;
  }
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(s256(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

type FlowStep = 'login' | 'select';

export function oauthRoutes(ctx: SandboxContext, bank: SandboxBankCode): Router {
  const router = Router();
  const bankName = BANK_NAMES[bank];
  const form = express.urlencoded({ extended: false, limit: '20kb' });

  const flowField = (flow: AuthorizationFlow, step: FlowStep): string => sealJson(ctx.secret, { id: flow.id, step });

  /** The hidden, signed `flow` field ties each POST to the page and step the bank itself rendered. */
  const flowFromForm = (req: Request, step: FlowStep): AuthorizationFlow => {
    const opened = openJson(ctx.secret, single(req.body?.flow) ?? '') as { id?: unknown; step?: unknown } | undefined;
    const flow =
      opened && opened.step === step && typeof opened.id === 'string'
        ? ctx.oauth.flow(opened.id, ctx.now().getTime())
        : undefined;
    if (!flow || flow.bank !== bank) {
      throw new PageError(
        400,
        'Sessie verlopen',
        'Session expired',
        'Deze aanvraag is verlopen of al afgerond. This request has expired or was already completed.',
      );
    }
    return flow;
  };

  const consentOf = (flow: AuthorizationFlow): Consent => {
    const consent = ctx.consents.find(flow.consentId, today(ctx));
    if (!consent) throw new PageError(400, 'Onbekende toestemming', 'Unknown consent', 'The consent no longer exists.');
    return consent;
  };

  const finishWithError = (res: Response, flow: AuthorizationFlow, description: string): void => {
    const consent = consentOf(flow);
    if (consent.status === 'received') ctx.consents.setStatus(consent, 'rejected', today(ctx));
    ctx.oauth.endFlow(flow.id);
    res.redirect(
      303,
      withParams(flow.redirectUri, { error: 'access_denied', error_description: description, state: flow.state }),
    );
  };

  const selectableAccounts = (user: TestUser, consent: Consent) =>
    companyOf(user).accounts.filter(
      (a) => consent.requestedIbans.length === 0 || consent.requestedIbans.includes(a.iban),
    );

  const renderSelectPage = (
    res: Response,
    flow: AuthorizationFlow,
    user: TestUser,
    chosen: readonly string[],
    error?: string,
  ): void => {
    const consent = consentOf(flow);
    setPageHeaders(res);
    res.send(
      renderSelect({
        bankName,
        clientId: flow.clientId,
        displayName: user.displayName,
        role: user.role,
        companyName: companyOf(user).name,
        validUntil: consent.validUntil,
        flow: flowField(flow, 'select'),
        accounts: selectableAccounts(user, consent).map((a) => ({
          iban: a.iban,
          display: formatIbanForDisplay(a.iban),
          name: a.name,
          kind: a.kind === 'current' ? 'rekening-courant · current account' : 'spaarrekening · savings account',
          currency: a.currency,
          checked: chosen.includes(a.iban),
        })),
        ...(error ? { error } : {}),
      }),
    );
  };

  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.json({
      issuer: bankUrl(ctx, bank, ''),
      authorization_endpoint: bankUrl(ctx, bank, '/oauth/authorize'),
      token_endpoint: bankUrl(ctx, bank, '/oauth/token'),
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      scopes_supported: ['AIS:<consentId>'],
    });
  });

  router.get('/oauth/authorize', (req, res) => {
    const clientId = single(req.query.client_id) ?? '';
    const redirectUri = single(req.query.redirect_uri) ?? '';
    const client = ctx.oauth.client(clientId);
    // Until the redirect URI is known to be the client's, errors stay on this page (RFC 6749 §4.1.2.1).
    if (!client) {
      throw new PageError(
        400,
        'Onbekende applicatie',
        'Unknown application',
        `client_id "${clientId}" is not registered at this bank.`,
      );
    }
    if (!client.redirectUris.includes(redirectUri)) {
      throw new PageError(
        400,
        'Ongeldige terugkeer-URL',
        'Invalid redirect URI',
        `redirect_uri "${redirectUri}" is not registered for client ${clientId}.`,
      );
    }
    const state = single(req.query.state);
    const fail = (error: string, description: string): void =>
      res.redirect(303, withParams(redirectUri, { error, error_description: description, state }));

    if (req.query.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const codeChallenge = single(req.query.code_challenge) ?? '';
    if (req.query.code_challenge_method !== 'S256' || !CHALLENGE.test(codeChallenge)) {
      return fail(
        'invalid_request',
        'PKCE is required: code_challenge (43 characters base64url) with code_challenge_method=S256',
      );
    }
    const scope = /^AIS:(\S+)$/.exec(single(req.query.scope) ?? '');
    const consent = scope?.[1] ? ctx.consents.find(scope[1], today(ctx)) : undefined;
    if (!consent || consent.bank !== bank)
      return fail('invalid_scope', 'scope must be AIS:<consentId> of a consent at this bank');
    if (consent.status !== 'received') {
      return fail('invalid_scope', `consent ${consent.consentId} is ${consent.status}; create a new consent`);
    }

    const flow = ctx.oauth.startFlow({
      bank,
      clientId,
      redirectUri,
      state,
      codeChallenge,
      consentId: consent.consentId,
      startedAt: ctx.now().getTime(),
    });
    setPageHeaders(res);
    res.send(
      renderLogin({
        bankName,
        clientId,
        recurring: consent.recurringIndicator,
        validUntil: consent.validUntil,
        frequencyPerDay: consent.frequencyPerDay,
        flow: flowField(flow, 'login'),
      }),
    );
  });

  router.post('/oauth/login', form, (req, res) => {
    const flow = flowFromForm(req, 'login');
    if (req.body.action === 'cancel') return finishWithError(res, flow, 'The user cancelled at the bank');
    const username = (single(req.body.username) ?? '').trim();
    const user = findUser(bank, username);
    if (!user || user.password !== single(req.body.password)) {
      const consent = consentOf(flow);
      setPageHeaders(res);
      return void res.status(401).send(
        renderLogin({
          bankName,
          clientId: flow.clientId,
          recurring: consent.recurringIndicator,
          validUntil: consent.validUntil,
          frequencyPerDay: consent.frequencyPerDay,
          flow: flowField(flow, 'login'),
          username,
          error: 'Onbekende gebruikersnaam of onjuist wachtwoord. Unknown username or wrong password.',
        }),
      );
    }
    // R-A3: the bank itself refuses a user whose role may not link accounts, before any account is shown.
    const refusal = consentRefusal(user);
    if (refusal) return finishWithError(res, flow, refusal);
    flow.username = user.username;
    renderSelectPage(res, flow, user, consentOf(flow).requestedIbans);
  });

  router.post('/oauth/sign', form, (req, res) => {
    const flow = flowFromForm(req, 'select');
    const user = flow.username ? findUser(bank, flow.username) : undefined;
    if (!user) throw new PageError(400, 'Niet ingelogd', 'Not logged in', 'Log in first.');
    if (req.body.action === 'cancel') return finishWithError(res, flow, 'The user cancelled at the bank');

    const consent = consentOf(flow);
    if (consent.status !== 'received') {
      ctx.oauth.endFlow(flow.id);
      throw new PageError(
        409,
        'Toestemming niet meer open',
        'Consent no longer open',
        `This consent is ${consent.status}.`,
      );
    }
    const raw: unknown = req.body.accounts;
    const ticked = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    const allowed = new Set(selectableAccounts(user, consent).map((a) => a.iban));
    const chosen = SANDBOX_ACCOUNTS.map((a) => a.iban).filter((iban) => ticked.includes(iban) && allowed.has(iban));
    if (chosen.length === 0 || chosen.length !== new Set(ticked).size) {
      res.status(400);
      return renderSelectPage(
        res,
        flow,
        user,
        chosen,
        'Kies ten minste één van uw rekeningen. Choose at least one of your accounts.',
      );
    }

    ctx.consents.authorise(consent, user.username, flow.clientId, chosen, today(ctx));
    const code = ctx.oauth.issueCode(flow, ctx.now().getTime());
    ctx.oauth.endFlow(flow.id);
    res.redirect(303, withParams(flow.redirectUri, { code, state: flow.state }));
  });

  router.post(
    '/oauth/token',
    express.urlencoded({ extended: false, limit: '20kb' }),
    express.json({ limit: '20kb' }),
    (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const clientId = clientOfRequest(req, body);
      if (!clientId || !ctx.oauth.client(clientId))
        throw new OAuthError(401, 'invalid_client', 'Unknown or missing client_id');
      const nowMs = ctx.now().getTime();
      const ttl = ctx.settings.accessTokenTtlSeconds;

      if (body.grant_type === 'authorization_code') {
        const code = single(body.code);
        const verifier = single(body.code_verifier);
        const redirectUri = single(body.redirect_uri);
        if (!code || !verifier || !redirectUri) {
          throw new OAuthError(400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
        }
        if (!VERIFIER.test(verifier)) {
          throw new OAuthError(
            400,
            'invalid_request',
            'code_verifier must be 43 to 128 unreserved characters (RFC 7636)',
          );
        }
        const grant = ctx.oauth.code(code);
        if (!grant || grant.bank !== bank) throw new OAuthError(400, 'invalid_grant', 'Unknown authorization code');
        if (grant.used) {
          ctx.oauth.revokeGrant(grant.grantId);
          throw new OAuthError(400, 'invalid_grant', 'Authorization code was already used; its tokens are revoked');
        }
        if (nowMs > grant.expiresAt) throw new OAuthError(400, 'invalid_grant', 'Authorization code has expired');
        if (grant.clientId !== clientId)
          throw new OAuthError(400, 'invalid_grant', 'Authorization code was issued to another client');
        if (grant.redirectUri !== redirectUri)
          throw new OAuthError(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
        if (!pkceMatches(verifier, grant.codeChallenge)) {
          throw new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
        }
        const consent = ctx.consents.find(grant.consentId, today(ctx));
        if (consent?.status !== 'valid')
          throw new OAuthError(400, 'invalid_grant', `Consent is ${consent?.status ?? 'unknown'}`);
        grant.used = true;
        return void res.json(
          ctx.oauth.issueTokens({ bank, clientId, consentId: grant.consentId, grantId: grant.grantId }, nowMs, ttl),
        );
      }

      if (body.grant_type === 'refresh_token') {
        const presented = single(body.refresh_token);
        if (!presented) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
        const refresh = ctx.oauth.refreshToken(presented);
        if (!refresh || refresh.bank !== bank || refresh.clientId !== clientId) {
          throw new OAuthError(400, 'invalid_grant', 'Unknown, used or revoked refresh token');
        }
        const consent = ctx.consents.find(refresh.consentId, today(ctx));
        if (consent?.status !== 'valid')
          throw new OAuthError(400, 'invalid_grant', `Consent is ${consent?.status ?? 'unknown'}`);
        ctx.oauth.spendRefreshToken(presented);
        return void res.json(ctx.oauth.issueTokens(refresh, nowMs, ttl));
      }

      throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    },
  );

  return router;
}

/** A public client names itself in the body; a confidential one may use HTTP Basic (RFC 6749 §2.3.1). */
function clientOfRequest(req: Request, body: Record<string, unknown>): string | undefined {
  const fromBody = single(body.client_id);
  const basic = /^Basic\s+(\S.*)$/i.exec(req.get('Authorization') ?? '');
  if (!basic?.[1]) return fromBody;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  let fromHeader: string;
  try {
    fromHeader = decodeURIComponent(decoded.slice(0, decoded.includes(':') ? decoded.indexOf(':') : undefined));
  } catch {
    throw new OAuthError(401, 'invalid_client', 'Malformed Basic credentials');
  }
  if (fromBody && fromBody !== fromHeader)
    throw new OAuthError(400, 'invalid_request', 'client_id differs from the Basic credentials');
  return fromHeader;
}
