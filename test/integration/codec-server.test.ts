import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../bin/stack/codec-server';
import { createPayloadCodec } from '../../bin/stack/payload-codec';
import { testKeys } from '../support/keys';

/**
 * Issue 12: the codec endpoint the Temporal UI decodes histories with (`--ui-codec-endpoint`), speaking Temporal's
 * codec server protocol over HTTP; it decrypts whatever it is sent, so it answers only on 127.0.0.1 and only the
 * UI's origin.
 */
const UI = 'http://localhost:14233';
const codec = createPayloadCodec(testKeys);
const input = defaultPayloadConverter.toPayload({ iban: 'NL69INGB0123456789', company: 'Test BV Donald' })!;
let server: CodecServer;

beforeAll(async () => {
  server = await startCodecServer({ codec, port: 0, uiOrigin: UI });
});

afterAll(async () => {
  await server?.close();
});

const asJson = (payload: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value!).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

function post(path: string, payloads: Payload[], headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads: payloads.map(asJson) }),
  });
}

test('the UI decodes what the product encrypted, and a round trip through /encode and /decode gives it back', async () => {
  const [encrypted] = await codec.encode([input]);
  const decoded = await post('/decode', [encrypted!], { origin: UI });
  expect(decoded.status).toBe(200);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);
  expect(((await decoded.json()) as { payloads: unknown[] }).payloads).toEqual([asJson(input)]);

  const encoded = (await (await post('/encode', [input])).json()) as { payloads: ReturnType<typeof asJson>[] };
  expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  expect(JSON.stringify(encoded)).not.toContain(asJson(input).data);
  // Mounted at any depth (the protocol reads the last path segment), e.g. behind the single sign-on proxy.
  const back = await (await post('/codec/default/decode', [])).json();
  expect(back).toEqual({ payloads: [] });
  const again = (await (await post('/decode', encoded.payloads.map(fromJson))).json()) as { payloads: unknown[] };
  expect(again.payloads).toEqual([asJson(input)]);
});

test('the browser preflight is answered for the UI: POST with the headers the UI sends, credentials allowed', async () => {
  const preflight = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
});

test('another origin is refused, preflight and request alike, and learns nothing', async () => {
  const [encrypted] = await codec.encode([input]);
  const refused = await post('/decode', [encrypted!], { origin: 'https://evil.example' });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  expect(await refused.text()).not.toContain(asJson(input).data);
  const preflight = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
  });
  expect(preflight.status).toBe(403);
  expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
});

test('anything but a payloads body is refused without a stack', async () => {
  const answer = await fetch(`${server.url}/decode`, { method: 'POST', body: 'not json' });
  expect(answer.status).toBe(400);
  expect(await answer.json()).toEqual({ message: 'payloads could not be read' });
  expect((await fetch(`${server.url}/decode`)).status).toBe(404);
});

test('it answers on 127.0.0.1 only: not on another loopback address, not on the network interface', async () => {
  expect(new URL(server.url).hostname).toBe('127.0.0.1');
  const port = Number(new URL(server.url).port);
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal && address.family === 'IPv4')
    .map((address) => address!.address);
  for (const host of ['127.0.0.2', ...external]) expect([host, await reachable(host, port)]).toEqual([host, false]);
  expect(await reachable('127.0.0.1', port)).toBe(true);
});

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

function fromJson(payload: { metadata: Record<string, string>; data: string }): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data, 'base64'),
  };
}
