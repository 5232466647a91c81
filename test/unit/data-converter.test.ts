import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
} from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { productDataConverter } from '../../bin/stack/data-converter';
import { createKeyring } from '../../domain/secret-keys';

/**
 * Issue 12: failure messages and stack traces name IBANs and KvK numbers as often as payloads do. The product's
 * data converter moves them into the encoded attributes, which the payload codec encrypts; its own client reads
 * them back.
 */
const keys = createKeyring(randomBytes(32).toString('base64'));
const MESSAGE = 'account NL69INGB0123456789 of KvK 68750110 is not connectable';

test('a failure leaves with neither its message nor its stack in clear, and the product reads both back', async () => {
  const converter = loadDataConverter(productDataConverter(keys));
  const failure = await encodeErrorToFailure(converter, ApplicationFailure.nonRetryable(MESSAGE, 'NotConnectable'));
  const wire = JSON.stringify(failure, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
  expect(wire).not.toContain('NL69INGB0123456789');
  expect(wire).not.toContain('68750110');
  expect(failure.message).toBe('Encoded failure');
  expect(Buffer.from(failure.encodedAttributes!.metadata!.encoding!).toString()).toBe('binary/encrypted');
  const error = await decodeOptionalFailureToOptionalError(converter, failure);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).message).toBe(MESSAGE);
  expect((error as ApplicationFailure).type).toBe('NotConnectable');
});
