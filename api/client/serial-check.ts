import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import {
  constantTimeEqual,
  parseSerialNumber,
  SERIAL_MAX_FAILED_ATTEMPTS,
  serialNumberHashes,
} from '../../domain/serial-number';
import { SerialNumber } from '../../db/entities';
import type { TokenCipher } from '../../db/token-cipher';
import { onboardingWorkflowId, serialLockedSignal } from '../../workflows/onboarding/contract';

export type SerialCheck =
  | { ok: true; serialNumberId: string; onboardingId: string; organizationId: string }
  | {
      ok: false;
      reason: 'unknown' | 'kvk_mismatch' | 'locked' | 'expired' | 'used';
      /** Known serial numbers only: which one, so the caller can tell the workflow it locked. */
      serialNumberId?: string;
      onboardingId?: string;
      /** kvk_mismatch: wrong tries left before the lock (0: this try locked it); a number tried before counts once. */
      attemptsLeft?: number;
      /** This very try locked it (R-V7): tell the workflow (reportSerialLocked). */
      lockedNow?: boolean;
    };

/**
 * The wizard's check of serial number and KvK number (R-V6, R-V7, R-V9; DESIGN.md "Client pages"): a serial number
 * is accepted only together with the KvK number of its onboarding. Five wrong KvK numbers for a known serial
 * number lock it; staff then resend a new one. No activity: the page answers at once.
 *
 * Typos never reach the database (the check symbol); the lookup is by the keyed hash; the KvK number is compared
 * in constant time; the wrong try is counted by one atomic UPDATE ... RETURNING, so parallel tries cannot pass
 * the limit. A wrong number is counted once: sending the same one again (a double click, a resubmitted form) tells
 * nothing new to someone guessing, so it must not bring the lock closer for a client who only pressed twice.
 */
export async function verifySerial(
  em: EntityManager,
  cipher: Pick<TokenCipher, 'keyedHashes'>,
  input: { serial: string; kvkNumber: string },
  now = new Date(),
): Promise<SerialCheck> {
  const normalised = parseSerialNumber(input.serial);
  if (!normalised) return { ok: false, reason: 'unknown' };
  const row = await em
    .fork()
    .findOne(
      SerialNumber,
      { numberHash: { $in: serialNumberHashes(cipher, normalised) } },
      { populate: ['onboarding'] },
    );
  if (!row) return { ok: false, reason: 'unknown' };
  const known = { serialNumberId: row.id, onboardingId: row.onboarding.id };
  if (row.lockedAt) return { ok: false, reason: 'locked', ...known };
  if (row.usedAt) return { ok: false, reason: 'used', ...known };
  // Revoked: replaced by a newer one, or its onboarding was cancelled or expired; either way it no longer works.
  if (row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', ...known };
  const kvkNumber = input.kvkNumber.replace(/\s/g, '');
  if (constantTimeEqual(kvkNumber, row.onboarding.kvkNumber)) {
    return { ok: true, ...known, organizationId: row.organization.id };
  }
  // Counted under the current key; a number counted under the previous key (before a rotation) still counts once.
  const [wrongHash, earlierHash = wrongHash] = cipher.keyedHashes('serial-wrong-kvk', `${row.id}\n${kvkNumber}`);
  type Counted = { failed_attempts: number; locked_at: Date | null }[];
  const counted = await em.getConnection().execute<Counted>(
    em.getKnex().raw(
      `UPDATE serial_number
        SET failed_attempts = failed_attempts + 1,
            wrong_kvk_hashes = array_append(wrong_kvk_hashes, :wrongHash),
            locked_at = CASE WHEN failed_attempts + 1 >= :maxAttempts THEN now() ELSE NULL END
      WHERE id = :id AND locked_at IS NULL
        AND NOT (:wrongHash = ANY(wrong_kvk_hashes) OR :earlierHash = ANY(wrong_kvk_hashes))
      RETURNING failed_attempts, locked_at`,
      { wrongHash, earlierHash, maxAttempts: SERIAL_MAX_FAILED_ATTEMPTS, id: row.id },
    ),
  );
  const after = counted[0];
  if (after) {
    const attemptsLeft = Math.max(0, SERIAL_MAX_FAILED_ATTEMPTS - after.failed_attempts);
    return { ok: false, reason: 'kvk_mismatch', ...known, attemptsLeft, lockedNow: after.locked_at !== null };
  }
  // Not counted: locked by a parallel wrong try since our read, or this very number was counted before.
  const current = await em.fork().findOneOrFail(SerialNumber, { id: row.id });
  if (current.lockedAt) return { ok: false, reason: 'locked', ...known };
  const attemptsLeft = Math.max(0, SERIAL_MAX_FAILED_ATTEMPTS - current.failedAttempts);
  return { ok: false, reason: 'kvk_mismatch', ...known, attemptsLeft, lockedNow: false };
}

/** Tells the onboarding workflow a serial number locked, so its claim validator refuses it (R-V7). */
export async function reportSerialLocked(temporal: Client, check: SerialCheck): Promise<void> {
  if (check.ok || !check.lockedNow || !check.onboardingId || !check.serialNumberId) return;
  await temporal.workflow
    .getHandle(onboardingWorkflowId(check.onboardingId))
    .signal(serialLockedSignal, { serialNumberId: check.serialNumberId })
    .catch((error: unknown) => {
      // A finished onboarding needs no telling: the serial number no longer works anyway.
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    });
}
