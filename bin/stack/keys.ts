import { createKeyring, type Keyring } from '../../domain/secret-keys';
import type { Config } from '../config';

/** The keyring of this process: SECRETS_KEY, and SECRETS_KEY_PREVIOUS while a rotation is under way. */
export function secretKeys(config: Pick<Config, 'secretsKey' | 'secretsKeyPrevious'>): Keyring {
  if (!config.secretsKey)
    throw new Error('SECRETS_KEY is not set: 32 random bytes in base64, e.g. `openssl rand -base64 32`');
  return createKeyring(config.secretsKey, config.secretsKeyPrevious);
}
