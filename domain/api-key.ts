import { createHash, randomBytes } from 'node:crypto';
import { addDays, amsterdamMidnight } from './amsterdam-time';

/** admin manages keys and settings; staff run onboardings and day-to-day work; support only reads. */
export const API_KEY_ROLES = ['admin', 'staff', 'support'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

const KEY_PATTERN = /^bk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface MintedApiKey {
  /** The full key, shown once to the person who created it. */
  key: string;
  /** Stored and shown in lists, so a key can be recognised without revealing it. */
  prefix: string;
  /** SHA-256 of the whole key: 256 random bits need no slow hash, and a lookup by hash is one index probe. */
  secretHash: string;
}

export function mintApiKey(): MintedApiKey {
  const prefix = randomBytes(5).toString('hex').slice(0, 8);
  const key = `bk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeApiKey(candidate: string): boolean {
  return KEY_PATTERN.test(candidate);
}

/** What each role may do; routes declare the permission they need. */
export type Permission = 'read' | 'write' | 'admin';

export function roleAllows(role: ApiKeyRole, permission: Permission): boolean {
  if (permission === 'read') return true;
  if (permission === 'write') return role === 'admin' || role === 'staff';
  return role === 'admin';
}

/** A revoked key stays revoked; an expired one is only shown as such, its row is not changed when the time passes. */
export type ApiKeyState = 'active' | 'expired' | 'revoked';

export function apiKeyState(key: { revokedAt?: Date | null; expiresAt?: Date | null }, now: Date): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** An expiry given as a date (YYYY-MM-DD) means the key works through that whole day in the office's time. */
export function expiryOfDate(date: string): Date {
  return amsterdamMidnight(addDays(date, 1));
}
