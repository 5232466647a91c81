import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { BankConnector, BankSession, BankTransaction } from '../banks/connector';
import { BankRequestError, ConsentInvalidError, RateLimitedError, TokenExpiredError } from '../banks/errors';
import { openUnattendedSession, refreshSession } from '../banks/session';
import { addDays, amsterdamDate, amsterdamIso } from '../domain/amsterdam-time';
import {
  ACCOUNT_LIST_CALL,
  planCalls,
  transactionsCall,
  type AllowanceVerdict,
  type BankCall,
} from '../domain/bank-allowance';
import { consentUsable } from '../domain/consent';
import type { FetchResult } from '../domain/connection';
import { ERROR_TYPES } from '../domain/error-types';
import { fitBankEntries } from '../domain/fit-entry';
import { withoutNul } from '../domain/value-limits';
import { normaliseIban } from '../domain/iban';
import { OccurrenceCounter, prepareRows, type IncomingEntry } from '../domain/ingest';
import { callsMadeToday, countCalls, markCallUsedUp } from '../db/bank-call-counts';
import {
  ConnectedAccount,
  Connection,
  Onboarding,
  type IConnectedAccount,
  type IConnection,
  type IConsent,
} from '../db/entities';
import type { FetchTrigger } from '../workflows/fetch-transactions/contract';
import { firstTransactionsImportedSignal } from '../workflows/onboarding/contract';
import type { TokenCipher } from '../db/token-cipher';
import { consentTokens } from '../db/consent-tokens';
import { databaseError } from '../db/database-error';
import { ingestPage } from '../db/ingest';
import type { ActivityDeps } from '.';
import { toActivityFailure } from './bank-failure';

export interface FetchPlan {
  skip: string | null;
  accounts: { connectedAccountId: string; iban: string }[];
  /**
   * Accounts this run leaves out without asking the bank, each with its recorded result: today's allowance for it
   * is used, or the consent no longer covers it. Absent in runs recorded before the allowance was counted.
   */
  leftOut?: { connectedAccountId: string; iban: string; result: FetchResult }[];
}

export interface ConsentEndedNotice {
  organizationId: string;
  bankCode: string;
  companyName: string | null;
  kvkNumber: string | null;
  /** Where the client was last reached (its latest onboarding), so staff can contact them about a new consent. */
  clientEmail: string | null;
  accountManager: { name: string | null; email: string | null };
  staffEmail: string | null;
  consentId: string | null;
  /**
   * The client consented again meanwhile: the refused consent is no longer the connection's, which stays as it is
   * (nothing is marked, paused or mailed).
   */
  replaced?: boolean;
}

/** What a consent-ended failure carries: the consent the bank refused, so a newer one is never marked for it. */
export interface ConsentEndedDetails {
  consentId: string;
}

/** How far back a repeat fetch looks: banks book late, so the last days are asked again; dedupe keeps it exact. */
const OVERLAP_DAYS = 3;
/** Longer than this, a 429 is the bank's daily count: the run ends and says when the next can, instead of waiting. */
const LONGEST_RETRY_WAIT_SECONDS = 15 * 60;
/** Warnings kept on a fetch's result: enough to find the entries, never a page's worth in the history. */
const MAX_WARNINGS = 20;

export function createFetchActivities(deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher' | 'temporal'>) {
  const { orm } = deps;
  return {
    /**
     * Which accounts this run fetches, or why it fetches none (R-A12, R-A17). Accounts whose calls for today are
     * used are left out at once; the account list is asked at most once per run, and only when the bank's id of
     * an account under this consent is not known yet.
     */
    async planFetch(input: { connectionId: string; trigger: FetchTrigger }): Promise<FetchPlan> {
      const em = orm.em.fork();
      const connection = await em.findOne(Connection, { id: input.connectionId }, { populate: ['consent'] });
      if (!connection) return { skip: 'the connection no longer exists', accounts: [] };
      if (connection.syncProfileBlocked) return { skip: 'the sync profile is blocked', accounts: [] };
      if (connection.state !== 'active') {
        return { skip: `the connection is ${connection.state.replace(/_/g, ' ')}`, accounts: [] };
      }
      const consent = connection.consent;
      if (!consent || !consentUsable(consent.status, consent.validUntil ?? null, amsterdamDate(new Date()))) {
        throw ApplicationFailure.create({
          message: `the consent is ${consent?.status ?? 'missing'}`,
          type: ERROR_TYPES.consentInvalid,
          nonRetryable: true,
          details: consent ? [{ consentId: consent.id } satisfies ConsentEndedDetails] : [],
        });
      }
      const accounts = await em.find(
        ConnectedAccount,
        { connection, blocked: false, importTransactions: true },
        { orderBy: { iban: 'asc' } },
      );
      if (!accounts.length) return { skip: 'no unblocked account has transaction import on', accounts: [] };
      const now = new Date();
      const allowance = planCalls(
        accounts.map((a) => ({ iban: a.iban, resourceIdKnown: Boolean(a.bankResourceId) })),
        await callsMadeToday(em, consent.id, now),
        consent.frequencyPerDay,
        now,
      );
      const leftOut: NonNullable<FetchPlan['leftOut']> = [];
      const leaveOut = async (account: IConnectedAccount, result: FetchResult) => {
        leftOut.push({ connectedAccountId: account.id, iban: account.iban, result });
        await em.nativeUpdate(ConnectedAccount, { id: account.id }, { lastFetchResult: result });
      };
      for (const { iban, verdict } of allowance.leftOut)
        await leaveOut(
          accounts.find((a) => a.iban === iban)!,
          rateLimited(verdict),
        );
      const fitting = accounts.filter((account) => allowance.fetch.includes(account.iban));
      if (allowance.needsAccountList) {
        const listed = await listResourceIds(em, consent, connection, deps);
        for (const account of fitting.filter((a) => !a.bankResourceId)) {
          const found = listed.outcome === 'listed' ? listed.resourceIds.get(account.iban) : undefined;
          if (found) {
            account.bankResourceId = found;
            continue;
          }
          const at = new Date().toISOString();
          await leaveOut(
            account,
            listed.outcome === 'listed'
              ? { outcome: 'failed', at, reason: `the consent no longer covers ${account.iban}` }
              : listed.result,
          );
        }
        await em.flush();
      }
      const fetched = fitting.filter((account) => account.bankResourceId);
      return {
        skip: null,
        accounts: fetched.map((a) => ({ connectedAccountId: a.id, iban: a.iban })),
        ...(leftOut.length ? { leftOut } : {}),
      };
    },

    /**
     * Fetches one account's booked transactions and ingests them page by page (R-A16, R-A18, R-A19). Retrying is
     * safe: ingest drops what it has already. The result is recorded on the account whatever happens, so staff
     * never read "no new data" when the bank did not answer.
     */
    async fetchAccount(input: { connectionId: string; connectedAccountId: string }): Promise<FetchResult> {
      const em = orm.em.fork();
      const account = await em.findOneOrFail(
        ConnectedAccount,
        { id: input.connectedAccountId, connection: input.connectionId },
        { populate: ['connection', 'connection.consent'] },
      );
      const at = new Date().toISOString();
      if (account.blocked || !account.importTransactions) {
        return record(em, account, {
          outcome: 'skipped',
          at,
          reason: account.blocked ? 'the account is blocked' : 'transaction import is off',
        });
      }
      let result: FetchResult;
      try {
        result = await record(em, account, await fetchAndIngest(em, account, deps));
      } catch (error) {
        await record(em, account, { outcome: 'failed', at, reason: failureReason(error) });
        const used = account.connection.consent;
        throw used ? await consentFailure(em, input.connectionId, used.id, error) : toActivityFailure(error);
      }
      if (result.outcome === 'imported' && !account.statementImportEnabled)
        await tellWaitingOnboardings(em, deps.temporal, input.connectionId);
      return result;
    },

    /** Marks the connection and its consent as no longer usable, in words staff can act on. */
    async markConsentInvalid(input: {
      connectionId: string;
      reason: string;
      /** The consent the bank refused; absent in runs from before it was named. */
      consentId?: string;
    }): Promise<ConsentEndedNotice> {
      const em = orm.em.fork();
      const connection = await em.findOneOrFail(
        Connection,
        { id: input.connectionId },
        { populate: ['consent', 'organization', 'clientCompany'] },
      );
      if (input.consentId && connection.consent?.id !== input.consentId)
        return { ...(await notice(em, connection)), replaced: true };
      connection.state = 'consent_invalid';
      connection.stateReason = input.reason.slice(0, 500);
      if (connection.consent && connection.consent.status === 'valid') connection.consent.status = 'expired';
      await em.flush();
      return notice(em, connection);
    },
  };
}

/** Who is told that the consent of the connection ended, and about which consent. */
async function notice(em: EntityManager, connection: IConnection): Promise<ConsentEndedNotice> {
  const latest = await em.findOne(
    Onboarding,
    { connection },
    { orderBy: { createdAt: 'desc' }, fields: ['clientEmail'] },
  );
  return {
    organizationId: connection.organization.id,
    bankCode: connection.bankCode,
    companyName: connection.clientCompany?.name ?? null,
    kvkNumber: connection.clientCompany?.kvkNumber ?? null,
    clientEmail: latest?.clientEmail ?? null,
    accountManager: { name: connection.accountManagerName ?? null, email: connection.accountManagerEmail ?? null },
    staffEmail: connection.organization.staffEmail ?? null,
    consentId: connection.consent?.id ?? null,
  };
}

async function fetchAndIngest(
  em: EntityManager,
  account: IConnectedAccount,
  deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher'>,
): Promise<FetchResult> {
  const consent = account.connection.consent;
  if (!consent)
    throw new ConsentInvalidError('the connection has no consent', { bankCode: account.connection.bankCode });
  return withSession(
    em,
    consent,
    deps.bankConnector(account.connection.bankCode),
    deps.tokenCipher,
    (connector, session) => fetchWith(em, account, connector, session),
  );
}

/**
 * R-A13: statement import just went on, so an onboarding waiting for the first transactions can end now. A signal
 * to an onboarding that has closed meanwhile is nothing to worry about: it had stopped waiting.
 */
async function tellWaitingOnboardings(em: EntityManager, temporal: Client, connectionId: string): Promise<void> {
  const waiting = await em.find(
    Onboarding,
    { connection: connectionId, completedAt: null },
    { fields: ['workflowId'] },
  );
  for (const onboarding of waiting) {
    try {
      await temporal.workflow.getHandle(onboarding.workflowId).signal(firstTransactionsImportedSignal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
}

/** Runs `work` in an unattended session; a token that dies early (revoked at the bank) is refreshed once. */
async function withSession<T>(
  em: EntityManager,
  consent: IConsent,
  connector: BankConnector,
  cipher: TokenCipher,
  work: (connector: BankConnector, session: BankSession) => Promise<T>,
): Promise<T> {
  const tokens = consentTokens(em, consent, cipher);
  const session = await openUnattendedSession(tokens, connector);
  try {
    return await work(connector, session);
  } catch (error) {
    if (!(error instanceof TokenExpiredError)) throw error;
    // Repeating the work is safe: ingest keeps it exact, and every call in it is counted again.
    return work(connector, await refreshSession(tokens, connector));
  }
}

async function fetchWith(
  em: EntityManager,
  account: IConnectedAccount,
  connector: BankConnector,
  session: BankSession,
): Promise<FetchResult> {
  const consent = account.connection.consent!;
  const resourceId = account.bankResourceId;
  if (!resourceId) {
    throw ApplicationFailure.nonRetryable(
      `the bank's id for ${account.iban} is not known; the next run asks the account list`,
      ERROR_TYPES.accountNotInConsent,
    );
  }
  const dateFrom = await fetchFrom(em, account);
  const verdict = await countCalls(em, consent, [transactionsCall(account.iban)], new Date());
  if (!verdict.allowed) return rateLimited(verdict);
  const counter = new OccurrenceCounter();
  const target = {
    organizationId: account.organization.id,
    bankAccountId: account.bankAccount.id,
    source: 'api' as const,
  };
  let imported = 0;
  let duplicates = 0;
  let pages = 0;
  const dates = new Set<string>();
  const warnings: string[] = [];
  try {
    for await (const page of connector.transactions(session, resourceId, { dateFrom, bookingStatus: 'booked' })) {
      const entries = page.booked.map(toIncomingEntry);
      warnings.push(...fittedToTheDatabase(entries));
      const { rows } = prepareRows(entries, { source: 'api', switchOverDate: account.switchOverDate }, counter);
      const result = await ingestPage(em.fork(), target, rows);
      imported += result.imported;
      duplicates += result.duplicates;
      result.dates.forEach((date) => dates.add(date));
      pages += 1;
      heartbeat({ pages, imported });
    }
  } catch (error) {
    if (error instanceof BankRequestError && error.code === 'RESOURCE_UNKNOWN') {
      // The bank's id belongs to an older consent: forget it, so the next run asks the account list once.
      await em.nativeUpdate(ConnectedAccount, { id: account.id }, { bankResourceId: null });
    }
    const usedUp = await usedUpAtTheBank(em, consent, transactionsCall(account.iban), error);
    if (usedUp) return usedUp;
    throw error;
  }
  const at = new Date().toISOString();
  const warned = warnings.length > 0 ? { warnings: reported(warnings) } : {};
  return imported > 0
    ? { outcome: 'imported', at, imported, duplicates, dates: [...dates].sort(), ...warned }
    : { outcome: 'no_new_data', at, duplicates, ...warned };
}

/**
 * The rule of domain/value-limits.ts on one answer of the bank, the same as statement files get, so both channels
 * store and deduplicate the same values: shortened text comes back as warnings; an identifier that cannot fit
 * fails the fetch once (not retried: the bank sends it again), naming the entries, before anything is written.
 */
function fittedToTheDatabase(entries: IncomingEntry[]): string[] {
  const fit = fitBankEntries(entries);
  if (fit.refusals.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `the bank sent values that cannot be stored: ${fit.refusals.join('; ')}`,
      ERROR_TYPES.unfitBankValue,
    );
  }
  return fit.warnings;
}

function reported(warnings: string[]): string[] {
  if (warnings.length <= MAX_WARNINGS) return warnings;
  return [...warnings.slice(0, MAX_WARNINGS - 1), `and ${warnings.length - MAX_WARNINGS + 1} more warnings like these`];
}

/**
 * The bank's ids of the consent's accounts by IBAN, from one (counted) account list. The list is asked with a
 * session of its own, so a run's plan and its fetches never hold a token between activities.
 */
async function listResourceIds(
  em: EntityManager,
  consent: IConsent,
  connection: { id: string; bankCode: string },
  deps: Pick<ActivityDeps, 'bankConnector' | 'tokenCipher'>,
): Promise<{ outcome: 'listed'; resourceIds: Map<string, string> } | { outcome: 'not_listed'; result: FetchResult }> {
  const verdict = await countCalls(em, consent, [ACCOUNT_LIST_CALL], new Date());
  if (!verdict.allowed) return { outcome: 'not_listed', result: rateLimited(verdict) };
  try {
    const listed = await withSession(
      em,
      consent,
      deps.bankConnector(connection.bankCode),
      deps.tokenCipher,
      (connector, session) => connector.listAccounts(session),
    );
    return { outcome: 'listed', resourceIds: new Map(listed.map((a) => [normaliseIban(a.iban), a.resourceId])) };
  } catch (error) {
    const usedUp = await usedUpAtTheBank(em, consent, ACCOUNT_LIST_CALL, error);
    if (usedUp) return { outcome: 'not_listed', result: usedUp };
    throw await consentFailure(em, connection.id, consent.id, error);
  }
}

/**
 * The activity's failure for a bank error, and for a dead consent the one that names it. The client may have linked
 * the connection again (R-A9) while this run asked the bank with the consent the new one replaced: the bank expires a
 * replaced consent at once, so its "consent expired" is about the old consent, not the connection's. Then the
 * activity is retried and runs on the new consent; taken as the end of the consent, it would mark the fresh consent
 * expired, the connection consent_invalid and pause its schedule (found by the chaos run, issue 12).
 */
async function consentFailure(
  em: EntityManager,
  connectionId: string,
  usedConsentId: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof ConsentInvalidError)) return toActivityFailure(error);
  const [current] = await em.execute<{ consent_id: string | null }[]>(
    'SELECT consent_id FROM connection WHERE id = ?',
    [connectionId],
  );
  if (current?.consent_id && current.consent_id !== usedConsentId) {
    return ApplicationFailure.retryable(
      `the consent this run used was replaced by the client's new consent while the bank was asked; retrying with it`,
      ERROR_TYPES.consentReplaced,
    );
  }
  return ApplicationFailure.create({
    message: error.message,
    type: error.type,
    nonRetryable: true,
    details: [{ consentId: usedConsentId } satisfies ConsentEndedDetails],
  });
}

/**
 * A 429 that asks us to wait longer than a retry should (the bank's own daily count, reached although ours said
 * otherwise): believe the bank for the rest of its day and say when the next run can, instead of waiting hours.
 * A short 429 is left to the retry policy.
 */
async function usedUpAtTheBank(
  em: EntityManager,
  consent: IConsent,
  call: BankCall,
  error: unknown,
): Promise<FetchResult | null> {
  if (!(error instanceof RateLimitedError) || (error.retryAfterSeconds ?? 0) <= LONGEST_RETRY_WAIT_SECONDS) return null;
  const now = new Date();
  await markCallUsedUp(em, consent, call, now);
  const nextRunAt = amsterdamIso(new Date(now.getTime() + error.retryAfterSeconds! * 1000));
  return {
    outcome: 'rate_limited',
    at: now.toISOString(),
    reason: `${failureReason(error)}; the next fetch can run at ${nextRunAt}`,
    nextRunAt,
  };
}

function rateLimited(verdict: Extract<AllowanceVerdict, { allowed: false }>): FetchResult {
  return {
    outcome: 'rate_limited',
    at: new Date().toISOString(),
    reason: verdict.reason,
    nextRunAt: verdict.nextRunAt,
  };
}

/** R-A5, R-A14: never before the switch-over day; otherwise a few days before the newest booked day we have. */
async function fetchFrom(em: EntityManager, account: IConnectedAccount): Promise<string> {
  const [row] = await em.execute<{ newest: string | null }[]>(
    `SELECT to_char(max(booking_date), 'YYYY-MM-DD') AS newest FROM bank_transaction WHERE bank_account_id = ? AND source = 'api'`,
    [account.bankAccount.id],
  );
  const fromNewest = row?.newest ? addDays(row.newest, -OVERLAP_DAYS) : account.switchOverDate;
  return fromNewest > account.switchOverDate ? fromNewest : account.switchOverDate;
}

function toIncomingEntry(transaction: BankTransaction): IncomingEntry {
  const bookingDate = transaction.bookingDate ?? transaction.valueDate ?? '';
  return {
    bookingDate,
    valueDate: transaction.valueDate ?? bookingDate,
    amountCents: transaction.amountCents,
    currency: transaction.currency,
    counterpartyIban: transaction.counterpartyIban ? normaliseIban(transaction.counterpartyIban) : null,
    counterpartyName: transaction.counterpartyName,
    description: transaction.description,
    endToEndId: transaction.endToEndId,
    bankReference: transaction.entryReference ?? transaction.transactionId,
    bankTransactionCode: transaction.bankTransactionCode,
    booked: transaction.booked && Boolean(transaction.bookingDate),
  };
}

/**
 * R-A13: the first imported transactions switch statement import on. A run the allowance refused asked the bank
 * nothing, so it changes the result staff read but not when the account was last fetched.
 */
async function record(em: EntityManager, account: IConnectedAccount, fetched: FetchResult): Promise<FetchResult> {
  // A reason may quote the bank, whose words may hold NUL, which jsonb refuses (domain/value-limits.ts).
  const result = 'reason' in fetched ? { ...fetched, reason: withoutNul(fetched.reason) } : fetched;
  const now = new Date();
  const asked = result.outcome !== 'rate_limited';
  const changes: Partial<IConnectedAccount> = { lastFetchResult: result, ...(asked ? { lastFetchAt: now } : {}) };
  if (result.outcome === 'imported' && !account.statementImportEnabled) {
    changes.statementImportEnabled = true;
    changes.firstTransactionAt = now;
  }
  await em.nativeUpdate(ConnectedAccount, { id: account.id }, changes);
  if (asked) await em.nativeUpdate(Connection, { id: account.connection.id }, { lastFetchAt: now });
  return result;
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a direct test call): nothing to report to.
  }
}

/** Stored on the account and shown to staff: a database error without its SQL and values (db/database-error.ts). */
function failureReason(error: unknown): string {
  const database = databaseError(error);
  if (database) return database.message;
  if (error instanceof RateLimitedError) {
    return `the bank limits requests (${error.code ?? 'HTTP 429'}); retrying${error.retryAfterSeconds ? ` after ${error.retryAfterSeconds} s` : ''}`;
  }
  return error instanceof Error ? error.message.slice(0, 500) : String(error);
}
