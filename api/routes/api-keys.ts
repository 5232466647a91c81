import { z } from 'zod';
import { API_KEY_ROLES, apiKeyState, expiryOfDate } from '../../domain/api-key';
import { createApiKey, revokeApiKey, rotateApiKey, type KeyActor } from '../../db/api-keys';
import { ApiKey, type IApiKey } from '../../db/entities';
import type { AuthContext } from '../auth';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';

const ApiKeyView = z
  .object({
    id: z.uuid().describe("The key's id, for revoke and rotate; not the key itself"),
    name: z.string().describe('The label staff gave the key; audit events and status reasons name it'),
    role: z.enum(API_KEY_ROLES).describe('`admin`: everything, keys too; `staff`: day-to-day work; `support`: reads'),
    prefix: z.string().describe('The 8 characters after `bk_` in the key: how to recognise it without the secret'),
    state: z
      .enum(['active', 'expired', 'revoked'])
      .describe('`active`: accepted; `expired`: past `expiresAt`; `revoked`: refused since `revokedAt`'),
    createdAt: z.iso.datetime().describe('When the key was created (a rotated key: when it replaced the old one)'),
    lastUsedAt: z.iso.datetime().nullable().describe('Last request with the key, to the minute; null: never used'),
    expiresAt: z.iso.datetime().nullable().describe('From then on the key answers 401; null: it does not expire'),
    revokedAt: z.iso.datetime().nullable().describe('When it was revoked or rotated away; null: not revoked'),
  })
  .meta({ id: 'ApiKey' });

const CreatedApiKey = ApiKeyView.extend({
  key: z.string().describe('The key itself, shown this once: only its SHA-256 is stored'),
}).meta({ id: 'CreatedApiKey' });

const ApiKeyList = z
  .object({ items: z.array(ApiKeyView), nextCursor: z.string().nullable() })
  .meta({ id: 'ApiKeyList' });

const CreateApiKey = z
  .object({
    name: z.string().trim().min(1).max(200).describe('A label people recognise: who or what uses the key'),
    role: z.enum(API_KEY_ROLES).describe('What the key may do: `admin`, `staff` or `support`'),
    expiresAt: z
      .union([z.iso.date(), z.iso.datetime({ offset: true })])
      .optional()
      .describe(
        'When the key stops working: an instant, or a date (YYYY-MM-DD) for "through that day" in Amsterdam time. ' +
          'Left out, the key works until it is revoked',
      ),
  })
  .strict()
  .meta({ id: 'CreateApiKey' });

function present(apiKey: IApiKey, now = new Date()): z.infer<typeof ApiKeyView> {
  return {
    id: apiKey.id,
    name: apiKey.name,
    role: apiKey.role,
    prefix: apiKey.prefix,
    state: apiKeyState(apiKey, now),
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    expiresAt: apiKey.expiresAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}

const actingKey = (auth: AuthContext): KeyActor => ({ actor: `api-key:${auth.apiKeyId}`, label: auth.apiKeyName });

export const apiKeyRoutes = [
  defineRoute({
    method: 'get',
    path: '/api-keys',
    summary: "List the organization's API keys, revoked and expired ones too (never their secrets)",
    tag: 'API keys',
    permission: 'admin',
    query: PageQuery,
    responses: { 200: { description: 'A page of keys, oldest first', schema: ApiKeyList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        ApiKey,
        { organization: auth.organizationId, ...afterCursor(decodeCursor(query.cursor)) },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
      );
      const now = new Date();
      return { status: 200, body: page(rows, query.limit, (row) => present(row, now)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api-keys',
    summary: 'Create an API key; the answer holds the key, shown this once',
    tag: 'API keys',
    permission: 'admin',
    body: CreateApiKey,
    bodyExamples: {
      staff: {
        summary: 'A staff key for a script, until the end of 2027',
        value: { name: 'import script', role: 'staff', expiresAt: '2027-12-31' },
      },
    },
    responses: {
      201: { description: 'Created; store `key` now, it cannot be shown again', schema: CreatedApiKey },
      400: { description: 'Invalid, or `expiresAt` is not in the future' },
    },
    handler: async ({ em, auth, body }) => {
      const expiresAt = body.expiresAt
        ? /^\d{4}-\d{2}-\d{2}$/.test(body.expiresAt)
          ? expiryOfDate(body.expiresAt)
          : new Date(body.expiresAt)
        : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw Problem.field('expiresAt', 'must be in the future');
      const { key, apiKey } = await createApiKey(
        em,
        auth.organizationId,
        body.role,
        body.name,
        actingKey(auth),
        expiresAt,
      );
      return { status: 201, body: { ...present(apiKey), key } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api-keys/{id}/revoke',
    summary: 'Revoke an API key: from this moment every request with it answers 401',
    tag: 'API keys',
    permission: 'admin',
    params: IdParams,
    responses: {
      200: { description: 'Revoked (revoking a revoked key changes nothing)', schema: ApiKeyView },
      404: { description: 'No such key in this organization' },
      409: { description: "It is the organization's last working admin key: create or rotate another first" },
    },
    handler: async ({ em, auth, params }) => {
      const result = await revokeApiKey(em, params.id, auth.organizationId, actingKey(auth), { keepLastAdmin: true });
      if (!result) throw Problem.notFound('API key');
      if (result.outcome === 'last-admin') {
        throw new Problem(
          409,
          'Conflict',
          "this is the organization's last working admin key; without it nobody could manage keys. " +
            'Create another admin key first, or rotate this one',
        );
      }
      return { status: 200, body: present(result.apiKey) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api-keys/{id}/rotate',
    summary: 'Replace an API key by a new one with the same name, role and expiry; the old one is revoked at once',
    tag: 'API keys',
    permission: 'admin',
    params: IdParams,
    responses: {
      201: { description: 'The new key; store `key` now, it cannot be shown again', schema: CreatedApiKey },
      404: { description: 'No such key in this organization' },
      409: { description: 'The key is revoked or expired: create a new one instead' },
    },
    handler: async ({ em, auth, params }) => {
      const result = await rotateApiKey(em, params.id, auth.organizationId, actingKey(auth));
      if (!result) throw Problem.notFound('API key');
      if (result.outcome === 'not-active') {
        const state = apiKeyState(result.replaced, new Date());
        throw new Problem(409, 'Conflict', `the key is ${state}; create a new one instead of rotating it`);
      }
      return { status: 201, body: { ...present(result.apiKey), key: result.key } };
    },
  }),
];
