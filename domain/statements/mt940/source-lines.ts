/**
 * The physical lines of an MT940 file, classified. Files come with CRLF or LF, with or without SWIFT block
 * wrappers (`{1:...}{2:...}{4:` ... `-}`), with bank header lines (`ABNANL2A`, `940 00`, `:940:`) and trailing
 * blank lines; which of those matter is decided by the reader of the message structure.
 */
export type SourceLine =
  | { kind: 'tag'; tag: string; value: string; line: number }
  | { kind: 'text'; text: string; line: number }
  | { kind: 'trailer'; text: string; line: number };

/** Digits with an optional option letter; anything tag-shaped counts, so a garbled tag is not taken for text. */
const TAG = /^:(\d[0-9A-Za-z]{1,2}):(.*)$/;
/** End of a message: `-`, `-}` (optionally followed by the trailer block) or ING's `-XXX`. */
const TRAILER = /^-(?:\}.*|XXX)?$/;
/** Basic, application and user header blocks before the text block: `{1:F01INGBNL2ABXXX0000000000}{2:I940...N}{4:`. */
const BLOCK_HEADER = /^(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:/;

export function* sourceLines(text: string): Generator<SourceLine> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.startsWith('{') ? raw.replace(BLOCK_HEADER, '') : raw;
    if (content === '') continue;
    const tag = TAG.exec(content);
    if (tag) yield { kind: 'tag', tag: tag[1], value: tag[2], line };
    else if (TRAILER.test(content.trimEnd())) yield { kind: 'trailer', text: content, line };
    else yield { kind: 'text', text: content, line };
  }
}
