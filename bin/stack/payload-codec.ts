import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from '../../domain/secret-keys';

/**
 * Temporal's standard answer to personal data in histories (IBANs, names, e-mail addresses, KvK numbers): every
 * payload leaves this process as AES-256-GCM ciphertext of its protobuf encoding, so the Temporal server, its
 * database and anyone reading a history see only `binary/encrypted`. The key is the 'payload codec' key
 * (domain/secret-keys.ts); the payload names the master key's id, so after a rotation payloads written under the
 * previous key still decode. Payloads without the encrypted encoding (written before the codec, or by a tool)
 * pass through unchanged, so in-flight workflows and saved histories keep replaying.
 */
const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function createPayloadCodec(keys: Keyring): PayloadCodec {
  const ring = keys.derived('payload codec');
  return {
    async encode(payloads) {
      const { id, key } = ring[0]!;
      return payloads.map((payload) => seal(key, id, payload));
    },
    async decode(payloads) {
      return payloads.map((payload) => {
        if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
        const id = text(payload.metadata?.[KEY_ID_METADATA]);
        const found = ring.find((candidate) => candidate.id === id);
        if (!found)
          throw new Error(`payload encrypted with key ${id}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`);
        return open(found.key, payload.data ?? new Uint8Array());
      });
    },
  };
}

function seal(key: Buffer, id: string, payload: Payload): Payload {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const plain = temporal.api.common.v1.Payload.encode(payload).finish();
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
    data: Buffer.concat([nonce, body, cipher.getAuthTag()]),
  };
}

function open(key: Buffer, data: Uint8Array): Payload {
  const bytes = Buffer.from(data);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]);
  return temporal.api.common.v1.Payload.decode(plain);
}

function text(value: Uint8Array | null | undefined): string | undefined {
  return value ? Buffer.from(value).toString('utf8') : undefined;
}
