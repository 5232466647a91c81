import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../../activities';
import { bankEndpointsFromEnv, createConnectorFor, type BankCode, type BankEndpointsConfig } from '../../banks/registry';
import { createTokenCipher } from '../../db/token-cipher';
import type { Config } from '../config';
import { createMailer } from './mailer';
import { connectTemporal } from './temporal';

/**
 * Everything activities need, built once per worker process. Banks come from BANK_<CODE>_URL when any is set
 * (production); otherwise all three banks are the sandbox bank.
 */
export async function buildActivityDeps(config: Config, orm: MikroORM, log: Logger): Promise<{ deps: ActivityDeps; close(): Promise<void> }> {
  if (!config.secretsKey) throw new Error('SECRETS_KEY is not set: 32 random bytes in base64, e.g. `openssl rand -base64 32`');
  const endpoints = bankEndpointsFromEnv();
  const banks: BankEndpointsConfig = Object.keys(endpoints).length ? { endpoints } : { sandboxBankUrl: config.sandboxBankUrl };
  const mailer = createMailer(config.smtpUrl);
  const temporal = await connectTemporal(config.temporal);
  const deps: ActivityDeps = {
    orm,
    mailer,
    mailFrom: config.mailFrom,
    log,
    bankConnector: (bankCode) => createConnectorFor(bankCode as BankCode, banks),
    tokenCipher: createTokenCipher(config.secretsKey),
    temporal: temporal.client,
    taskQueue: config.temporal.taskQueue,
  };
  return {
    deps,
    close: async () => {
      mailer.close();
      await temporal.connection.close();
    },
  };
}
