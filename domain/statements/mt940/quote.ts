/** Longest piece of input echoed in an error message; a garbled file can hold a line of megabytes. */
const MAX_QUOTED = 60;

/** Input as an error message shows it: trimmed, in quotes, cut short. */
export function quoted(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > MAX_QUOTED ? `${trimmed.slice(0, MAX_QUOTED)}...` : trimmed);
}
