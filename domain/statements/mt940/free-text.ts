import { asIban, counterpartyAccount } from './accounts';
import { collapseWhitespace, endToEndIdOrNull, textOrNull, type EntryDetails } from './entry-details';

/**
 * Unstructured :86: text: ABN AMRO's column layout (`BEA   NR:XXX1234   21.05.11/12.54 ...`), the old ING and
 * SNS/ASN forms that start with the counter-account (`0987654321 marechal s`), and the labelled forms of Knab
 * (`REK: NL65INGB0123456789/NAAM: PICQER`) and ABN AMRO's early SEPA text (`IBAN: ... NAAM: ... OMSCHRIJVING:`).
 */

/** SWIFT lines carry at most 65 characters. A full line was cut by the bank, possibly inside a word. */
const SWIFT_LINE_WIDTH = 65;

const LABEL = /(?:^|[\s/])(IBAN|BIC|NAAM|OMSCHRIJVING|KENMERK|MACHTIGING|INCASSANT|REK):\s*/g;
const COUNTERPARTY_LABELS = new Set(['IBAN', 'REK', 'NAAM']);

/**
 * `supplementaryDetails` of the :61: line is how SNS and ASN tell the counterparty's name, which they repeat
 * after the account at the start of the text; it lets the name be cut off the description.
 */
export function readFreeText(lines: readonly string[], supplementaryDetails: string | null): EntryDetails {
  // The labelled forms are laid out in columns that fill lines to the brim without cutting words.
  return (
    readLabelled(collapseWhitespace(lines.join(' '))) ??
    readLeadingAccount(collapseWhitespace(joinWrappedLines(lines)), supplementaryDetails)
  );
}

/** A full line continues on the next without a break; a shorter line ended where the bank ended it. */
function joinWrappedLines(lines: readonly string[]): string {
  return lines.map((line, i) => (i > 0 && lines[i - 1].length < SWIFT_LINE_WIDTH ? ` ${line}` : line)).join('');
}

function readLabelled(text: string): EntryDetails | null {
  const matches: RegExpExecArray[] = [];
  LABEL.lastIndex = 0;
  for (let match = LABEL.exec(text); match !== null; match = LABEL.exec(text)) matches.push(match);
  if (!matches.some((match) => COUNTERPARTY_LABELS.has(match[1]))) return null;
  const values = new Map(
    matches.map((match, i) => [
      match[1],
      text
        .slice(match.index + match[0].length, matches[i + 1]?.index ?? text.length)
        .replace(/\/+$/, '')
        .trim(),
    ]),
  );
  const account = textOrNull(values.get('IBAN') ?? values.get('REK'));
  return {
    counterpartyIban: account === null ? null : (asIban(account) ?? account),
    counterpartyName: textOrNull(values.get('NAAM')),
    description: values.get('OMSCHRIJVING') ?? text.slice(0, matches[0].index).trim(),
    endToEndId: endToEndIdOrNull(values.get('KENMERK')),
  };
}

function readLeadingAccount(text: string, supplementaryDetails: string | null): EntryDetails {
  const [token = '', ...words] = text.split(' ');
  const account = counterpartyAccount(token);
  if (account === null) return { counterpartyIban: null, counterpartyName: null, description: text, endToEndId: null };
  const rest = words.join(' ');
  const name = textOrNull(supplementaryDetails);
  const namedFirst = name !== null && (rest === name || rest.startsWith(`${name} `));
  return {
    counterpartyIban: account,
    counterpartyName: namedFirst ? name : null,
    description: namedFirst ? rest.slice(name.length).trim() : rest,
    endToEndId: null,
  };
}
