import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { communicationEnvironmentId, environmentShapeProblem, ENVIRONMENT_KINDS } from '../../domain/environment';
import { Environment, type IEnvironment } from '../../db/entities';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { recordAudit } from '../audit';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';

export const EnvironmentView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(ENVIRONMENT_KINDS),
    parentId: z.uuid().nullable(),
    communicationEnvironmentId: z
      .uuid()
      .describe('where bank traffic runs: itself for a main, its main for a sub (R-A8)'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Environment' });

const EnvironmentList = z
  .object({ items: z.array(EnvironmentView), nextCursor: z.string().nullable() })
  .meta({ id: 'EnvironmentList' });

const CreateEnvironment = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(ENVIRONMENT_KINDS),
    parentId: z.uuid().optional(),
  })
  .strict()
  .meta({ id: 'CreateEnvironment' });

export function presentEnvironment(environment: IEnvironment): z.infer<typeof EnvironmentView> {
  const parentId = environment.parent?.id ?? null;
  return {
    id: environment.id,
    name: environment.name,
    kind: environment.kind,
    parentId,
    communicationEnvironmentId: communicationEnvironmentId({ id: environment.id, kind: environment.kind, parentId }),
    createdAt: environment.createdAt.toISOString(),
  };
}

/** Loads an environment of the caller's organization; another tenant's id is indistinguishable from a missing one. */
export async function findEnvironment(
  em: EntityManager,
  organizationId: string,
  id: string,
  field?: string,
): Promise<IEnvironment> {
  const environment = await em.findOne(Environment, { id, organization: organizationId });
  if (!environment) {
    throw field
      ? new Problem(404, 'Not found', `${field}: no environment with this id`, [
          { field, message: 'no environment with this id' },
        ])
      : Problem.notFound('environment');
  }
  return environment;
}

export const environmentRoutes = [
  defineRoute({
    method: 'get',
    path: '/environments',
    summary: 'List environments (administrations), main and sub',
    tag: 'Environments',
    permission: 'read',
    query: PageQuery.extend({ kind: z.enum(ENVIRONMENT_KINDS).optional() }),
    responses: { 200: { description: 'A page of environments', schema: EnvironmentList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        Environment,
        {
          organization: auth.organizationId,
          ...(query.kind ? { kind: query.kind } : {}),
          ...afterCursor(decodeCursor(query.cursor)),
        },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
      );
      return { status: 200, body: page(rows, query.limit, presentEnvironment) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/environments/{id}',
    summary: 'Show one environment',
    tag: 'Environments',
    permission: 'read',
    params: IdParams,
    responses: {
      200: { description: 'The environment', schema: EnvironmentView },
      404: { description: 'No such environment' },
    },
    handler: async ({ em, auth, params }) => ({
      status: 200,
      body: presentEnvironment(await findEnvironment(em, auth.organizationId, params.id)),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/environments',
    summary: 'Create a main environment, or a sub environment under a main one (R-A8)',
    tag: 'Environments',
    permission: 'admin',
    body: CreateEnvironment,
    responses: {
      201: { description: 'Created', schema: EnvironmentView },
      400: { description: 'Invalid' },
      404: { description: 'No such parent environment (`errors` names parentId)' },
    },
    handler: async ({ em, auth, body }) => {
      const parent = body.parentId ? await findEnvironment(em, auth.organizationId, body.parentId, 'parentId') : null;
      const problem = environmentShapeProblem(
        body.kind,
        parent ? { id: parent.id, kind: parent.kind, parentId: parent.parent?.id ?? null } : null,
      );
      if (problem) throw Problem.field(body.kind === 'sub' && !parent ? 'parentId' : 'kind', problem);
      const environment = em.create(Environment, {
        organization: auth.organizationId,
        name: body.name,
        kind: body.kind,
        parent,
      });
      recordAudit(
        em,
        auth,
        'environment.created',
        { type: 'Environment', entity: environment },
        { name: body.name, kind: body.kind },
      );
      await em.flush();
      return { status: 201, body: presentEnvironment(environment) };
    },
  }),
];
