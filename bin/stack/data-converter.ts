import type { DataConverter } from '@temporalio/common';
import type { Keyring } from '../../domain/secret-keys';
import { createPayloadCodec } from './payload-codec';

/** Where the worker bundle and every client load the failure converter that encodes messages and stack traces. */
export const FAILURE_CONVERTER_PATH = require.resolve('../../workflows/failure-converter');

/**
 * The one data converter of every Temporal client and worker the product makes (API, worker, its activities'
 * client, schedules, tests): one factory, so no client writes personal data in clear or fails to read it.
 */
export function productDataConverter(keys: Keyring): DataConverter {
  return { payloadCodecs: [createPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
