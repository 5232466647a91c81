import Handlebars from 'handlebars';

/**
 * A readable index of the OpenAPI document, rendered on the server with no third-party scripts or styles, so it
 * works offline and under a strict Content-Security-Policy.
 */
const template = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
code{background:#f1f3f7;padding:0 .25rem;border-radius:3px}.op{border-top:1px solid #dde1e8;padding:.6rem 0}
.m{display:inline-block;min-width:4rem;font-weight:600;text-transform:uppercase}</style></head>
<body><h1>{{title}}</h1><p>{{description}}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>. Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
{{#each tags}}<h2>{{name}}</h2>{{#each operations}}<div class="op"><span class="m">{{method}}</span> <code>{{path}}</code><br>{{summary}}
{{#if body}}<br><small>Body: <code>{{body}}</code></small>{{/if}}</div>{{/each}}{{/each}}
</body></html>`);

interface OpenApiLike {
  info: { title: string; description?: string };
  paths?: Record<string, Record<string, { summary?: string; tags?: string[]; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
}

export function renderDocsPage(document: OpenApiLike): string {
  const tags = new Map<string, { method: string; path: string; summary: string; body: string | null }[]>();
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? 'Other';
      const ref = operation.requestBody?.content?.['application/json']?.schema?.$ref;
      const list = tags.get(tag) ?? [];
      list.push({ method, path, summary: operation.summary ?? '', body: ref ? ref.replace('#/components/schemas/', '') : null });
      tags.set(tag, list);
    }
  }
  return template({
    title: document.info.title,
    description: document.info.description,
    tags: [...tags].map(([name, operations]) => ({ name, operations })),
  });
}
