import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteDefinition } from './route';

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

/** Builds the OpenAPI 3.1 document from the same route declarations Express serves. */
export function buildOpenApiDocument(routes: RouteDefinition[], serverUrl: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An API key from `npm run cli -- apikey create`' });
  const problemContent = { 'application/problem+json': { schema: ProblemSchema } };
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
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.rawBody
          ? { body: { required: true, description: route.rawBody.description, content: { [route.rawBody.contentType]: { schema: route.rawBody.schema } } } }
          : {}),
      },
      responses: Object.fromEntries([
        ...Object.entries(route.responses).map(([status, response]) => [
          status,
          Number(status) >= 400 || !response.schema
            ? { description: response.description, ...(Number(status) >= 400 ? { content: problemContent } : {}) }
            : { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } },
        ]),
        ['401', { description: 'Missing or invalid API key', content: problemContent }],
        ['403', { description: 'The key\'s role may not do this', content: problemContent }],
        ['429', { description: 'Too many requests', content: problemContent }],
      ]),
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
