/** Character tests by UTF-16 code unit, for reading text by position without regular expressions or copies. */

/** What `\s` matches and `String.prototype.trim` removes: white space and line terminators. */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** `\d`: ASCII digits only. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** `[A-Z]` */
export function isCapital(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

/** Where the white space from `start` on ends, looking no further than `end`. */
export function skipWhitespace(text: string, start: number, end = text.length): number {
  let at = start;
  while (at < end && isWhitespace(text.charCodeAt(at))) at++;
  return at;
}

/** `text.trim()`, without calling it where neither end is white space (as in most values). */
export function trimmed(text: string): string {
  const length = text.length;
  if (length === 0 || isWhitespace(text.charCodeAt(0)) || isWhitespace(text.charCodeAt(length - 1))) return text.trim();
  return text;
}
