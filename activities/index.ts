import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { BankConnector } from '../banks/connector';
import type { TokenCipher } from '../db/token-cipher';
import { createAccountCheckActivities } from './account-check';
import { sayingDatabaseErrors } from './database-failure';
import { createEmailActivities } from './email';
import { createFetchActivities } from './fetch';
import { createScheduleActivities } from './schedules';
import { createOnboardingActivities } from './onboarding';
import { createUndoConnectionActivities } from './undo-connection';
import type { KvkClient } from '../kvk/client';

/** Everything activities may touch, handed in by the worker (bin/worker.ts) or a test. */
export interface ActivityDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  log: Logger;
  /** The connector for a bank code (INGB, RABO, ABNA): the sandbox bank in development, real banks in production. */
  bankConnector: (bankCode: string) => BankConnector;
  tokenCipher: TokenCipher;
  /** For managing Schedules; workflows themselves never hold a client. */
  temporal: Client;
  taskQueue: string;
  kvk: KvkClient;
  /** Builds links in e-mails; never taken from a request's Host header. */
  publicBaseUrl: string;
  /** Derive activation link tokens (domain/activation-token.ts): the current key first, then the previous one. */
  activationLinkKeys: readonly Buffer[];
}

/** Every activity says its database errors without SQL or values (database-failure.ts): histories hold failures. */
export function createActivities(deps: ActivityDeps) {
  return sayingDatabaseErrors({
    ...createAccountCheckActivities(deps),
    ...createEmailActivities(deps),
    ...createFetchActivities(deps),
    ...createScheduleActivities(deps),
    ...createOnboardingActivities(deps),
    ...createUndoConnectionActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
