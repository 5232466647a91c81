import type { EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { serialNumberHash } from '../domain/serial-number';
import {
  Consent,
  ConsentAttempt,
  SerialNumber,
  type IConsent,
  type IConsentAttempt,
  type ISerialNumber,
} from './entities';
import type { TokenCipher } from './token-cipher';

/**
 * After a rotation of SECRETS_KEY (README "Secrets and key rotation"): every secret at rest sealed under an older
 * key (or as `v1` under the raw key) is sealed again under the current one, and the serial numbers' lookup hashes
 * are made again from the serial numbers themselves, so SECRETS_KEY_PREVIOUS can go. Each write is conditional on
 * the value it read, so a bank token refreshed meanwhile is never overwritten with the older one. Safe to rerun.
 */
export interface ResealCounts {
  consentTokens: number;
  consentAttempts: number;
  serialNumbers: number;
}

const PAGE = 500;

export async function resealStoredSecrets(em: EntityManager, cipher: TokenCipher): Promise<ResealCounts> {
  const counts: ResealCounts = { consentTokens: 0, consentAttempts: 0, serialNumbers: 0 };
  const fresh = (sealed: string | null) => sealed === null || cipher.sealedWithCurrentKey(sealed);
  const again = (sealed: string | null) => (sealed === null ? null : cipher.encrypt(cipher.decrypt(sealed)));

  await eachPage<IConsent>(em, Consent, async (consent) => {
    for (const field of ['accessTokenEncrypted', 'refreshTokenEncrypted'] as const) {
      const sealed = consent[field] ?? null;
      if (fresh(sealed)) continue;
      counts.consentTokens += await em.nativeUpdate(
        Consent,
        { id: consent.id, [field]: sealed },
        { [field]: again(sealed) },
      );
    }
  });
  await eachPage<IConsentAttempt>(em, ConsentAttempt, async (attempt) => {
    for (const field of ['stateEncrypted', 'codeVerifierEncrypted', 'codeEncrypted'] as const) {
      const sealed = attempt[field] ?? null;
      if (fresh(sealed)) continue;
      counts.consentAttempts += await em.nativeUpdate(
        ConsentAttempt,
        { id: attempt.id, [field]: sealed },
        { [field]: again(sealed) },
      );
    }
  });
  await eachPage<ISerialNumber>(em, SerialNumber, async (row) => {
    if (fresh(row.numberEncrypted)) return;
    const serial = cipher.decrypt(row.numberEncrypted);
    counts.serialNumbers += await em.nativeUpdate(
      SerialNumber,
      { id: row.id, numberEncrypted: row.numberEncrypted },
      { numberEncrypted: cipher.encrypt(serial), numberHash: serialNumberHash(cipher, serial) },
    );
  });
  return counts;
}

/** By id in pages, each page read afresh, so a table of any size fits in memory. */
async function eachPage<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  visit: (row: T) => Promise<void>,
): Promise<void> {
  // Ids are UUIDs: the smallest one starts the walk.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = (await em.fork().find(entity, { id: { $gt: after } } as unknown as FilterQuery<T>, {
      orderBy: { id: 'asc' } as QueryOrderMap<T>,
      limit: PAGE,
    })) as T[];
    for (const row of rows) await visit(row);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}
