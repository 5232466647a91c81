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
 * in the supplementary details, SNS the name, old Rabobank files the account as customer reference.
 */
export function readInformation(lines: readonly string[], statementLine: StatementLine): EntryDetails {
  const details = readDialect(lines, statementLine.supplementaryDetails);
  if (details.counterpartyIban !== null && details.counterpartyName !== null) return details;
  const supplementary = statementLine.supplementaryDetails;
  const supplementaryAccount = supplementary === null ? null : counterpartyAccount(supplementary);
  if (details.counterpartyIban === null) {
    details.counterpartyIban =
      supplementaryAccount ??
      (statementLine.customerReference === null ? null : counterpartyAccount(statementLine.customerReference));
  }
  if (details.counterpartyName === null) {
    // ING's supplementary details are /TRCD/ codes, not a name.
    const supplementaryName =
      supplementary === null || supplementaryAccount !== null || supplementary.startsWith('/') ? null : supplementary;
    details.counterpartyName = textOrNull(supplementaryName);
  }
  return details;
}

/** Each dialect's reader returns a new object, which readInformation completes. */
function readDialect(lines: readonly string[], supplementaryDetails: string | null): EntryDetails {
  const unwrapped = lines.join('');
  if (startsWithSubfields(unwrapped, '?')) return readGermanSubfields(unwrapped);
  if (startsWithSubfields(unwrapped, '>')) return readTriodosSubfields(unwrapped);
  if (isStructured(unwrapped)) return readCodewords(unwrapped, lines);
  const body = lines.slice(1);
  const afterHeader = body.join('');
  if (isStructured(afterHeader)) {
    // SNS and ASN: a first line "account name", then the structured text on lines padded to 65 characters.
    const header = readFreeText(lines.slice(0, 1), supplementaryDetails);
    const details = readCodewords(afterHeader, body);
    return {
      ...details,
      counterpartyIban: details.counterpartyIban ?? header.counterpartyIban,
      counterpartyName: details.counterpartyName ?? header.counterpartyName,
    };
  }
  return readFreeText(lines, supplementaryDetails);
}
