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
  /** Typed by the body's schema, so an example cannot drift from what the route accepts. */
  bodyExamples?: Record<string, Example<z.input<B>>>;
  rawBody?: RawBody;
  /**
   * What the handler itself answers; `contentType` defaults to application/json. The errors of mounting
   * (mountedErrorResponses) are added to the OpenAPI document for every route.
   */
  responses: Record<number, ResponseDeclaration>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodObject<Record<never, z.ZodType>>,
  Q extends z.ZodType = z.ZodObject<Record<never, z.ZodType>>,
  B extends z.ZodType = z.ZodUndefined,
>(route: RouteDefinition<P, Q, B>): RouteDefinition {
  return route as unknown as RouteDefinition;
}

/** A named example, shown by the docs beside the schema (one per flavour, say). */
export interface Example<T = unknown> {
  summary: string;
  value: T;
}

export interface ResponseDeclaration {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  examples?: Record<string, Example>;
}

/**
 * The errors every route can give by the way it is mounted (authentication, roles, validation, the JSON check,
 * the rate limit), so a route declares only the answers of its own handler. A route's own declaration of a
 * status wins: it can say more precisely what went wrong.
 */
export function mountedErrorResponses(route: RouteDefinition): Record<number, ResponseDeclaration> {
  const responses: Record<number, ResponseDeclaration> = {
    // express.json reads any JSON body, even on a route that takes none, so a broken one is a 400 everywhere.
    400: { description: 'The request is not valid; `errors` names each failing field' },
    401: { description: 'Missing or invalid API key' },
    429: { description: 'Too many requests; retry after the time in the RateLimit header' },
    503: { description: 'The database or Temporal does not answer right now; retry after the time in Retry-After' },
  };
  if (route.permission !== 'read') {
    const description = route.permission === 'admin' ? 'Only an admin key may do this' : 'A support key only reads';
    responses[403] = { description };
  }
  if (route.path.includes('{')) responses[404] = { description: 'Not found, or it belongs to another organization' };
  if (route.body) {
    responses[413] = { description: 'The JSON body is too large' };
    responses[415] = { description: 'The body is not sent as application/json' };
  }
  return responses;
}

export const IdParams = z.object({
  id: z.uuid({ error: 'must be a UUID' }).describe('The id, as the API returned it'),
});
