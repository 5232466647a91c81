import { randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Serial numbers of the serial flavour (R-V6, R-V7, R-V9): what an accounting office notes down and the client
 * types into the wizard together with the KvK number.
 *
 * - Easy to type: 31 symbols without the look-alikes 0/O, 1/I/L; grouped `XXXX-XXXX-XXXX`; case, spaces and
 *   dashes do not matter.
 * - Hard to guess: 11 symbols from crypto.randomInt, 11 x log2(31) = 54.5 bits, and a wrong KvK number for a known
 *   serial counts towards a lock after five tries (api/client/serial-check.ts).
 * - Typos are caught before a lookup: the 12th symbol is a check symbol (weighted sum mod 31, a prime, so every
 *   single wrong symbol and every swap of two neighbours is detected).
 *
 * Stored twice (db/entities/serial-number.ts): a keyed hash (HMAC-SHA256 with a key derived from SECRETS_KEY) to
 * find it, and encrypted with the TokenCipher so staff can read it back. Never in workflow input or history.
 */
export const SERIAL_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const BASE = SERIAL_ALPHABET.length; // 31, a prime
const RANDOM_SYMBOLS = 11;
export const SERIAL_LENGTH = RANDOM_SYMBOLS + 1;
/** R-V7: five wrong tries lock it. */
export const SERIAL_MAX_FAILED_ATTEMPTS = 5;
/** The purpose under which TokenCipher.keyedHash derives the serial numbers' lookup key. */
export const SERIAL_HASH_PURPOSE = 'serial number';

function checkSymbol(symbols: string): string {
  let sum = 0;
  for (let i = 0; i < symbols.length; i += 1) sum += (i + 1) * SERIAL_ALPHABET.indexOf(symbols[i]!);
  // Find c with sum + 12 * c = 0 (mod 31); 12 is invertible mod 31.
  for (let c = 0; c < BASE; c += 1) if ((sum + SERIAL_LENGTH * c) % BASE === 0) return SERIAL_ALPHABET[c]!;
  throw new Error('unreachable');
}

/** A new serial number, normalised (12 symbols, no dashes). */
export function generateSerialNumber(): string {
  let symbols = '';
  for (let i = 0; i < RANDOM_SYMBOLS; i += 1) symbols += SERIAL_ALPHABET[randomInt(BASE)];
  return symbols + checkSymbol(symbols);
}

/** 12 symbols with room for separators and spaces; longer is refused before any pattern runs. */
const MAX_SERIAL_INPUT = 64;

/** What the user typed, without case, spaces, dashes and dots; null when it cannot be a serial number. */
export function normaliseSerialNumber(input: string): string | null {
  if (input.length > MAX_SERIAL_INPUT) return null;
  const cleaned = input.toUpperCase().replace(/[\s\-.‐‑–—_]/g, '');
  if (cleaned.length !== SERIAL_LENGTH) return null;
  for (const symbol of cleaned) if (!SERIAL_ALPHABET.includes(symbol)) return null;
  return cleaned;
}

/** Why the input is not a serial number, in words (the wizard shows it next to the field), or null. */
export function serialNumberProblem(
  input: string,
):
  | 'is empty'
  | 'must be 12 characters'
  | 'contains characters a serial number never has (0, O, 1, I, L)'
  | 'has a typing error'
  | null {
  if (input.length > MAX_SERIAL_INPUT) return 'must be 12 characters';
  const cleaned = input.toUpperCase().replace(/[\s\-.‐‑–—_]/g, '');
  if (!cleaned) return 'is empty';
  if ([...cleaned].some((symbol) => !SERIAL_ALPHABET.includes(symbol)))
    return 'contains characters a serial number never has (0, O, 1, I, L)';
  if (cleaned.length !== SERIAL_LENGTH) return 'must be 12 characters';
  return checkSymbol(cleaned.slice(0, RANDOM_SYMBOLS)) === cleaned[RANDOM_SYMBOLS] ? null : 'has a typing error';
}

/** Normalised and with a valid check symbol: worth a database lookup. */
export function parseSerialNumber(input: string): string | null {
  return serialNumberProblem(input) === null ? normaliseSerialNumber(input) : null;
}

/** `XXXX-XXXX-XXXX`, as e-mails and the staff API show it. */
export function formatSerialNumber(serial: string): string {
  const normalised = normaliseSerialNumber(serial) ?? serial;
  return normalised.match(/.{1,4}/g)!.join('-');
}

/** The peppered lookup hash of a normalised serial number (db/token-cipher.ts keyedHash, key from SECRETS_KEY). */
export function serialNumberHash(
  hasher: { keyedHash(purpose: typeof SERIAL_HASH_PURPOSE, value: string): string },
  normalised: string,
): string {
  return hasher.keyedHash(SERIAL_HASH_PURPOSE, normalised);
}

/** What a lookup tries: the hash under the current key and, during a rotation, under the previous one. */
export function serialNumberHashes(
  hasher: { keyedHashes(purpose: typeof SERIAL_HASH_PURPOSE, value: string): string[] },
  normalised: string,
): string[] {
  return hasher.keyedHashes(SERIAL_HASH_PURPOSE, normalised);
}

/** Constant-time equality of two strings (hashes, KvK numbers). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare equal lengths always, so the time does not say how long the expected value is.
  const padded = Buffer.alloc(Math.max(left.length, right.length));
  const other = Buffer.alloc(padded.length);
  left.copy(padded);
  right.copy(other);
  return timingSafeEqual(padded, other) && left.length === right.length;
}
