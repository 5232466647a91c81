import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../../api/app';
import type { ApiServices } from '../../api/services';
import type { ActivityDeps } from '../../activities';
import { createTokenCipher } from '../../db/token-cipher';
import { testKeys } from './keys';
import { TEST_TASK_QUEUE } from './temporal';
import { testActivityDeps } from './worker';

interface TestAppOptions {
  deps?: ActivityDeps;
  rateLimitPerMinute?: number;
  log?: Logger;
  publicBaseUrl?: string;
  trustProxyHops?: number;
  /** Another Temporal client than the test environment's, e.g. one whose server is out of reach. */
  temporal?: Client;
}

/** What the API is built on in tests; the worker's deps when pages and activities must share keys and banks. */
export function testApiServices(
  orm: MikroORM,
  env: TestWorkflowEnvironment,
  options: TestAppOptions = {},
): ApiServices {
  const deps = options.deps ?? testActivityDeps({ orm, env });
  return {
    orm,
    temporal: options.temporal ?? env.client,
    taskQueue: TEST_TASK_QUEUE,
    temporalUiUrl: 'http://localhost:8233',
    namespace: env.namespace ?? 'default',
    tokenCipher: deps.tokenCipher,
    cookieCipher: createTokenCipher(testKeys, 'cookies'),
    bankConnector: deps.bankConnector,
    publicBaseUrl: deps.publicBaseUrl,
    kvk: deps.kvk,
  };
}

/** The real app on testApiServices. */
export function createTestApp(orm: MikroORM, env: TestWorkflowEnvironment, options: TestAppOptions = {}): Express {
  return createApp(testApiServices(orm, env, options), {
    log: options.log ?? pino({ level: 'silent' }),
    publicBaseUrl: options.publicBaseUrl ?? 'http://localhost:3000',
    apiRateLimitPerMinute: options.rateLimitPerMinute,
    trustProxyHops: options.trustProxyHops,
  });
}

export { createTenant, type Tenant } from './tenant';

/** An API answer: its status, media type and parsed JSON body (undefined when empty). */
export interface ApiAnswer {
  status: number;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** The API over HTTP as a client calls it: the key as a Bearer token (null: without one), the body as JSON. */
export async function callApi(
  baseUrl: string,
  method: 'GET' | 'PUT' | 'DELETE' | 'POST',
  path: string,
  key: string | null,
  body?: unknown,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: (response.headers.get('content-type') ?? '').split(';')[0]!,
    body: text ? JSON.parse(text) : undefined,
  };
}
