import { counterpartyAccount } from './accounts';
import { isStructured, readCodewords } from './codewords';
import { skipWhitespace } from './chars';
import { textOrNull, type EntryDetails } from './entry-details';
import { readFreeText } from './free-text';
import { readGermanSubfields } from './german';
import type { InformationLines } from './information-lines';
import type { StatementLine } from './statement-line';
import { startsWithSubfields } from './subfields';
import { readTriodosSubfields } from './triodos';

/**
 * Reads an entry's :86: lines (continuation lines and repeated :86: tags, in order) in whichever dialect the
 * bank wrote them, then fills what the text did not say from the :61: line: Rabobank puts the counter-account
 * in the supplementary details, SNS the name, old Rabobank files the account as customer reference. The details
 * are written into `into`.
 */
export function readInformation(lines: InformationLines, statementLine: StatementLine, into: EntryDetails): void {
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

/** `166?00`, `000>10`, `/EREF/`: the first six characters that are not white space tell the dialect. */
const DIALECT_MARK = 6;

function readDialect(information: InformationLines, supplementaryDetails: string | null, into: EntryDetails): void {
  // The lines are joined without separator: banks wrap at 65 characters even inside a codeword or subfield code.
  // A first line long enough to hold the dialect's mark tells it without joining them.
  const { texts, starts, ends } = information;
  let unwrapped: string | null = null;
  let german: boolean;
  let triodos: boolean;
  let structured: boolean;
  if (information.count > 0 && skipWhitespace(texts[0], starts[0], ends[0]) + DIALECT_MARK <= ends[0]) {
    german = startsWithSubfields(texts[0], '?', starts[0], ends[0]);
    triodos = !german && startsWithSubfields(texts[0], '>', starts[0], ends[0]);
    structured = !german && !triodos && isStructured(texts[0], starts[0], ends[0]);
  } else {
    unwrapped = information.lines().join('');
    german = startsWithSubfields(unwrapped, '?');
    triodos = !german && startsWithSubfields(unwrapped, '>');
    structured = !german && !triodos && isStructured(unwrapped);
  }
  if (german) return assign(into, readGermanSubfields(unwrapped ?? information.lines().join('')));
  if (triodos) return assign(into, readTriodosSubfields(unwrapped ?? information.lines().join('')));
  if (structured) return readCodewords(information, into);
  const lines = information.lines();
  if (isStructured(lines.slice(1).join(''))) {
    // SNS and ASN: a first line "account name", then the structured text on lines padded to 65 characters.
    const header = readFreeText(lines.slice(0, 1), supplementaryDetails);
    readCodewords(information.from(1), into);
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
