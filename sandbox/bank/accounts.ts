import { createHmac } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { isIsoDate, secondsUntilNextAmsterdamDay } from './calendar';
import type { Consent } from './consents';
import { bankUrl, openJson, type SandboxContext, sealJson, today } from './context';
import type { LedgerEntry } from './ledger';
import { findAccount, type SandboxAccount, type SandboxBankCode } from './test-users';
import { amount, requireRequestId, Xs2aError } from './xs2a';

/**
 * Account information (Berlin Group AIS): accounts, balances and transactions of the accounts a valid consent
 * covers, for a Bearer token of that consent.
 *
 * `resourceId` is opaque and differs per consent, as at real banks: a platform must match accounts by IBAN
 * (R-A12), never by the bank's id, and a new consent for the same account yields a new resource id.
 */

type BookingStatus = 'booked' | 'pending' | 'both';

interface TransactionQuery {
  bookingStatus: BookingStatus;
  dateFrom: string;
  dateTo: string;
}

/** What a page token carries: the query it continues, and where the previous page stopped. */
interface PageCursor extends TransactionQuery {
  consentId: string;
  resourceId: string;
  section: 'booked' | 'pending';
  afterSequence: number;
}

export function resourceIdFor(ctx: SandboxContext, consentId: string, iban: string): string {
  return createHmac('sha256', ctx.secret).update(`${consentId}|${iban}`).digest('base64url').slice(0, 24);
}

function transactionView(entry: LedgerEntry): Record<string, unknown> {
  const incoming = entry.amountCents > 0;
  const view: Record<string, unknown> = { transactionId: entry.transactionId };
  if (entry.entryReference) view.entryReference = entry.entryReference;
  if (entry.endToEndId) view.endToEndId = entry.endToEndId;
  if (entry.mandateId) view.mandateId = entry.mandateId;
  if (entry.creditorId) view.creditorId = entry.creditorId;
  if (entry.status === 'booked') view.bookingDate = entry.bookingDate;
  view.valueDate = entry.valueDate;
  view.transactionAmount = amount(entry.amountCents);
  // The counterparty is the debtor of money coming in and the creditor of money going out.
  if (entry.counterpartyName) view[incoming ? 'debtorName' : 'creditorName'] = entry.counterpartyName;
  if (entry.counterpartyIban) view[incoming ? 'debtorAccount' : 'creditorAccount'] = { iban: entry.counterpartyIban };
  if (entry.remittanceInformationUnstructured)
    view.remittanceInformationUnstructured = entry.remittanceInformationUnstructured;
  if (entry.remittanceInformationStructured)
    view.remittanceInformationStructured = entry.remittanceInformationStructured;
  view.bankTransactionCode = entry.bankTransactionCode;
  return view;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function accountRoutes(ctx: SandboxContext, bank: SandboxBankCode): Router {
  const router = Router();

  /** Order matters: a dead consent says CONSENT_* (stop and ask the PSU), a dead token TOKEN_INVALID (refresh). */
  const authorise = (req: Request, res: Response): Consent => {
    requireRequestId(req, res);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('Authorization') ?? '')?.[1];
    if (!bearer) throw new Xs2aError(401, 'TOKEN_UNKNOWN', 'Authorization: Bearer <access token> is required');
    const token = ctx.oauth.accessToken(bearer);
    if (!token || token.bank !== bank)
      throw new Xs2aError(401, 'TOKEN_UNKNOWN', 'The access token is unknown at this bank');
    const consentId = req.get('Consent-ID');
    if (!consentId) throw new Xs2aError(400, 'FORMAT_ERROR', 'Header Consent-ID is required');
    if (consentId !== token.consentId) {
      throw new Xs2aError(400, 'CONSENT_UNKNOWN', 'Consent-ID does not belong to this access token');
    }
    const consent = ctx.consents.find(consentId, today(ctx));
    if (!consent) throw new Xs2aError(400, 'CONSENT_UNKNOWN', `Consent ${consentId} is unknown`);
    if (consent.status === 'expired')
      throw new Xs2aError(401, 'CONSENT_EXPIRED', `Consent expired (valid until ${consent.validUntil})`);
    if (consent.status !== 'valid') throw new Xs2aError(401, 'CONSENT_INVALID', `Consent is ${consent.status}`);
    if (token.revoked) throw new Xs2aError(401, 'TOKEN_INVALID', 'The access token was revoked');
    if (ctx.now().getTime() >= token.expiresAt)
      throw new Xs2aError(401, 'TOKEN_INVALID', 'The access token has expired');
    return consent;
  };

  /** Without `PSU-IP-Address` the PSU is not present, and PSD2 caps such accesses per consent per day. */
  const countUnattended = (req: Request, consent: Consent, endpoint: string): void => {
    if (req.get('PSU-IP-Address')) return;
    const used = ctx.consents.countAccess(consent, endpoint, today(ctx));
    if (used > consent.frequencyPerDay) {
      throw new Xs2aError(
        429,
        'ACCESS_EXCEEDED',
        `frequencyPerDay ${consent.frequencyPerDay} reached for ${endpoint} today; the PSU must be present or wait until tomorrow`,
        { 'Retry-After': String(secondsUntilNextAmsterdamDay(ctx.now())) },
      );
    }
  };

  const consentedAccount = (consent: Consent, resourceId: string): SandboxAccount => {
    const iban = consent.accounts.find((i) => resourceIdFor(ctx, consent.consentId, i) === resourceId);
    const account = iban ? findAccount(iban) : undefined;
    if (!account) throw new Xs2aError(404, 'RESOURCE_UNKNOWN', `Account ${resourceId} is not covered by this consent`);
    return account;
  };

  const accountView = (consent: Consent, account: SandboxAccount, withBalance: boolean): Record<string, unknown> => {
    const resourceId = resourceIdFor(ctx, consent.consentId, account.iban);
    return {
      resourceId,
      iban: account.iban,
      currency: account.currency,
      name: account.name,
      product: account.product,
      ownerName: account.ownerName,
      cashAccountType: account.kind === 'current' ? 'CACC' : 'SVGS',
      status: 'enabled',
      usage: 'ORGA',
      ...(withBalance ? { balances: balancesOf(account.iban) } : {}),
      _links: {
        balances: { href: bankUrl(ctx, bank, `/v1/accounts/${resourceId}/balances`) },
        transactions: { href: bankUrl(ctx, bank, `/v1/accounts/${resourceId}/transactions`) },
      },
    };
  };

  const balancesOf = (iban: string): Array<Record<string, unknown>> =>
    (ctx.ledgers.get(iban)?.balances(today(ctx)) ?? []).map((b) => ({
      balanceType: b.balanceType,
      balanceAmount: amount(b.amountCents),
      referenceDate: b.referenceDate,
    }));

  router.get('/v1/accounts', (req, res) => {
    const consent = authorise(req, res);
    countUnattended(req, consent, 'accounts');
    const withBalance = req.query.withBalance === 'true';
    const accounts = consent.accounts.map(findAccount).filter((a): a is SandboxAccount => a !== undefined);
    res.json({ accounts: accounts.map((a) => accountView(consent, a, withBalance)) });
  });

  router.get('/v1/accounts/:resourceId', (req, res) => {
    const consent = authorise(req, res);
    const account = consentedAccount(consent, req.params.resourceId);
    countUnattended(req, consent, `account:${req.params.resourceId}`);
    res.json({ account: accountView(consent, account, req.query.withBalance === 'true') });
  });

  router.get('/v1/accounts/:resourceId/balances', (req, res) => {
    const consent = authorise(req, res);
    const account = consentedAccount(consent, req.params.resourceId);
    countUnattended(req, consent, `balances:${req.params.resourceId}`);
    res.json({ account: { iban: account.iban, currency: account.currency }, balances: balancesOf(account.iban) });
  });

  router.get('/v1/accounts/:resourceId/transactions', (req, res) => {
    const consent = authorise(req, res);
    const { resourceId } = req.params;
    const account = consentedAccount(consent, resourceId);
    const pageToken = single(req.query.pageToken);
    let cursor: PageCursor;
    if (pageToken !== undefined) {
      const opened = openJson(ctx.secret, pageToken) as PageCursor | undefined;
      if (!opened || opened.consentId !== consent.consentId || opened.resourceId !== resourceId) {
        throw new Xs2aError(400, 'FORMAT_ERROR', 'pageToken is invalid for this account and consent');
      }
      cursor = opened;
    } else {
      // Follow-up pages of one listing count as one access; only the first page is counted.
      const query = parseTransactionQuery(req, today(ctx));
      countUnattended(req, consent, `transactions:${resourceId}`);
      cursor = { ...query, consentId: consent.consentId, resourceId, section: 'booked', afterSequence: 0 };
    }

    const inRange = (e: LedgerEntry): boolean => e.bookingDate >= cursor.dateFrom && e.bookingDate <= cursor.dateTo;
    const entries = ctx.ledgers.get(account.iban)?.list() ?? [];
    const wantBooked = cursor.bookingStatus !== 'pending';
    const wantPending = cursor.bookingStatus !== 'booked';
    const remaining = [
      ...(wantBooked && cursor.section === 'booked'
        ? entries.filter((e) => e.status === 'booked' && inRange(e) && e.sequence > cursor.afterSequence)
        : []),
      ...(wantPending
        ? entries.filter(
            (e) =>
              e.status === 'pending' &&
              inRange(e) &&
              (cursor.section === 'booked' || e.sequence > cursor.afterSequence),
          )
        : []),
    ];
    const page = remaining.slice(0, ctx.settings.pageSize);
    const last = page.at(-1);
    const links: Record<string, { href: string }> = {
      account: { href: bankUrl(ctx, bank, `/v1/accounts/${resourceId}`) },
    };
    if (last && remaining.length > page.length) {
      const next: PageCursor = { ...cursor, section: last.status, afterSequence: last.sequence };
      const params = new URLSearchParams({
        bookingStatus: cursor.bookingStatus,
        dateFrom: cursor.dateFrom,
        dateTo: cursor.dateTo,
        pageToken: sealJson(ctx.secret, next),
      });
      links.next = { href: bankUrl(ctx, bank, `/v1/accounts/${resourceId}/transactions?${params.toString()}`) };
    }
    res.json({
      account: { iban: account.iban, currency: account.currency },
      transactions: {
        ...(wantBooked ? { booked: page.filter((e) => e.status === 'booked').map(transactionView) } : {}),
        ...(wantPending ? { pending: page.filter((e) => e.status === 'pending').map(transactionView) } : {}),
        _links: links,
      },
    });
  });

  return router;
}

function parseTransactionQuery(req: Request, on: string): TransactionQuery {
  for (const unsupported of ['deltaList', 'entryReferenceFrom']) {
    if (req.query[unsupported] !== undefined) {
      throw new Xs2aError(400, 'PARAMETER_NOT_SUPPORTED', `${unsupported} is not supported; use dateFrom and dateTo`);
    }
  }
  const bookingStatus = single(req.query.bookingStatus);
  if (bookingStatus !== 'booked' && bookingStatus !== 'pending' && bookingStatus !== 'both') {
    throw new Xs2aError(400, 'PARAMETER_NOT_SUPPORTED', 'bookingStatus must be booked, pending or both');
  }
  const dateFrom = single(req.query.dateFrom);
  if (!dateFrom || !isIsoDate(dateFrom)) throw new Xs2aError(400, 'FORMAT_ERROR', 'dateFrom (YYYY-MM-DD) is required');
  const dateTo = single(req.query.dateTo) ?? on;
  if (!isIsoDate(dateTo)) throw new Xs2aError(400, 'FORMAT_ERROR', 'dateTo must be a date YYYY-MM-DD');
  if (dateFrom > dateTo) throw new Xs2aError(400, 'PERIOD_INVALID', 'dateFrom lies after dateTo');
  return { bookingStatus, dateFrom, dateTo };
}
