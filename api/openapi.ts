import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { mountedErrorResponses, type Example, type ResponseDeclaration, type RouteDefinition } from './route';

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` names each failing field' });

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

function examplesOf(examples: Record<string, Example> | undefined): { examples?: Record<string, Example> } {
  return examples ? { examples } : {};
}

/** Every error is a problem document, whatever the route declared; a success carries its own schema. */
function responseObject(status: number, response: ResponseDeclaration) {
  if (status >= 400) return { description: response.description, content: problemContent };
  if (!response.schema) return { description: response.description };
  const mediaType = { schema: response.schema, ...examplesOf(response.examples) };
  return { description: response.description, content: { [response.contentType ?? 'application/json']: mediaType } };
}

/**
 * OpenAPI links from a create (201 of POST /things) to every operation on what it made (/things/{id}, …/{id}/x),
 * the id taken from the answer: they tell clients and stateful test tools such as Schemathesis how calls chain.
 */
function linksOf(route: RouteDefinition, routes: RouteDefinition[]): { links?: Record<string, object> } {
  if (route.method !== 'post' || route.path.includes('{')) return {};
  const prefix = `${route.path}/{id}`;
  const links = Object.fromEntries(
    routes
      .filter((other) => other.path === prefix || other.path.startsWith(`${prefix}/`))
      .map((other) => {
        const rest = other.path.slice(prefix.length).replace(/[{}]/g, '').split('/').filter(Boolean);
        const pointer = `/api${other.path}`.replace(/~/g, '~0').replace(/\//g, '~1');
        return [
          [other.method, ...rest].join('-'),
          {
            operationRef: `#/paths/${encodeURIComponent(pointer)}/${other.method}`,
            parameters: { id: '$response.body#/id' },
          },
        ];
      }),
  );
  return Object.keys(links).length ? { links } : {};
}

/** Builds the OpenAPI 3.1 document from the same route declarations Express serves. */
export function buildOpenApiDocument(
  routes: RouteDefinition[],
  serverUrl: string,
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `npm run cli -- apikey create`',
  });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: `/api${route.path}`,
      summary: route.summary,
      tags: [route.tag],
      security: [{ apiKey: [] }],
      request: {
        ...(route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(route.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: route.body, ...examplesOf(route.bodyExamples) } },
              },
            }
          : {}),
        ...(route.rawBody
          ? {
              body: {
                required: true,
                description: route.rawBody.description,
                content: { [route.rawBody.contentType]: { schema: route.rawBody.schema } },
              },
            }
          : {}),
      },
      responses: Object.fromEntries(
        Object.entries({ ...mountedErrorResponses(route), ...route.responses }).map(([status, response]) => [
          status,
          { ...responseObject(Number(status), response), ...(status === '201' ? linksOf(route, routes) : {}) },
        ]),
      ),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Bankkoppeling staff API',
      version: '1',
      description: 'Onboard and run direct bank connections for the clients of an accounting office.',
    },
    servers: [{ url: serverUrl }],
  });
}
