import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Permission } from '../domain/api-key';
import type { AuthContext } from './auth';
import type { ApiServices } from './services';

/**
 * One declaration per endpoint: the same zod schemas validate the request and produce the OpenAPI document,
 * so the two cannot drift apart.
 */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthContext;
  /** A fork of the ORM's EntityManager for this request only. */
  em: EntityManager;
  services: ApiServices;
  req: Request;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON (a CSV export), under the Content-Type set in `headers`. */
  text?: string;
  headers?: Record<string, string>;
}

/**
 * A request body the handler reads from the raw request itself (a multipart upload, a CSV file): it has no zod
 * `body`, so the JSON check does not refuse it, and this tells the OpenAPI document what to send.
 */
export interface RawBody {
  contentType: string;
  description: string;
  schema: z.ZodType;
}

export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI style, relative to /api: `/bank-accounts/{id}`. */
  path: string;
  summary: string;
  tag: string;
  permission: Permission;
  params?: P;
  query?: Q;
  body?: B;
  rawBody?: RawBody;
  /** `contentType` defaults to application/json. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>;
}

export function defineRoute<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition {
  return route as unknown as RouteDefinition;
}

export const IdParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });
