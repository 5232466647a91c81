import { isDigit, skipWhitespace } from './chars';

/**
 * Numbered subfields in :86:, as German banks (`?20`, `?31`) and Triodos (`>20`, `>31`) write them. The lines
 * are joined without separator first: a subfield code can itself be wrapped (`?2` + newline + `2`).
 */
export type SubfieldMarker = '?' | '>';

const SUBFIELD: Readonly<Record<SubfieldMarker, RegExp>> = { '?': /\?(\d{2})/g, '>': />(\d{2})/g };

/** `^\s*(\d{3})?\?\d{2}` for `?`. */
export function startsWithSubfields(text: string, marker: SubfieldMarker): boolean {
  // A three-digit transaction code (GV code) usually precedes the first subfield: `166?00GUTSCHRIFT`, `000>100...`.
  let at = skipWhitespace(text, 0);
  if (at + 3 <= text.length && isDigit(text.charCodeAt(at)) && isDigit(text.charCodeAt(at + 1))) {
    if (isDigit(text.charCodeAt(at + 2))) at += 3;
  }
  return (
    at + 3 <= text.length &&
    text.charCodeAt(at) === marker.charCodeAt(0) &&
    isDigit(text.charCodeAt(at + 1)) &&
    isDigit(text.charCodeAt(at + 2))
  );
}

/** Subfield number -> value; a repeated number continues its value. Text before the first subfield is dropped. */
export function readSubfields(text: string, marker: SubfieldMarker): Map<number, string> {
  const matches = [...text.matchAll(SUBFIELD[marker])];
  const fields = new Map<number, string>();
  matches.forEach((match, i) => {
    const code = Number(match[1]);
    const value = text.slice(match.index + match[0].length, matches[i + 1]?.index ?? text.length);
    fields.set(code, (fields.get(code) ?? '') + value);
  });
  return fields;
}

/** Text subfields hold 27 characters; a full one was cut by the bank, possibly inside a word. */
const SUBFIELD_WIDTH = 27;

/**
 * The values of the given subfields in number order. A full piece continues in the next without a break; a
 * shorter one ended where the bank ended it, which `breakWith` marks.
 */
export function joinSubfields(fields: ReadonlyMap<number, string>, codes: readonly number[], breakWith = ' '): string {
  const pieces = codes.flatMap((code) => fields.get(code) ?? []);
  return pieces
    .map((piece, i) => (i > 0 && pieces[i - 1].length < SUBFIELD_WIDTH ? `${breakWith}${piece}` : piece))
    .join('');
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
