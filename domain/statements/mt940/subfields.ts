import { isDigit, skipWhitespace } from './chars';

/**
 * Numbered subfields in :86:, as German banks (`?20`, `?31`) and Triodos (`>20`, `>31`) write them. The lines
 * are joined without separator first: a subfield code can itself be wrapped (`?2` + newline + `2`).
 */
export type SubfieldMarker = '?' | '>';

/** `^\s*(\d{3})?\?\d{2}` for `?`, in `text` from `start` to `end`. */
export function startsWithSubfields(text: string, marker: SubfieldMarker, start = 0, end = text.length): boolean {
  // A three-digit transaction code (GV code) usually precedes the first subfield: `166?00GUTSCHRIFT`, `000>100...`.
  let at = skipWhitespace(text, start, end);
  if (at + 3 <= end && isDigit(text.charCodeAt(at)) && isDigit(text.charCodeAt(at + 1))) {
    if (isDigit(text.charCodeAt(at + 2))) at += 3;
  }
  return (
    at + 3 <= end &&
    text.charCodeAt(at) === marker.charCodeAt(0) &&
    isDigit(text.charCodeAt(at + 1)) &&
    isDigit(text.charCodeAt(at + 2))
  );
}

/**
 * Subfield number -> value; a repeated number continues its value. Text before the first subfield is dropped.
 * Subfields are the marker and two digits (`\?(\d{2})`), found left to right without overlapping.
 */
export function readSubfields(text: string, marker: SubfieldMarker): Map<number, string> {
  const fields = new Map<number, string>();
  let code = -1;
  let valueStart = 0;
  let at = text.indexOf(marker);
  while (at >= 0) {
    if (at + 2 < text.length && isDigit(text.charCodeAt(at + 1)) && isDigit(text.charCodeAt(at + 2))) {
      if (code >= 0) fields.set(code, (fields.get(code) ?? '') + text.slice(valueStart, at));
      code = (text.charCodeAt(at + 1) - ZERO) * 10 + (text.charCodeAt(at + 2) - ZERO);
      valueStart = at + 3;
      at = text.indexOf(marker, valueStart);
    } else {
      at = text.indexOf(marker, at + 1);
    }
  }
  if (code >= 0) fields.set(code, (fields.get(code) ?? '') + text.slice(valueStart));
  return fields;
}

const ZERO = 0x30;

/** Text subfields hold 27 characters; a full one was cut by the bank, possibly inside a word. */
const SUBFIELD_WIDTH = 27;

/**
 * The values of the given subfields in number order. A full piece continues in the next without a break; a
 * shorter one ended where the bank ended it, which `breakWith` marks.
 */
export function joinSubfields(fields: ReadonlyMap<number, string>, codes: readonly number[], breakWith = ' '): string {
  let joined = '';
  let previous: string | undefined;
  for (const code of codes) {
    const piece = fields.get(code);
    if (piece === undefined) continue;
    joined += previous !== undefined && previous.length < SUBFIELD_WIDTH ? `${breakWith}${piece}` : piece;
    previous = piece;
  }
  return joined;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
