import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createPayloadCodec } from '../../bin/stack/payload-codec';
import { createKeyring } from '../../domain/secret-keys';

/** Issue 12: personal data sat readable in workflow histories; every payload now leaves encrypted (AES-256-GCM). */
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const input = defaultPayloadConverter.toPayload({ iban: 'NL69INGB0123456789', email: 'eigenaar@donald.test' })!;

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

test('a payload is encrypted with a fresh nonce, named binary/encrypted with the key id, and decodes to itself', async () => {
  const keys = createKeyring(NEW);
  const codec = createPayloadCodec(keys);
  const [one, two] = await codec.encode([input, input]);
  expect(text(one!.metadata!.encoding)).toBe('binary/encrypted');
  expect(text(one!.metadata!['encryption-key-id'])).toBe(keys.current.id);
  expect(Object.keys(one!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
  expect(text(one!.data)).not.toContain('NL69INGB');
  expect(text(one!.data)).not.toContain('json/plain');
  expect(Buffer.from(one!.data!).subarray(0, 12)).not.toEqual(Buffer.from(two!.data!).subarray(0, 12));
  const [decoded] = await codec.decode([one!]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
    iban: 'NL69INGB0123456789',
    email: 'eigenaar@donald.test',
  });
});

test('payloads written before the codec pass through decode unchanged', async () => {
  const plain: Payload = { ...input };
  expect(await createPayloadCodec(createKeyring(NEW)).decode([plain])).toEqual([plain]);
});

test('after a rotation, payloads encrypted under the previous key decode; new ones use the current key', async () => {
  const [before] = await createPayloadCodec(createKeyring(OLD)).encode([input]);
  const rotating = createPayloadCodec(createKeyring(NEW, OLD));
  expect(defaultPayloadConverter.fromPayload((await rotating.decode([before!]))[0]!)).toEqual(
    defaultPayloadConverter.fromPayload(input),
  );
  const [after] = await rotating.encode([input]);
  expect(text(after!.metadata!['encryption-key-id'])).toBe(createKeyring(NEW).current.id);
  await expect(createPayloadCodec(createKeyring(NEW)).decode([before!])).rejects.toThrow('neither SECRETS_KEY nor');
});

test('a tampered payload is refused, not decoded to garbage', async () => {
  const [sealed] = await createPayloadCodec(createKeyring(NEW)).encode([input]);
  const data = Buffer.from(sealed!.data!);
  data[20] = data[20]! ^ 1;
  await expect(createPayloadCodec(createKeyring(NEW)).decode([{ ...sealed, data }])).rejects.toThrow();
});
