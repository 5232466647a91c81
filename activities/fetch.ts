import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { BankConnector, BankSession, BankTransaction } from '../banks/connector';
import { BankError, ConsentInvalidError, RateLimitedError, TokenExpiredError } from '../banks/errors';
import { consentUsable } from '../domain/consent';
import type { FetchResult } from '../domain/connection';
import { addDays, amsterdamDate } from '../domain/fetch-schedule';
import { normaliseIban } from '../domain/iban';
import { OccurrenceCounter, prepareRows, type IncomingEntry } from '../domain/ingest';
import { ConnectedAccount, Connection, Consent, type IConnectedAccount } from '../db/entities';
import { ingestPage } from './ingest';
import { openUnattendedSession, refreshSession } from './bank-session';
import type { ActivityDeps } from '.';

export type FetchTrigger = 'schedule' | 'fetch-now' | 'onboarding';

export interface FetchPlan {
  skip: string | null;
  accounts: { connectedAccountId: string; iban: string }[];
}

export interface ConsentEndedNotice {
  organizationId: string;
  bankCode: string;
  companyName: string | null;
  accountManager: { name: string | null; email: string | null };
  staffEmail: string | null;
  consentId: string | null;
}

/** How far back a repeat fetch looks: banks book late, so the last days are asked again; dedupe keeps it exact. */
const OVERLAP_DAYS = 3;

export function createFetchActivities(deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher'>) {
  const { orm } = deps;
  return {
    /** Which accounts this run fetches, or why it fetches none (R-A12, R-A17). */
    async planFetch(input: { connectionId: string; trigger: FetchTrigger }): Promise<FetchPlan> {
      const em = orm.em.fork();
      const connection = await em.findOne(Connection, { id: input.connectionId }, { populate: ['consent'] });
      if (!connection) return { skip: 'the connection no longer exists', accounts: [] };
      if (connection.syncProfileBlocked) return { skip: 'the sync profile is blocked', accounts: [] };
      if (connection.state !== 'active') return { skip: `the connection is ${connection.state.replace(/_/g, ' ')}`, accounts: [] };
      const consent = connection.consent;
      if (!consent || !consentUsable(consent.status, consent.validUntil ?? null, amsterdamDate(new Date()))) {
        throw ApplicationFailure.nonRetryable(`the consent is ${consent?.status ?? 'missing'}`, 'ConsentInvalidError');
      }
      const accounts = await em.find(ConnectedAccount, { connection, blocked: false, importTransactions: true }, { orderBy: { iban: 'asc' } });
      return { skip: accounts.length ? null : 'no unblocked account has transaction import on', accounts: accounts.map((a) => ({ connectedAccountId: a.id, iban: a.iban })) };
    },

    /**
     * Fetches one account's booked transactions and ingests them page by page (R-A16, R-A18, R-A19). Retrying is
     * safe: ingest drops what it has already. The result is recorded on the account whatever happens, so staff
     * never read "no new data" when the bank did not answer.
     */
    async fetchAccount(input: { connectionId: string; connectedAccountId: string }): Promise<FetchResult> {
      const em = orm.em.fork();
      const account = await em.findOneOrFail(ConnectedAccount, { id: input.connectedAccountId, connection: input.connectionId }, { populate: ['connection', 'connection.consent'] });
      const at = new Date().toISOString();
      if (account.blocked || !account.importTransactions) {
        return record(em, account, { outcome: 'skipped', at, reason: account.blocked ? 'the account is blocked' : 'transaction import is off' });
      }
      try {
        const result = await fetchAndIngest(em, account, deps);
        return await record(em, account, result);
      } catch (error) {
        await record(em, account, { outcome: 'failed', at, reason: failureReason(error) });
        throw toActivityFailure(error);
      }
    },

    /** Marks the connection and its consent as no longer usable, in words staff can act on. */
    async markConsentInvalid(input: { connectionId: string; reason: string }): Promise<ConsentEndedNotice> {
      const em = orm.em.fork();
      const connection = await em.findOneOrFail(Connection, { id: input.connectionId }, { populate: ['consent', 'organization', 'clientCompany'] });
      connection.state = 'consent_invalid';
      connection.stateReason = input.reason.slice(0, 500);
      if (connection.consent && connection.consent.status === 'valid') connection.consent.status = 'expired';
      await em.flush();
      return {
        organizationId: connection.organization.id,
        bankCode: connection.bankCode,
        companyName: connection.clientCompany?.name ?? null,
        accountManager: { name: connection.accountManagerName ?? null, email: connection.accountManagerEmail ?? null },
        staffEmail: connection.organization.staffEmail ?? null,
        consentId: connection.consent?.id ?? null,
      };
    },
  };
}

async function fetchAndIngest(em: EntityManager, account: IConnectedAccount, deps: Pick<ActivityDeps, 'orm' | 'bankConnector' | 'tokenCipher'>): Promise<FetchResult> {
  const consent = account.connection.consent;
  if (!consent) throw new ConsentInvalidError('the connection has no consent', { bankCode: account.connection.bankCode });
  const connector = deps.bankConnector(account.connection.bankCode);
  let session = await openUnattendedSession(em, consent, connector, deps.tokenCipher);
  try {
    return await fetchWith(em, account, connector, session);
  } catch (error) {
    if (!(error instanceof TokenExpiredError)) throw error;
    // A token can die early (revoked at the bank); one refresh, then the whole fetch again: ingest keeps it exact.
    session = await refreshSession(em, await em.findOneOrFail(Consent, { id: consent.id }), connector, deps.tokenCipher);
    return fetchWith(em, account, connector, session);
  }
}

async function fetchWith(em: EntityManager, account: IConnectedAccount, connector: BankConnector, session: BankSession): Promise<FetchResult> {
  const bankAccounts = await connector.listAccounts(session);
  // Matched by IBAN, never by the bank's resource id, which differs per consent (R-A12).
  const resource = bankAccounts.find((candidate) => normaliseIban(candidate.iban) === account.iban);
  if (!resource) {
    throw ApplicationFailure.nonRetryable(`the consent no longer covers ${account.iban}`, 'AccountNotInConsent');
  }
  const dateFrom = await fetchFrom(em, account);
  const counter = new OccurrenceCounter();
  const target = { organizationId: account.organization.id, bankAccountId: account.bankAccount.id, source: 'api' as const };
  let imported = 0;
  let duplicates = 0;
  let pages = 0;
  const dates = new Set<string>();
  for await (const page of connector.transactions(session, resource.resourceId, { dateFrom, bookingStatus: 'booked' })) {
    const { rows } = prepareRows(page.booked.map(toIncomingEntry), { source: 'api', switchOverDate: account.switchOverDate }, counter);
    const result = await ingestPage(em.fork(), target, rows);
    imported += result.imported;
    duplicates += result.duplicates;
    result.dates.forEach((date) => dates.add(date));
    pages += 1;
    heartbeat({ pages, imported });
  }
  const at = new Date().toISOString();
  return imported > 0 ? { outcome: 'imported', at, imported, duplicates, dates: [...dates].sort() } : { outcome: 'no_new_data', at, duplicates };
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

/** R-A13: the first imported transactions switch statement import on. */
async function record(em: EntityManager, account: IConnectedAccount, result: FetchResult): Promise<FetchResult> {
  const now = new Date();
  const changes: Partial<IConnectedAccount> = { lastFetchAt: now, lastFetchResult: result };
  if (result.outcome === 'imported' && !account.statementImportEnabled) {
    changes.statementImportEnabled = true;
    changes.firstTransactionAt = now;
  }
  await em.nativeUpdate(ConnectedAccount, { id: account.id }, changes);
  await em.nativeUpdate(Connection, { id: account.connection.id }, { lastFetchAt: now });
  return result;
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a direct test call): nothing to report to.
  }
}

function failureReason(error: unknown): string {
  if (error instanceof RateLimitedError) {
    return `the bank limits requests (${error.code ?? 'HTTP 429'}); retrying${error.retryAfterSeconds ? ` after ${error.retryAfterSeconds} s` : ''}`;
  }
  return error instanceof Error ? error.message.slice(0, 500) : String(error);
}

/** A 429 waits as long as the bank asks and retries; a dead consent is not retried at all. */
function toActivityFailure(error: unknown): unknown {
  if (error instanceof RateLimitedError) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nextRetryDelay: `${Math.max(1, error.retryAfterSeconds ?? 30)} seconds` });
  }
  if (error instanceof BankError) return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: !error.retryable });
  return error;
}

