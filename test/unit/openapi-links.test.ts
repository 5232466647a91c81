import { staffRoutes } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';

/** The links from a create to what it made, which the API fuzz (npm run fuzz) follows in its stateful phase. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const openApi = buildOpenApiDocument(staffRoutes, 'http://localhost:3000') as any;

/** Resolves an operationRef such as `#/paths/~1api~1onboardings~1%7Bid%7D/get` the way RFC 6901 says. */
function resolve(operationRef: string): unknown {
  const [, , pathPointer, method] = decodeURIComponent(operationRef).split('/');
  const path = (pathPointer ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
  return openApi.paths[path]?.[method ?? ''];
}

test('POST /api/onboardings links its 201 to every operation on the new onboarding, by its id', () => {
  const links = openApi.paths['/api/onboardings'].post.responses['201'].links;
  expect(Object.keys(links).sort()).toEqual(['get', 'post-cancel', 'post-resend', 'post-restart']);
  for (const link of Object.values(links) as { operationRef: string; parameters: object }[]) {
    expect(resolve(link.operationRef)).toBeDefined();
    expect(link.parameters).toEqual({ id: '$response.body#/id' });
  }
});

test('every link of the document names an operation it has', () => {
  const refs: string[] = [];
  for (const item of Object.values(openApi.paths) as Record<string, { responses: object }>[]) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses) as { links?: object }[]) {
        refs.push(...Object.values(response.links ?? {}).map((link: { operationRef: string }) => link.operationRef));
      }
    }
  }
  expect(refs.length).toBeGreaterThan(15);
  expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
});
