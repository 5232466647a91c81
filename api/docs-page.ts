import path from 'node:path';
import express from 'express';
import { Problem } from './problem';

/**
 * /api/docs: Swagger UI rendering /api/openapi.json. Its files come from the swagger-ui-dist package in
 * node_modules, served from our own origin, so the page works offline and under the app's Content-Security-Policy
 * (`script-src 'self'`): no CDN and no inline script, the start-up code is a file of its own.
 */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Only what the page loads; the package also ships a demo page that points at the Petstore. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bankkoppeling staff API</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<noscript><p>This page needs JavaScript. The API is described in <a href="/api/openapi.json">/api/openapi.json</a>
(OpenAPI 3.1).</p></noscript>
<div id="docs"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`;

// validatorUrl: null, because Swagger UI otherwise shows a badge fetched from validator.swagger.io.
const START = `SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
});
`;

export function docsRouter(): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/start.js', (_req, res) => {
    res.type('text/javascript').send(START);
  });
  router.get('/assets/:file', (req, res) => {
    const file = String(req.params.file);
    if (!ASSETS.has(file)) throw new Problem(404, 'Not found', `no file ${file} in the API docs`);
    // These change only when the pinned package is upgraded: a day's cache speeds up visits, and an upgrade
    // shows by the next day.
    res.sendFile(path.join(SWAGGER_UI_DIR, file), { maxAge: '1d' });
  });
  return router;
}
