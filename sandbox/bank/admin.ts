import express, { type Response, Router } from 'express';
import { z } from 'zod';
import { isValidIban, normaliseIban } from '../../domain/iban';
import type { Consent, ConsentStatus } from './consents';
import { type SandboxContext, today } from './context';
import type { AccountLedger, Balance, EntryStatus, LedgerEntry } from './ledger';
import type { OAuthClient } from './oauth';
import { dutchIban, SANDBOX_ACCOUNTS, type SandboxAccount, TEST_USERS, type TestUser } from './test-users';

/**
 * Levers for tests and demos: things a real bank does on its own (a payment arrives, the PSU revokes access,
 * the bank has a bad day) made to happen on request. DEVELOPMENT ONLY: no authentication, so the sandbox binds
 * to 127.0.0.1 by default.
 *
 * HTTP (JSON; errors are application/problem+json):
 *   GET    /admin                                  this list
 *   GET    /admin/users                            test users with roles and passwords
 *   GET    /admin/accounts                         every sandbox account
 *   POST   /admin/clients                          {clientId, redirectUris[]}: register (or replace) an OAuth client
 *   GET    /admin/consents                         every consent with status and accounts
 *   GET    /admin/consents/:consentId
 *   POST   /admin/consents/:consentId/revoke       the PSU revokes it at the bank: revokedByPsu
 *   POST   /admin/consents/:consentId/expire       it lapses: expired
 *   GET    /admin/accounts/:iban/ledger            opening balance, every entry, balances
 *   POST   /admin/accounts/:iban/transactions      book a payment now; {} books one cent in (R-V13); optional
 *                                                  amountCents (signed), counterpartyName, counterpartyIban,
 *                                                  description, endToEndId, status booked|pending;
 *                                                  unchecked: true books counterpartyIban and entryReference
 *                                                  as given, however malformed or long
 *   POST   /admin/faults                           {status: 429|500, count, retryAfterSeconds}: the next count
 *                                                  API calls (/v1 and /oauth/token) fail that way
 *   DELETE /admin/faults                           no more injected failures
 *   PUT    /admin/latency                          {ms}: delay before every API answer
 *   PUT    /admin/page-size                        {size}: transactions per page
 */

export interface NewTransaction {
  /** Signed: positive is money in. Defaults to one cent in, the "transfer one cent" tip of R-V13. */
  amountCents?: number;
  counterpartyName?: string;
  counterpartyIban?: string | null;
  description?: string;
  endToEndId?: string | null;
  status?: EntryStatus;
  /** The bank's own reference, in place of the one the ledger makes up; only with `unchecked`. */
  entryReference?: string;
  /**
   * Book the values as given, unchecked: a real bank sometimes sends what it should not (an over-long IBAN or
   * reference), and the platform's edge must be tested against that.
   */
  unchecked?: boolean;
}

export interface ConsentSummary {
  consentId: string;
  bank: string;
  status: ConsentStatus;
  recurringIndicator: boolean;
  validUntil: string;
  frequencyPerDay: number;
  accounts: string[];
  psuId: string | null;
  clientId: string | null;
  createdAt: string;
}

export interface InjectedFaultRequest {
  status: 429 | 500;
  /** How many API calls in a row fail; default 1. */
  count?: number;
  /** Sent as Retry-After on a 429; default 1. */
  retryAfterSeconds?: number;
}

export interface SandboxBankAdmin {
  registerClient(client: OAuthClient): void;
  addTransaction(iban: string, transaction?: NewTransaction): LedgerEntry;
  ledger(iban: string): AccountLedger & { balances: Balance[] };
  consents(): ConsentSummary[];
  consent(consentId: string): ConsentSummary | undefined;
  revokeConsent(consentId: string): ConsentSummary;
  expireConsent(consentId: string): ConsentSummary;
  failNext(fault: InjectedFaultRequest): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setPageSize(size: number): void;
  users(): readonly TestUser[];
  accounts(): readonly SandboxAccount[];
}

/** A refused admin request; the HTTP layer answers it as problem+json with this status. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_COUNTERPARTY = { name: 'J. de Tester', iban: dutchIban('RABO', '0300000017') };

function summary(consent: Consent): ConsentSummary {
  return {
    consentId: consent.consentId,
    bank: consent.bank,
    status: consent.status,
    recurringIndicator: consent.recurringIndicator,
    validUntil: consent.validUntil,
    frequencyPerDay: consent.frequencyPerDay,
    accounts: [...consent.accounts],
    psuId: consent.psuId,
    clientId: consent.clientId,
    createdAt: consent.createdAt,
  };
}

export function createAdmin(ctx: SandboxContext): SandboxBankAdmin {
  const book = (iban: string) => {
    const found = ctx.ledgers.get(normaliseIban(iban));
    if (!found) throw new AdminError(404, `No sandbox account ${iban}`);
    return found;
  };
  const openConsent = (consentId: string): Consent => {
    const consent = ctx.consents.find(consentId, today(ctx));
    if (!consent) throw new AdminError(404, `No consent ${consentId}`);
    return consent;
  };

  return {
    registerClient(client) {
      try {
        ctx.oauth.registerClient(client);
      } catch (error) {
        throw new AdminError(400, (error as Error).message);
      }
    },

    addTransaction(iban, transaction = {}) {
      const target = book(iban);
      const amountCents = transaction.amountCents ?? 1;
      if (!Number.isInteger(amountCents) || amountCents === 0) {
        throw new AdminError(400, 'amountCents must be a non-zero whole number');
      }
      const counterpartyIban =
        transaction.counterpartyIban === undefined
          ? DEFAULT_COUNTERPARTY.iban
          : transaction.counterpartyIban && normaliseIban(transaction.counterpartyIban);
      if (counterpartyIban && !transaction.unchecked && !isValidIban(counterpartyIban)) {
        throw new AdminError(400, `counterpartyIban ${counterpartyIban} is not a valid IBAN`);
      }
      const now = ctx.now();
      const on = today(ctx);
      return target.append({
        idKey: `admin:${now.toISOString()}:${target.list().length}`,
        status: transaction.status ?? 'booked',
        bookingDate: on,
        valueDate: on,
        amountCents,
        currency: 'EUR',
        counterpartyName: transaction.counterpartyName ?? DEFAULT_COUNTERPARTY.name,
        counterpartyIban: counterpartyIban ?? null,
        remittanceInformationUnstructured: transaction.description ?? 'Testoverboeking bankkoppeling',
        remittanceInformationStructured: null,
        endToEndId: transaction.endToEndId ?? null,
        mandateId: null,
        creditorId: null,
        bankTransactionCode: amountCents > 0 ? 'PMNT-RCDT-ESCT' : 'PMNT-ICDT-ESCT',
        ...(transaction.unchecked && transaction.entryReference ? { entryReference: transaction.entryReference } : {}),
      });
    },

    ledger(iban) {
      const target = book(iban);
      return { ...target.snapshot(), balances: target.balances(today(ctx)) };
    },

    consents() {
      return ctx.consents.list(today(ctx)).map(summary);
    },

    consent(consentId) {
      const consent = ctx.consents.find(consentId, today(ctx));
      return consent ? summary(consent) : undefined;
    },

    revokeConsent(consentId) {
      const consent = openConsent(consentId);
      if (consent.status !== 'valid' && consent.status !== 'received') {
        throw new AdminError(
          409,
          `Consent ${consentId} is ${consent.status}; only a valid or received consent can be revoked`,
        );
      }
      ctx.consents.setStatus(consent, 'revokedByPsu', today(ctx));
      return summary(consent);
    },

    expireConsent(consentId) {
      const consent = openConsent(consentId);
      if (consent.status !== 'valid') throw new AdminError(409, `Consent ${consentId} is ${consent.status}, not valid`);
      ctx.consents.setStatus(consent, 'expired', today(ctx));
      return summary(consent);
    },

    failNext(fault) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new AdminError(400, 'count must be a positive whole number');
      ctx.faults.push({ status: fault.status, remaining: count, retryAfterSeconds: fault.retryAfterSeconds ?? 1 });
    },

    clearFaults() {
      ctx.faults.length = 0;
    },

    setLatency(ms) {
      if (!Number.isInteger(ms) || ms < 0) throw new AdminError(400, 'ms must be a whole number, 0 or more');
      ctx.settings.latencyMs = ms;
    },

    setPageSize(size) {
      if (!Number.isInteger(size) || size < 1) throw new AdminError(400, 'size must be a whole number, 1 or more');
      ctx.settings.pageSize = size;
    },

    users() {
      return TEST_USERS;
    },

    accounts() {
      return SANDBOX_ACCOUNTS;
    },
  };
}

const clientBody = z.object({ clientId: z.string().min(1), redirectUris: z.array(z.string()).min(1) });
const transactionBody = z.object({
  amountCents: z.number().int().optional(),
  counterpartyName: z.string().min(1).optional(),
  counterpartyIban: z.string().nullable().optional(),
  description: z.string().optional(),
  endToEndId: z.string().nullable().optional(),
  status: z.enum(['booked', 'pending']).optional(),
  entryReference: z.string().min(1).optional(),
  unchecked: z.boolean().optional(),
});
const faultBody = z.object({
  status: z.union([z.literal(429), z.literal(500)]),
  count: z.number().int().min(1).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function sendAdminError(res: Response, status: number, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', status, title: 'Sandbox admin request refused', detail }));
}

export function adminRouter(admin: SandboxBankAdmin): Router {
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  router.get('/', (_req, res) => {
    res.json({
      endpoints: [
        'GET /admin/users',
        'GET /admin/accounts',
        'POST /admin/clients',
        'GET /admin/consents',
        'GET /admin/consents/:consentId',
        'POST /admin/consents/:consentId/revoke',
        'POST /admin/consents/:consentId/expire',
        'GET /admin/accounts/:iban/ledger',
        'POST /admin/accounts/:iban/transactions',
        'POST /admin/faults',
        'DELETE /admin/faults',
        'PUT /admin/latency',
        'PUT /admin/page-size',
      ],
    });
  });
  router.get('/users', (_req, res) => void res.json({ items: admin.users() }));
  router.get('/accounts', (_req, res) => void res.json({ items: admin.accounts() }));
  router.post('/clients', (req, res) => {
    const client = parse(clientBody, req.body);
    admin.registerClient(client);
    res.status(201).json(client);
  });
  router.get('/consents', (_req, res) => void res.json({ items: admin.consents() }));
  router.get('/consents/:consentId', (req, res) => {
    const consent = admin.consent(req.params.consentId);
    if (!consent) throw new AdminError(404, `No consent ${req.params.consentId}`);
    res.json(consent);
  });
  router.post('/consents/:consentId/revoke', (req, res) => void res.json(admin.revokeConsent(req.params.consentId)));
  router.post('/consents/:consentId/expire', (req, res) => void res.json(admin.expireConsent(req.params.consentId)));
  router.get('/accounts/:iban/ledger', (req, res) => void res.json(admin.ledger(req.params.iban)));
  router.post('/accounts/:iban/transactions', (req, res) => {
    const input = parse(transactionBody, req.body);
    res.status(201).json(admin.addTransaction(req.params.iban, input));
  });
  router.post('/faults', (req, res) => {
    admin.failNext(parse(faultBody, req.body));
    res.status(204).end();
  });
  router.delete('/faults', (_req, res) => {
    admin.clearFaults();
    res.status(204).end();
  });
  router.put('/latency', (req, res) => {
    admin.setLatency(parse(z.object({ ms: z.number().int().min(0) }), req.body).ms);
    res.status(204).end();
  });
  router.put('/page-size', (req, res) => {
    admin.setPageSize(parse(z.object({ size: z.number().int().min(1) }), req.body).size);
    res.status(204).end();
  });
  return router;
}
