import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { resealStoredSecrets } from '../../db/reseal';
import { createTokenCipher } from '../../db/token-cipher';
import type { Keyring } from '../../domain/secret-keys';

export const SECRETS_USAGE =
  '  npm run cli -- secrets reseal   (after a rotation, with SECRETS_KEY_PREVIOUS still set)';

/**
 * Step 3 of a rotation (README "Secrets and key rotation"): what is kept beyond a few days and was sealed under the
 * previous key is made again under the current one: secrets at rest, serial numbers' lookup hashes, and the
 * connections' fetch schedules, whose action input Temporal keeps as it was encrypted when the schedule was made.
 */
export async function resealSecrets(
  deps: { orm: MikroORM; temporal: Client; keys: Keyring },
  say: (line: string) => void,
): Promise<void> {
  const counts = await resealStoredSecrets(deps.orm.em.fork(), createTokenCipher(deps.keys));
  say(
    `Sealed again under key ${deps.keys.current.id}: ${counts.consentTokens} bank tokens, ` +
      `${counts.consentAttempts} consent attempt values, ${counts.serialNumbers} serial numbers.`,
  );
  let schedules = 0;
  for await (const schedule of deps.temporal.schedule.list()) {
    if (!/^connection:.+:fetch$/.test(schedule.scheduleId)) continue;
    // Read through the codec with either key, written back through it with the current one.
    await deps.temporal.schedule.getHandle(schedule.scheduleId).update((previous) => previous);
    schedules += 1;
  }
  say(`Fetch schedules written again: ${schedules}.`);
}
