import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createPayloadCodec } from '../../bin/stack/payload-codec';
import { testKeys } from './keys';

type History = temporal.api.history.v1.IHistory;

/**
 * A history as support reads it in the Temporal UI through the codec endpoint: a copy with every payload (input,
 * results, update arguments, summaries, failures' encoded attributes) decoded by this test file's key.
 */
export async function decodedHistory(history: History): Promise<History> {
  const type = temporal.api.history.v1.History;
  const copy = type.fromObject(type.toObject(type.fromObject(history)));
  const codec = createPayloadCodec(testKeys);
  const payloads: Payload[] = [];
  collectPayloads(copy, payloads);
  const decoded = await codec.decode(payloads);
  payloads.forEach((payload, index) => Object.assign(payload, decoded[index]));
  return copy;
}

/** A history as JSON, bytes (payload data) as base64 and 64-bit numbers as strings. */
export function historyJson(history: History): string {
  const type = temporal.api.history.v1.History;
  return JSON.stringify(type.toObject(type.fromObject(history), { bytes: String, longs: String, enums: String }));
}

/** The history's JSON followed by the text of every payload in it, for a plain search of what it says. */
export function historyText(history: History): string {
  const payloads: Payload[] = [];
  collectPayloads(history, payloads);
  return [historyJson(history), ...payloads.map((payload) => Buffer.from(payload.data ?? []).toString('utf8'))].join(
    '\n',
  );
}

function collectPayloads(value: unknown, into: Payload[]): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) return value.forEach((item) => collectPayloads(item, into));
  const metadata = (value as { metadata?: Record<string, unknown> }).metadata;
  if (metadata && metadata.encoding instanceof Uint8Array) {
    into.push(value as Payload);
    return;
  }
  Object.values(value).forEach((item) => collectPayloads(item, into));
}
