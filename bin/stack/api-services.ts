import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createKvkClient } from '../../kvk/client';
import type { ApiServices } from '../../api/services';
import { createTokenCipher } from '../../db/token-cipher';
import type { Config } from '../config';
import { bankConnectorFactory } from './banks';
import { secretKeys } from './keys';

export function buildApiServices(config: Config, orm: MikroORM, temporal: Client): ApiServices {
  const keys = secretKeys(config);
  return {
    orm,
    temporal,
    taskQueue: config.temporal.taskQueue,
    temporalUiUrl: config.temporal.uiUrl,
    namespace: config.temporal.namespace,
    tokenCipher: createTokenCipher(keys),
    cookieCipher: createTokenCipher(keys, 'cookies'),
    bankConnector: bankConnectorFactory(config),
    publicBaseUrl: config.publicBaseUrl,
    kvk: createKvkClient({ baseUrl: config.kvk.baseUrl, apiKey: config.kvk.apiKey }),
  };
}
