import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { isValidIban, normaliseIban } from '../../domain/iban';
import { addDays, isIsoDate } from './calendar';
import { bankUrl, type SandboxContext, today } from './context';
import type { SandboxBankCode } from './test-users';
import { requireRequestId, Xs2aError } from './xs2a';

/**
 * AIS consents (Berlin Group "establish consent"). The TPP creates one, the PSU authorises it at the bank's
 * OAuth pages and picks the accounts there (bank-offered consent), and from then on the consent is what every
 * account call is checked against.
 */

export type ConsentStatus = 'received' | 'valid' | 'rejected' | 'expired' | 'revokedByPsu' | 'terminatedByTpp';

/** PSD2 RTS art. 10a: a PSU must re-authenticate at least every 180 days, so no consent lasts longer. */
export const MAX_CONSENT_DAYS = 180;

const accountReference = z.object({ iban: z.string(), currency: z.string().optional() });
const accessKind = z.enum(['allAccounts', 'allAccountsWithOwnerName']);
const consentRequest = z.object({
  access: z.object({
    accounts: z.array(accountReference).optional(),
    balances: z.array(accountReference).optional(),
    transactions: z.array(accountReference).optional(),
    availableAccounts: accessKind.optional(),
    allPsd2: accessKind.optional(),
  }),
  recurringIndicator: z.boolean(),
  validUntil: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  frequencyPerDay: z.number().int().min(1),
  combinedServiceIndicator: z.boolean().optional(),
});
export type ConsentRequest = z.infer<typeof consentRequest>;

export interface Consent {
  consentId: string;
  bank: SandboxBankCode;
  status: ConsentStatus;
  requestedAccess: ConsentRequest['access'];
  /** IBANs the TPP named; empty means the PSU chooses among all of its accounts. */
  requestedIbans: string[];
  recurringIndicator: boolean;
  validUntil: string;
  frequencyPerDay: number;
  /** The IBANs the PSU ticked when signing. */
  accounts: string[];
  psuId: string | null;
  clientId: string | null;
  createdAt: string;
  lastActionDate: string;
  /** Unattended accesses per `day|endpoint`, for `frequencyPerDay`. */
  usage: Map<string, number>;
}

export class ConsentStore {
  private readonly consents = new Map<string, Consent>();

  create(bank: SandboxBankCode, request: ConsentRequest, on: string, createdAt: Date, maxFrequency: number): Consent {
    const access = request.access;
    const named = [...(access.accounts ?? []), ...(access.balances ?? []), ...(access.transactions ?? [])];
    const maxValid = addDays(on, MAX_CONSENT_DAYS);
    const consent: Consent = {
      consentId: randomUUID(),
      bank,
      status: 'received',
      requestedAccess: access,
      requestedIbans: [...new Set(named.map((ref) => normaliseIban(ref.iban)))],
      recurringIndicator: request.recurringIndicator,
      // Berlin Group lets the bank shorten validUntil and frequencyPerDay; the TPP reads the result back.
      validUntil: request.validUntil > maxValid ? maxValid : request.validUntil,
      frequencyPerDay: Math.min(request.frequencyPerDay, maxFrequency),
      accounts: [],
      psuId: null,
      clientId: null,
      createdAt: createdAt.toISOString(),
      lastActionDate: on,
      usage: new Map(),
    };
    this.consents.set(consent.consentId, consent);
    return consent;
  }

  /** The consent as of `on`: a valid consent past its validUntil has expired. */
  find(consentId: string, on: string): Consent | undefined {
    const consent = this.consents.get(consentId);
    if (consent && consent.status === 'valid' && on > consent.validUntil) this.setStatus(consent, 'expired', on);
    return consent;
  }

  list(on: string): Consent[] {
    return [...this.consents.keys()].map((id) => this.find(id, on)).filter((c): c is Consent => c !== undefined);
  }

  setStatus(consent: Consent, status: ConsentStatus, on: string): void {
    consent.status = status;
    consent.lastActionDate = on;
  }

  /**
   * Berlin Group: when a PSU authorises a new recurring consent, a former recurring consent of the same PSU for
   * the same TPP expires. A platform must switch to the new consent (R-A9: accounts added by linking again).
   */
  authorise(consent: Consent, psuId: string, clientId: string, accounts: string[], on: string): void {
    if (consent.recurringIndicator) {
      for (const other of this.list(on)) {
        if (
          other !== consent &&
          other.bank === consent.bank &&
          other.status === 'valid' &&
          other.recurringIndicator &&
          other.psuId === psuId &&
          other.clientId === clientId
        ) {
          this.setStatus(other, 'expired', on);
        }
      }
    }
    consent.psuId = psuId;
    consent.clientId = clientId;
    consent.accounts = accounts;
    this.setStatus(consent, 'valid', on);
  }

  /** Counts one unattended access and returns how many there were on that day for that endpoint. */
  countAccess(consent: Consent, endpoint: string, on: string): number {
    const key = `${on}|${endpoint}`;
    const count = (consent.usage.get(key) ?? 0) + 1;
    consent.usage.set(key, count);
    consent.lastActionDate = on;
    return count;
  }
}

export function consentView(ctx: SandboxContext, consent: Consent): Record<string, unknown> {
  const references = consent.accounts.map((iban) => ({ iban, currency: 'EUR' }));
  return {
    access:
      consent.status === 'received' || consent.accounts.length === 0
        ? consent.requestedAccess
        : { accounts: references, balances: references, transactions: references },
    recurringIndicator: consent.recurringIndicator,
    validUntil: consent.validUntil,
    frequencyPerDay: consent.frequencyPerDay,
    lastActionDate: consent.lastActionDate,
    consentStatus: consent.status,
    _links: {
      self: { href: bankUrl(ctx, consent.bank, `/v1/consents/${consent.consentId}`) },
      status: { href: bankUrl(ctx, consent.bank, `/v1/consents/${consent.consentId}/status`) },
      ...(consent.status === 'valid' ? { account: { href: bankUrl(ctx, consent.bank, '/v1/accounts') } } : {}),
    },
  };
}

export function consentRoutes(ctx: SandboxContext, bank: SandboxBankCode): Router {
  const router = Router();

  const consentInPath = (consentId: string): Consent => {
    const consent = ctx.consents.find(consentId, today(ctx));
    // Berlin Group answers an unknown consent id in the path with 403, so ids of other TPPs are not probed.
    if (!consent || consent.bank !== bank)
      throw new Xs2aError(403, 'CONSENT_UNKNOWN', `Consent ${consentId} is unknown`);
    return consent;
  };

  router.post('/v1/consents', (req, res) => {
    requireRequestId(req, res);
    const parsed = consentRequest.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Xs2aError(400, 'FORMAT_ERROR', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const request = parsed.data;
    const on = today(ctx);
    if (request.validUntil < on) throw new Xs2aError(400, 'PERIOD_INVALID', 'validUntil lies in the past');
    if (!request.recurringIndicator && request.frequencyPerDay !== 1) {
      throw new Xs2aError(400, 'FORMAT_ERROR', 'frequencyPerDay must be 1 for a one-off consent');
    }
    const named = [
      ...(request.access.accounts ?? []),
      ...(request.access.balances ?? []),
      ...(request.access.transactions ?? []),
    ];
    const invalid = named.find((ref) => !isValidIban(ref.iban));
    if (invalid) throw new Xs2aError(400, 'FORMAT_ERROR', `access: ${invalid.iban} is not a valid IBAN`);

    const consent = ctx.consents.create(bank, request, on, ctx.now(), ctx.settings.maxFrequencyPerDay);
    const self = bankUrl(ctx, bank, `/v1/consents/${consent.consentId}`);
    res.setHeader('Location', self);
    res.setHeader('ASPSP-SCA-Approach', 'OAUTH');
    res.status(201).json({
      consentStatus: consent.status,
      consentId: consent.consentId,
      _links: {
        self: { href: self },
        status: { href: `${self}/status` },
        scaOAuth: { href: bankUrl(ctx, bank, '/.well-known/oauth-authorization-server') },
      },
    });
  });

  router.get('/v1/consents/:consentId', (req, res) => {
    requireRequestId(req, res);
    res.json(consentView(ctx, consentInPath(req.params.consentId)));
  });

  router.get('/v1/consents/:consentId/status', (req, res) => {
    requireRequestId(req, res);
    res.json({ consentStatus: consentInPath(req.params.consentId).status });
  });

  router.delete('/v1/consents/:consentId', (req, res) => {
    requireRequestId(req, res);
    const consent = consentInPath(req.params.consentId);
    if (consent.status === 'received' || consent.status === 'valid') {
      ctx.consents.setStatus(consent, 'terminatedByTpp', today(ctx));
    }
    res.status(204).end();
  });

  return router;
}
