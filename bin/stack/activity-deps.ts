import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../../activities';
import { createTokenCipher } from '../../db/token-cipher';
import { createKvkClient } from '../../kvk/client';
import type { Config } from '../config';
import { bankConnectorFactory } from './banks';
import { productDataConverter } from './data-converter';
import { secretKeys } from './keys';
import { createMailer } from './mailer';
import { connectTemporal } from './temporal';

/** Everything activities need, built once per worker process. */
export async function buildActivityDeps(
  config: Config,
  orm: MikroORM,
  log: Logger,
): Promise<{ deps: ActivityDeps; close(): Promise<void> }> {
  const keys = secretKeys(config);
  const mailer = createMailer(config.smtpUrl);
  const temporal = await connectTemporal(config.temporal, productDataConverter(keys));
  const deps: ActivityDeps = {
    orm,
    mailer,
    mailFrom: config.mailFrom,
    log,
    bankConnector: bankConnectorFactory(config),
    tokenCipher: createTokenCipher(keys),
    temporal: temporal.client,
    taskQueue: config.temporal.taskQueue,
    kvk: createKvkClient({ baseUrl: config.kvk.baseUrl, apiKey: config.kvk.apiKey }),
    publicBaseUrl: config.publicBaseUrl,
    activationLinkKeys: keys.derived('activation link').map(({ key }) => key),
  };
  return {
    deps,
    close: async () => {
      mailer.close();
      await temporal.connection.close();
    },
  };
}
