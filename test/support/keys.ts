import { randomBytes } from 'node:crypto';
import { productDataConverter } from '../../bin/stack/data-converter';
import { createKeyring } from '../../domain/secret-keys';

/**
 * One SECRETS_KEY per test file, shared by its activities, its API and its Temporal clients and workers, so tests
 * run the product's payload codec and failure converter exactly as production does.
 */
export const testKeys = createKeyring(randomBytes(32).toString('base64'));
export const testDataConverter = productDataConverter(testKeys);
