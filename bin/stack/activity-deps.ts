import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../../activities';
import { createTokenCipher } from '../../db/token-cipher';
import { createKvkClient } from '../../kvk/client';
import { linkKey } from '../../domain/activation-token';
import type { Config } from '../config';
import { bankConnectorFactory, requireSecretsKey } from './banks';
import { createMailer } from './mailer';
import { connectTemporal } from './temporal';

/** Everything activities need, built once per worker process. */
export async function buildActivityDeps(
  config: Config,
  orm: MikroORM,
  log: Logger,
): Promise<{ deps: ActivityDeps; close(): Promise<void> }> {
  const secretsKey = requireSecretsKey(config);
  const mailer = createMailer(config.smtpUrl);
  const temporal = await connectTemporal(config.temporal);
  const deps: ActivityDeps = {
    orm,
    mailer,
    mailFrom: config.mailFrom,
    log,
    bankConnector: bankConnectorFactory(config),
    tokenCipher: createTokenCipher(secretsKey),
    temporal: temporal.client,
    taskQueue: config.temporal.taskQueue,
    kvk: createKvkClient({ baseUrl: config.kvk.baseUrl, apiKey: config.kvk.apiKey }),
    publicBaseUrl: config.publicBaseUrl,
    activationLinkKey: linkKey(secretsKey),
  };
  return {
    deps,
    close: async () => {
      mailer.close();
      await temporal.connection.close();
    },
  };
}
