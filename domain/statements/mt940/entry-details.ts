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
  // Most text has single spaces only: there is nothing to collapse.
  return (hasWhitespaceToCollapse(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

/** Whether collapseWhitespace changes more than the ends of the text. */
function hasWhitespaceToCollapse(text: string): boolean {
  return COLLAPSIBLE.test(text);
}

/** Two white space characters in a row, or one that is not a space: what `\s+` -> ' ' changes. */
const COLLAPSIBLE = /\s\s|[^\S ]/;

export function textOrNull(text: string | null | undefined): string | null {
  const collapsed = collapseWhitespace(text ?? '');
  return collapsed === '' ? null : collapsed;
}

const NOT_PROVIDED = 'NOTPROVIDED';

/** SEPA writes NOTPROVIDED where the payer gave no end-to-end id. */
export function endToEndIdOrNull(text: string | null | undefined): string | null {
  return providedOrNull(textOrNull(text));
}

/** endToEndIdOrNull of a text already collapsed. */
export function providedOrNull(id: string | null): string | null {
  // Only an 11-character text upper-cases to NOTPROVIDED (upper case of ß, ﬀ, ... is longer, never shorter).
  return id === null || (id.length === NOT_PROVIDED.length && id.toUpperCase() === NOT_PROVIDED) ? null : id;
}
