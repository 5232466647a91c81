import { normaliseIban } from '../../domain/iban';
import type { BankSession, BankTransaction, TransactionPage, TransactionQuery } from '../connector';
import { BankRequestError } from '../errors';
import { amountCentsOf } from './amounts';
import { parseAnswer, type RawTransaction, reportSchema, type StructuredRemittance } from './schemas';
import type { Xs2aApi } from './xs2a';

/** An account's transactions, one page per answer, following the bank's `next` links. */
export async function* transactionPages(
  api: Xs2aApi,
  session: BankSession,
  resourceId: string,
  query: TransactionQuery,
): AsyncGenerator<TransactionPage> {
  let url: URL | null = api.url(`v1/accounts/${encodeURIComponent(resourceId)}/transactions`, {
    bookingStatus: query.bookingStatus,
    dateFrom: query.dateFrom,
  });
  const seen = new Set<string>();
  while (url) {
    seen.add(url.href);
    const answer = await api.call('GET', url, { session });
    const report = parseAnswer(api.bankCode, reportSchema, answer.json, 'transactions');
    yield {
      booked: (report.transactions.booked ?? []).map((t) => toTransaction(api.bankCode, t, true)),
      pending: (report.transactions.pending ?? []).map((t) => toTransaction(api.bankCode, t, false)),
    };
    const next = report.transactions._links?.next?.href ?? report._links?.next?.href;
    url = next ? followLink(api.bankCode, api.base, next) : null;
    // A bank that links back would have us fetch, and count against the consent's allowance, forever.
    if (url && seen.has(url.href))
      throw new BankRequestError('the bank links to a transactions page it already sent', { bankCode: api.bankCode });
  }
}

/**
 * Berlin Group writes links as paths from the API root (`/v1/accounts/...`). Where a bank serves its API below a
 * path, such a link is taken below that path too. A link to another origin is refused: it would get our token.
 */
function followLink(bankCode: string, base: URL, link: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const belowRoot = link.startsWith('/') && !link.startsWith('//') && prefix !== '' && !link.startsWith(`${prefix}/`);
  const url = new URL(belowRoot ? `${prefix}${link}` : link, base);
  if (url.origin !== base.origin) {
    throw new BankRequestError(
      `the bank links to a page on ${url.origin}; the access token is only sent to ${base.origin}`,
      { bankCode },
    );
  }
  return url;
}

function toTransaction(bankCode: string, raw: RawTransaction, booked: boolean): BankTransaction {
  const amountCents = amountCentsOf(bankCode, raw.transactionAmount.amount);
  // Money in comes from the debtor, money out goes to the creditor; the other side is the account holder itself.
  const incoming = amountCents >= 0;
  const counterpartyAccount = incoming ? raw.debtorAccount : raw.creditorAccount;
  return {
    transactionId: raw.transactionId ?? null,
    entryReference: raw.entryReference ?? null,
    bookingDate: raw.bookingDate ?? null,
    valueDate: raw.valueDate ?? null,
    amountCents,
    currency: raw.transactionAmount.currency,
    counterpartyIban: counterpartyAccount?.iban ? normaliseIban(counterpartyAccount.iban) : null,
    counterpartyName: (incoming ? raw.debtorName : raw.creditorName) ?? null,
    description: descriptionOf(raw),
    endToEndId: raw.endToEndId ?? null,
    bankTransactionCode: raw.bankTransactionCode ?? raw.proprietaryBankTransactionCode ?? null,
    booked,
  };
}

/** Banks fill different remittance fields for the same thing; the first one with text is the description. */
function descriptionOf(raw: RawTransaction): string {
  const reference = (r: StructuredRemittance): string => (typeof r === 'string' ? r : r.reference);
  const candidates = [
    raw.remittanceInformationUnstructured,
    raw.remittanceInformationUnstructuredArray?.join(' '),
    raw.remittanceInformationStructured ? reference(raw.remittanceInformationStructured) : null,
    raw.remittanceInformationStructuredArray?.map(reference).join(' '),
  ];
  return candidates.map((c) => c?.trim()).find((c) => c) ?? '';
}
