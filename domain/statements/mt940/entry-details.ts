/** What an entry's :86: information (with help from its :61: line) says about the payment. */
export interface EntryDetails {
  /** An IBAN where the bank gives one, else the domestic account number as the bank wrote it. */
  counterpartyIban: string | null;
  counterpartyName: string | null;
  /** The remittance information, whitespace collapsed. */
  description: string;
  endToEndId: string | null;
}

/** Banks pad, wrap and column-align text; none of those spaces carry meaning. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function textOrNull(text: string | null | undefined): string | null {
  const collapsed = collapseWhitespace(text ?? '');
  return collapsed === '' ? null : collapsed;
}

/** SEPA writes NOTPROVIDED where the payer gave no end-to-end id. */
export function endToEndIdOrNull(text: string | null | undefined): string | null {
  const id = textOrNull(text);
  return id === null || id.toUpperCase() === 'NOTPROVIDED' ? null : id;
}
