import { counterpartyAccount } from './accounts';
import { isStructured, readCodewords } from './codewords';
import { textOrNull, type EntryDetails } from './entry-details';
import { readFreeText } from './free-text';
import { readGermanSubfields } from './german';
import type { StatementLine } from './statement-line';
import { startsWithSubfields } from './subfields';
import { readTriodosSubfields } from './triodos';

/**
 * Reads an entry's :86: lines (continuation lines and repeated :86: tags, in order) in whichever dialect the
 * bank wrote them, then fills what the text did not say from the :61: line: Rabobank puts the counter-account
 * in the supplementary details, SNS the name, old Rabobank files the account as customer reference. The details
 * are written into `into`.
 */
export function readInformation(lines: readonly string[], statementLine: StatementLine, into: EntryDetails): void {
  readDialect(lines, statementLine.supplementaryDetails, into);
  if (into.counterpartyIban !== null && into.counterpartyName !== null) return;
  const supplementary = statementLine.supplementaryDetails;
  const supplementaryAccount = supplementary === null ? null : counterpartyAccount(supplementary);
  if (into.counterpartyIban === null) {
    into.counterpartyIban =
      supplementaryAccount ??
      (statementLine.customerReference === null ? null : counterpartyAccount(statementLine.customerReference));
  }
  if (into.counterpartyName === null) {
    // ING's supplementary details are /TRCD/ codes, not a name.
    const supplementaryName =
      supplementary === null || supplementaryAccount !== null || supplementary.startsWith('/') ? null : supplementary;
    into.counterpartyName = textOrNull(supplementaryName);
  }
}

function readDialect(lines: readonly string[], supplementaryDetails: string | null, into: EntryDetails): void {
  const unwrapped = lines.join('');
  if (startsWithSubfields(unwrapped, '?')) return assign(into, readGermanSubfields(unwrapped));
  if (startsWithSubfields(unwrapped, '>')) return assign(into, readTriodosSubfields(unwrapped));
  if (isStructured(unwrapped)) return readCodewords(unwrapped, lines, into);
  const body = lines.slice(1);
  const afterHeader = body.join('');
  if (isStructured(afterHeader)) {
    // SNS and ASN: a first line "account name", then the structured text on lines padded to 65 characters.
    const header = readFreeText(lines.slice(0, 1), supplementaryDetails);
    readCodewords(afterHeader, body, into);
    into.counterpartyIban ??= header.counterpartyIban;
    into.counterpartyName ??= header.counterpartyName;
    return;
  }
  assign(into, readFreeText(lines, supplementaryDetails));
}

function assign(into: EntryDetails, details: EntryDetails): void {
  into.counterpartyIban = details.counterpartyIban;
  into.counterpartyName = details.counterpartyName;
  into.description = details.description;
  into.endToEndId = details.endToEndId;
}
