import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { createAccountCheckActivities } from './account-check';

/** Everything activities may touch, handed in by the worker (bin/worker.ts) or a test. */
export interface ActivityDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createAccountCheckActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
