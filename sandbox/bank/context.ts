import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { amsterdamDate } from './calendar';
import type { ConsentStore } from './consents';
import type { Ledgers } from './ledger';
import type { OAuthStore } from './oauth';

/** The state one sandbox server shares between its banks, its pages and its admin API. In memory only. */
export interface SandboxSettings {
  /** Transactions per page before `_links.next` appears. */
  pageSize: number;
  /** Added before every API answer, to let tests see slow banks. */
  latencyMs: number;
  accessTokenTtlSeconds: number;
  /** The most unattended accesses a day a consent may grant; a TPP asking for more gets this many. */
  maxFrequencyPerDay: number;
}

export interface InjectedFault {
  status: 429 | 500;
  remaining: number;
  retryAfterSeconds: number;
}

export interface SandboxContext {
  publicUrl: string;
  now: () => Date;
  settings: SandboxSettings;
  faults: InjectedFault[];
  ledgers: Ledgers;
  consents: ConsentStore;
  oauth: OAuthStore;
  /** Signs page flow fields and page tokens; a new one per process, so old ones die with a restart. */
  secret: Buffer;
}

export function newSecret(): Buffer {
  return randomBytes(32);
}

export function today(ctx: Pick<SandboxContext, 'now'>): string {
  return amsterdamDate(ctx.now());
}

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function verifySignature(secret: Buffer, payload: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** `payload.signature` with a base64url JSON payload: tamper-evident state a client carries for us. */
export function sealJson(secret: Buffer, value: unknown): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function openJson(secret: Buffer, sealed: string): unknown {
  const [payload, signature, extra] = sealed.split('.');
  if (!payload || !signature || extra !== undefined || !verifySignature(secret, payload, signature)) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Absolute links, so a client can follow `_links` without knowing how the sandbox mounts its banks. */
export function bankUrl(ctx: Pick<SandboxContext, 'publicUrl'>, bank: string, path: string): string {
  return `${ctx.publicUrl}/${bank}${path}`;
}
