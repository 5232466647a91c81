import { rm } from 'node:fs/promises';
import type { EmbeddedPostgresHandle } from '../../bin/stack/postgres';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __bkPostgres?: EmbeddedPostgresHandle; __bkWorkDir?: string };
  await state.__bkPostgres?.stop();
  if (state.__bkWorkDir) await rm(state.__bkWorkDir, { recursive: true, force: true });
}
