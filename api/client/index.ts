import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ActivationLink,
  ConnectedAccount,
  Connection,
  Consent,
  ConsentAttempt,
  Onboarding,
  type IConsentAttempt,
  type IOnboarding,
} from '../../db/entities';
import { looksLikeToken, tokenHash } from '../../domain/activation-token';
import { bankName } from '../../domain/bank';
import { formatIban } from '../../domain/iban';
import { undoRight, undoRightEnd, type UndoRight } from '../../domain/onboarding-access';
import { pkceChallenge } from '../../domain/pkce';
import type { Language } from '../../templates/render';
import { consentReturnedUpdate, startConsentUpdate } from '../../workflows/onboarding/contract';
import { ConnectionId, OrganizationId } from '../../workflows/search-attributes';
import {
  UNDO_CONNECTION_WORKFLOW,
  type UndoConnectionWorkflow,
  undoConnectionWorkflowId,
  type UndoConnectionResult,
} from '../../workflows/undo-connection/contract';
import type { ApiServices } from '../services';
import { bindBrowser, sameBrowser } from './browser-binding';
import { csrfField, csrfValid, ensureCsrfSecret, readCookie } from './csrf';
import { linkState, updateRefusal } from './link-state';
import { keepLanguage, pageLanguage, sendPage } from './pages';
import { termsPages } from './terms';
import { createWizardRouter } from './wizard';

/** How long the browser remembers which link sent it to the bank: the bank's own pages time out after 15 minutes. */
const RETURN_COOKIE_MS = 30 * 60_000;
/** How long a callback's outcome may stay with the workflow before its page stops waiting and says so. */
const PROCESSING_MS = 60_000;
const OUTCOME_POPULATE = ['onboarding.organization', 'onboarding.clientCompany'] as const;
/** How long the undo page waits for the undo workflow before saying it is still working on it. */
const UNDO_WAIT_MS = 20_000;

/**
 * The client's pages (DESIGN.md "Client pages", R-A1, R-A3, R-A10, R-A11): the activation link, the button that
 * sends the client to the bank, and the bank's way back. GET never consumes a link (mail scanners prefetch links);
 * only the CSRF-checked POST starts a consent, through the workflow's Update, whose validator has the last word.
 */
export function createClientRouter(services: ApiServices, log: Logger): Router {
  const router = Router();
  // Behind the proxy the link is https even when this process hears http: the public URL decides, never the request.
  const secure = services.publicBaseUrl.startsWith('https:');
  const returnCookie = secure ? '__Secure-bk_return' : 'bk_return';
  const limited = (limit: number) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => sendPage(req, res, 429, 'problem', { kind: 'rate-limited', retryUrl: null }),
    });
  const readLimit = limited(120);
  const writeLimit = limited(30);
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 });

  router.use(['/connect', '/wizard', '/terms', '/privacy'], keepLanguage(secure));
  router.use(termsPages(readLimit));
  router.use('/wizard', createWizardRouter(services, log, { read: readLimit, write: writeLimit, lookup: limited(30) }));

  router.use('/connect', (_req, res, next) => {
    // The link page's URL is the credential: no cache keeps it, no Referer carries it to the bank or anywhere else.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });

  router.get('/connect/callback', readLimit, async (req, res) => {
    const state = single(req.query.state);
    const em = services.orm.em.fork();
    const attempt =
      state && state.length <= 512
        ? await em.findOne(ConsentAttempt, { stateHash: sha256(state) }, { populate: OUTCOME_POPULATE })
        : null;
    if (!attempt || !state) return sendPage(req, res, 400, 'problem', { kind: 'bad-callback', retryUrl: null });
    const lang = pageLanguage(req);
    // Where the outcome shows: without the single-use code, so a reload, Back or the language switch only look.
    const outcomeUrl = `/connect/callback?${new URLSearchParams({ state, lang }).toString()}`;
    if (attempt.returnedAt) return showOutcome(req, res, em, attempt);
    // Refused before the claim: the attempt stays open for the browser that did go to the bank.
    if (!sameBrowser(req, secure, attempt.browserHash)) {
      log.warn(
        { onboardingId: attempt.onboarding.id, attemptId: attempt.id },
        'callback refused: not the browser that went to the bank',
      );
      const view = linkView(attempt.onboarding);
      return sendPage(req, res, 403, 'consent-other-browser', { officeName: view.officeName, bankName: view.bankName });
    }
    const code = single(req.query.code);
    const bankError = single(req.query.error);
    if (!code && !bankError) return sendPage(req, res, 400, 'problem', { kind: 'bad-callback', retryUrl: null });

    // Claimed with a conditional write, so two arrivals of the same callback cannot both hand a code to the workflow.
    const returned =
      code && !bankError
        ? { codeEncrypted: services.tokenCipher.encrypt(code), returnedAt: new Date() }
        : { error: (single(req.query.error_description) ?? bankError ?? '').slice(0, 1000), returnedAt: new Date() };
    const claimed = await em.nativeUpdate(ConsentAttempt, { id: attempt.id, returnedAt: null }, returned);
    if (claimed === 0) return res.redirect(303, outcomeUrl);

    const onboarding = attempt.onboarding;
    let outcome: { outcome: 'consented' | 'refused'; reason: string | null };
    try {
      outcome = await deliverReturn(onboarding, attempt.id);
    } catch (error) {
      if (updateRefusal(error)) {
        log.warn(
          { onboardingId: onboarding.id, attemptId: attempt.id, err: error },
          "the workflow did not take the bank's answer",
        );
        const retryUrl =
          onboarding.flavour === 'serial'
            ? `/wizard/consent?lang=${lang}`
            : await retryLink(req, attempt.onboarding.id, lang);
        return sendPage(req, res, 409, 'problem', { kind: 'not-processed', retryUrl });
      }
      // The answer stays with the attempt: the outcome page hands it to the workflow again until Temporal takes it.
      log.error(
        { onboardingId: onboarding.id, attemptId: attempt.id, err: error },
        "handing the bank's answer to the workflow failed; the outcome page tries again",
      );
      return res.redirect(303, outcomeUrl);
    }
    log.info(
      { onboardingId: onboarding.id, attemptId: attempt.id, outcome: outcome.outcome },
      'client returned from the bank',
    );
    // The serial flavour's client came from the wizard: its Accounts step comes next (R-V12), or another try.
    const wizardNext = onboarding.flavour === 'serial' && outcome.outcome === 'consented';
    res.redirect(303, wizardNext ? `/wizard/accounts?lang=${lang}` : outcomeUrl);
  });

  router.get('/connect/:token', readLimit, async (req, res) => {
    const em = services.orm.em.fork();
    const link = await findLink(em, tokenParam(req));
    if (!link) return sendPage(req, res, 404, 'problem', { kind: 'unknown-link', retryUrl: null });
    const onboarding = link.onboarding;
    const lang = pageLanguage(req);
    const state = linkState(link, onboarding.status, new Date());
    if (state === 'open') {
      const secret = ensureCsrfSecret(req, res, secure);
      return sendPage(req, res, 200, 'connect', {
        ...linkView(onboarding),
        kvkNumber: onboarding.kvkNumber,
        deadline: formatMoment(link.expiresAt, lang),
        csrf: csrfField(secret, link.id),
        // Relative: the form posts back to this very URL without the page repeating the token.
        action: `?lang=${lang}`,
      });
    }
    if (state === 'connected') {
      const target = await undoTarget(em, onboarding, link);
      if (target?.undone) return sendPage(req, res, 200, 'undone', { ...linkView(onboarding), already: false });
      return sendPage(req, res, 200, 'connected', {
        ...linkView(onboarding),
        alreadyUsed: false,
        ...undoOffer(req, lang, target),
      });
    }
    return sendPage(req, res, 410, 'link-unusable', { officeName: onboarding.organization.name, reason: state });
  });

  // R-A11: "undo the link". GET only asks (a prefetching mail scanner changes nothing); the CSRF-checked POST does it.
  router.get('/connect/:token/undo', readLimit, async (req, res) => {
    const em = services.orm.em.fork();
    const link = await findLink(em, tokenParam(req));
    if (!link) return sendPage(req, res, 404, 'problem', { kind: 'unknown-link', retryUrl: null });
    const onboarding = link.onboarding;
    const lang = pageLanguage(req);
    const officeName = onboarding.organization.name;
    if (linkState(link, onboarding.status, new Date()) !== 'connected')
      return sendPage(req, res, 409, 'undo-wait', { officeName, kind: 'not-connected' });
    const target = await undoTarget(em, onboarding, link);
    if (!target) return sendPage(req, res, 409, 'undo-wait', { officeName, kind: 'not-yet' });
    if (target.undone) return sendPage(req, res, 200, 'undone', { ...linkView(onboarding), already: true });
    if (target.right !== 'open')
      return sendPage(req, res, 410, 'undo-wait', { officeName, kind: `undo-${target.right}` });
    const secret = ensureCsrfSecret(req, res, secure);
    return sendPage(req, res, 200, 'undo-confirm', {
      ...linkView(onboarding),
      csrf: csrfField(secret, link.id, 'undo'),
      action: `?lang=${lang}`,
      backUrl: `/connect/${tokenParam(req)}?lang=${lang}`,
    });
  });

  router.post('/connect/:token/undo', writeLimit, form, async (req, res) => {
    const em = services.orm.em.fork();
    const link = await findLink(em, tokenParam(req));
    if (!link) return sendPage(req, res, 404, 'problem', { kind: 'unknown-link', retryUrl: null });
    const lang = pageLanguage(req);
    if (!csrfValid(req, secure, link.id, 'undo'))
      return sendPage(req, res, 403, 'problem', { kind: 'csrf', retryUrl: `?lang=${lang}` });
    const onboarding = link.onboarding;
    const officeName = onboarding.organization.name;
    if (linkState(link, onboarding.status, new Date()) !== 'connected')
      return sendPage(req, res, 409, 'undo-wait', { officeName, kind: 'not-connected' });
    const target = await undoTarget(em, onboarding, link);
    if (!target) return sendPage(req, res, 409, 'undo-wait', { officeName, kind: 'not-yet' });
    if (target.undone) return sendPage(req, res, 200, 'undone', { ...linkView(onboarding), already: true });
    if (target.right !== 'open')
      return sendPage(req, res, 410, 'undo-wait', { officeName, kind: `undo-${target.right}` });

    // A workflow, so support reads every step in the Temporal UI; a second click joins the running one.
    const handle = await services.temporal.workflow.start<UndoConnectionWorkflow>(UNDO_CONNECTION_WORKFLOW, {
      workflowId: undoConnectionWorkflowId(target.connectionId),
      taskQueue: services.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [
        {
          connectionId: target.connectionId,
          organizationId: onboarding.organization.id,
          onboardingId: onboarding.id,
          consentId: target.consentId,
        },
      ],
      typedSearchAttributes: [
        { key: ConnectionId, value: target.connectionId },
        { key: OrganizationId, value: onboarding.organization.id },
      ],
      staticSummary: `The client undid connection ${target.connectionId} from the activation link page (R-A11)`,
      staticDetails: `Onboarding ${onboarding.id}; consent ${target.consentId} is revoked at the bank, the connection stops fetching, staff and the account manager are told.`,
    });
    log.info(
      { onboardingId: onboarding.id, connectionId: target.connectionId, workflowId: handle.workflowId },
      'client asked to undo the connection',
    );
    let timer: NodeJS.Timeout | undefined;
    let result: UndoConnectionResult | 'waiting';
    try {
      result = await Promise.race([
        handle.result(),
        new Promise<'waiting'>((resolve) => {
          timer = setTimeout(() => resolve('waiting'), UNDO_WAIT_MS);
        }),
      ]);
    } catch (error) {
      log.error(
        { onboardingId: onboarding.id, connectionId: target.connectionId, err: error },
        'undoing the connection failed',
      );
      return sendPage(req, res, 502, 'problem', { kind: 'server-error', retryUrl: null });
    } finally {
      clearTimeout(timer);
    }
    if (result === 'waiting') return sendPage(req, res, 202, 'undo-wait', { officeName, kind: 'in-progress' });
    return sendPage(req, res, 200, 'undone', { ...linkView(onboarding), already: result.outcome === 'already_undone' });
  });

  router.post('/connect/:token', writeLimit, form, async (req, res) => {
    const em = services.orm.em.fork();
    const token = tokenParam(req);
    const link = await findLink(em, token);
    if (!link) return sendPage(req, res, 404, 'problem', { kind: 'unknown-link', retryUrl: null });
    const lang = pageLanguage(req);
    if (!csrfValid(req, secure, link.id))
      return sendPage(req, res, 403, 'problem', { kind: 'csrf', retryUrl: `?lang=${lang}` });
    const onboarding = link.onboarding;
    const known = linkState(link, onboarding.status, new Date());
    if (known === 'connected')
      return sendPage(req, res, 409, 'connected', {
        ...linkView(onboarding),
        alreadyUsed: true,
        ...undoOffer(req, lang, await undoTarget(em, onboarding, link)),
      });
    if (known !== 'open')
      return sendPage(req, res, 410, 'link-unusable', { officeName: onboarding.organization.name, reason: known });

    let attemptId: string;
    try {
      ({ attemptId } = await services.temporal.workflow
        .getHandle(onboarding.workflowId)
        .executeUpdate(startConsentUpdate, { args: [{ linkId: link.id }] }));
    } catch (error) {
      const refusal = updateRefusal(error);
      if (refusal === 'connected')
        return sendPage(req, res, 409, 'connected', {
          ...linkView(onboarding),
          alreadyUsed: true,
          undoUrl: null,
          undoEnded: null,
        });
      if (refusal)
        return sendPage(req, res, 410, 'link-unusable', { officeName: onboarding.organization.name, reason: refusal });
      throw error;
    }

    await em.nativeUpdate(
      ConsentAttempt,
      { id: attemptId, onboarding: onboarding.id },
      { browserHash: bindBrowser(req, res, secure) },
    );
    const attempt = await em.findOneOrFail(ConsentAttempt, { id: attemptId, onboarding: onboarding.id });
    const authorizationUrl = await services.bankConnector(attempt.bankCode).authorizationUrl({
      consentId: attempt.bankConsentId,
      state: services.tokenCipher.decrypt(attempt.stateEncrypted),
      codeChallenge: pkceChallenge(services.tokenCipher.decrypt(attempt.codeVerifierEncrypted)),
      redirectUri: attempt.redirectUri,
    });
    // Lax, unlike the CSRF cookie: it must ride along on the bank's cross-site redirect back to the callback, so a
    // refused client gets a link back to this page. Sealed, so the token it carries is never readable in transit logs.
    res.cookie(returnCookie, services.cookieCipher.encrypt(token), {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/connect/callback',
      maxAge: RETURN_COOKIE_MS,
    });
    log.info({ onboardingId: onboarding.id, attemptId }, 'client sent to the bank for consent');
    res.redirect(303, authorizationUrl);
  });

  router.use('/connect', (req: Request, res: Response) =>
    sendPage(req, res, 404, 'problem', { kind: 'unknown-link', retryUrl: null }),
  );

  router.use(['/connect', '/wizard'], (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    // A form the body parser refused (too large, malformed) is no more trustworthy than one without its CSRF field.
    if (status && status >= 400 && status < 500)
      return sendPage(req, res, status, 'problem', { kind: 'csrf', retryUrl: null });
    log.error({ err: error }, 'client page failed');
    sendPage(req, res, 500, 'problem', { kind: 'server-error', retryUrl: null });
  });

  /**
   * What became of a trip to the bank, from the rows the workflow's activities keep (R-A11, R-A3, R-V13): the
   * consent stored, or the refusal in the bank's or the workflow's words. Only looks, so any number of reloads
   * show the same; the first arrival with the code is the one that handed it over.
   */
  /** The bank's answer to the workflow, once per attempt however often it is handed over. */
  function deliverReturn(onboarding: IOnboarding, attemptId: string) {
    return services.temporal.workflow
      .getHandle(onboarding.workflowId)
      .executeUpdate(consentReturnedUpdate, { args: [{ attemptId }], updateId: `consent-returned:${attemptId}` });
  }

  async function showOutcome(
    req: Request,
    res: Response,
    em: EntityManager,
    attempt: IConsentAttempt & { onboarding: IOnboarding },
    handedOver = false,
  ): Promise<void> {
    const onboarding = attempt.onboarding;
    const lang = pageLanguage(req);
    const wizard = onboarding.flavour === 'serial';
    const view = linkView(onboarding);
    const consented = await em.count(Consent, {
      organization: onboarding.organization,
      bankCode: attempt.bankCode,
      bankConsentId: attempt.bankConsentId,
    });
    if (consented) {
      if (wizard) return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
      const accounts = await linkedAccounts(em, onboarding);
      return sendPage(req, res, 200, 'consent-given', {
        ...view,
        accounts: accounts ?? [],
        pending: accounts === null,
      });
    }
    const workflowReason = onboarding.status === 'waiting_for_consent' ? onboarding.statusReason : null;
    const reason = attempt.error ?? workflowReason ?? null;
    if (reason === null) {
      if (onboarding.status === 'consent_in_progress' && !handedOver) {
        // Not taken by the workflow yet (another tab's arrival right now, or Temporal was out of reach): handed
        // again; the same update id makes a second delivery the first one's answer, never a second exchange.
        try {
          await deliverReturn(onboarding, attempt.id);
        } catch (error) {
          if (!updateRefusal(error)) {
            log.warn({ onboardingId: onboarding.id, attemptId: attempt.id, err: error }, 'still not handed over');
            const waited = attempt.returnedAt ? Date.now() - attempt.returnedAt.getTime() : 0;
            if (waited < PROCESSING_MS)
              return sendPage(req, res, 200, 'consent-wait', { officeName: view.officeName, bankName: view.bankName });
            return sendPage(req, res, 503, 'problem', { kind: 'server-error', retryUrl: req.originalUrl });
          }
        }
        const fresh = services.orm.em.fork();
        const after = await fresh.findOneOrFail(ConsentAttempt, { id: attempt.id }, { populate: OUTCOME_POPULATE });
        return showOutcome(req, res, fresh, after, true);
      }
      const retryUrl = wizard ? `/wizard/consent?lang=${lang}` : await retryLink(req, onboarding.id, lang);
      return sendPage(req, res, 409, 'problem', { kind: 'not-processed', retryUrl });
    }
    return sendPage(req, res, 200, 'consent-refused', {
      officeName: view.officeName,
      bankName: view.bankName,
      reason,
      // R-A3: the refusal banks give most often; the page explains the rule instead of only quoting the bank.
      roleRefused: /\brole\b|owner|administratorplus/i.test(reason),
      retryUrl: wizard ? `/wizard/consent?lang=${lang}` : await retryLink(req, onboarding.id, lang),
    });
  }

  /** The link that sent this browser to the bank, if it can still be used: the way back for another try. */
  async function retryLink(req: Request, onboardingId: string, lang: Language): Promise<string | null> {
    const sealed = readCookie(req, returnCookie);
    if (!sealed) return null;
    let token: string;
    try {
      token = services.cookieCipher.decrypt(sealed);
    } catch {
      return null;
    }
    const link = await findLink(services.orm.em.fork(), token);
    if (!link || link.onboarding.id !== onboardingId || linkState(link, link.onboarding.status, new Date()) !== 'open')
      return null;
    return `/connect/${token}?lang=${lang}`;
  }

  return router;
}

/** Input that is not shaped like a token gets the same "unknown link" as a well-formed stranger, without a query. */
function findLink(em: EntityManager, token: string) {
  if (!looksLikeToken(token)) return Promise.resolve(null);
  return em.findOne(
    ActivationLink,
    { tokenHash: tokenHash(token) },
    { populate: ['onboarding.organization', 'onboarding.clientCompany'] },
  );
}

type LinkedAccount = { name: string; iban: string };

/** The accounts the connection of this onboarding links; null while the profile sync is still adding them. */
async function linkedAccounts(em: EntityManager, onboarding: IOnboarding): Promise<LinkedAccount[] | null> {
  if (!onboarding.connection) return null;
  const accounts = await em.find(
    ConnectedAccount,
    { connection: onboarding.connection.id, organization: onboarding.organization },
    { populate: ['bankAccount'], orderBy: { iban: 'asc' } },
  );
  return accounts.map((a) => ({ name: a.bankAccount.name, iban: formatIban(a.iban) }));
}

/**
 * What "undo" would end (R-A11): the consent this onboarding obtained, and the connection it joined. Null while
 * there is no connection yet (profile sync still running). `undone` once the consent was terminated at the bank.
 */
async function undoTarget(
  em: EntityManager,
  onboarding: IOnboarding,
  link: { usedAt?: Date | null },
): Promise<{ connectionId: string; consentId: string; undone: boolean; right: UndoRight; rightEndsAt: Date } | null> {
  if (!onboarding.connection || !link.usedAt) return null;
  const connection = await em.findOne(Connection, {
    id: onboarding.connection.id,
    organization: onboarding.organization,
  });
  if (!connection) return null;
  const attempts = await em.find(ConsentAttempt, { onboarding, error: null, returnedAt: { $ne: null } });
  if (!attempts.length) return null;
  const consents = await em.find(
    Consent,
    {
      organization: onboarding.organization,
      bankCode: onboarding.bankCode,
      bankConsentId: { $in: attempts.map((a) => a.bankConsentId) },
    },
    { orderBy: { createdAt: 'desc' } },
  );
  const consent = consents.find((c) => c.id === connection.consent?.id) ?? consents[0];
  if (!consent) return null;
  // Replaced: the connection runs on another consent now, or the office sent this client a newer link since.
  const newerLink = await em.count(Onboarding, {
    organization: onboarding.organization,
    environment: onboarding.environment,
    bankCode: onboarding.bankCode,
    kvkNumber: onboarding.kvkNumber,
    id: { $ne: onboarding.id },
    createdAt: { $gt: onboarding.createdAt },
  });
  const replaced = connection.consent?.id !== consent.id || newerLink > 0;
  return {
    connectionId: connection.id,
    consentId: consent.id,
    undone: consent.status === 'terminatedByTpp',
    right: undoRight(link.usedAt, replaced, new Date()),
    rightEndsAt: undoRightEnd(link.usedAt),
  };
}

/** The link page's way to undo (R-A11) while the right lasts; after that, why not and whom to ask. */
function undoOffer(
  req: Request,
  lang: Language,
  target: { undone: boolean; right: UndoRight; rightEndsAt: Date } | null,
): { undoUrl: string | null; undoEnded: { reason: 'expired' | 'replaced'; on: string } | null } {
  if (!target || target.undone) return { undoUrl: null, undoEnded: null };
  if (target.right === 'open') return { undoUrl: undoUrl(req, lang), undoEnded: null };
  return { undoUrl: null, undoEnded: { reason: target.right, on: formatMoment(target.rightEndsAt, lang) } };
}

/**
 * The undo page of the link this request came in on: an absolute path, so it holds whatever the page's URL looks like.
 */
function undoUrl(req: Request, lang: Language): string {
  return `/connect/${tokenParam(req)}/undo?lang=${lang}`;
}

function linkView(onboarding: {
  organization: { name: string };
  clientCompany?: { name: string } | null;
  kvkNumber: string;
  bankCode: string;
}) {
  return {
    officeName: onboarding.organization.name,
    companyName: onboarding.clientCompany?.name ?? onboarding.kvkNumber,
    bankName: bankName(onboarding.bankCode),
  };
}

function formatMoment(instant: Date, lang: Language): string {
  return new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: 'Europe/Amsterdam',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(instant);
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function tokenParam(req: Request): string {
  const token = req.params.token;
  return typeof token === 'string' ? token : '';
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
