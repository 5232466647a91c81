import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * The Temporal codec server protocol (POST `.../decode` and `.../encode`, `{ "payloads": [...] }` in protobuf
 * JSON: metadata values and data as base64), so the Temporal UI shows the histories the payload codec encrypts in
 * clear words. It decrypts anything it is sent, so it listens on 127.0.0.1 only and answers browsers only from the
 * UI's origin (CORS); a request without an Origin comes from a local tool (`temporal workflow show
 * --codec-endpoint`). In production it sits behind the same single sign-on as the UI (README "Temporal UI").
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  /** The Temporal UI's origin, e.g. http://localhost:8233: the only web page allowed to call this. */
  uiOrigin: string;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

/** Far above any history page the UI sends at once, far below what could exhaust memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const HOST = '127.0.0.1';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const uiOrigin = new URL(options.uiOrigin).origin;
  const server = createServer((req, res) => {
    handle(req, res, options.codec, uiOrigin).catch(() => answer(res, 400, { message: 'payloads could not be read' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, codec: PayloadCodec, uiOrigin: string) {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== uiOrigin) return answer(res, 403, { message: 'origin not allowed' });
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', uiOrigin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization, Authorization-Extras');
    res.setHeader('Access-Control-Max-Age', '600');
    return void res.writeHead(204).end();
  }
  // The protocol names only the last path segment, so the endpoint may be mounted at any depth behind a proxy.
  const action = new URL(req.url ?? '/', 'http://codec').pathname.split('/').pop();
  if (req.method !== 'POST' || (action !== 'decode' && action !== 'encode'))
    return answer(res, 404, { message: 'POST .../decode or .../encode' });
  const body = JSON.parse(await readBody(req)) as { payloads?: JsonPayload[] };
  if (!Array.isArray(body.payloads)) return answer(res, 400, { message: 'expected { "payloads": [...] }' });
  const payloads = body.payloads.map(fromJson);
  const converted = action === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
  answer(res, 200, { payloads: converted.map(toJson) });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}
