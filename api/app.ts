import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { authenticate, requirePermission } from './auth';
import { createClientRouter } from './client';
import { databaseProblem } from './database-problem';
import { unavailableProblem } from './unavailable';
import { docsRouter } from './docs-page';
import { healthRoute } from './health';
import { createHomeRouter } from './home-page';
import { buildOpenApiDocument } from './openapi';
import { Problem } from './problem';
import { nulCharacterErrors } from './request-text';
import type { RouteDefinition } from './route';
import { apiKeyRoutes } from './routes/api-keys';
import { bankAccountRoutes } from './routes/bank-accounts';
import { bankJournalRoutes } from './routes/bank-journals';
import { connectionRoutes } from './routes/connections';
import { onboardingRoutes } from './routes/onboardings';
import { environmentRoutes } from './routes/environments';
import { messageTemplateRoutes } from './routes/message-templates';
import { statementRoutes } from './routes/statements';
import { transactionCodeRuleRoutes } from './routes/transaction-code-rules';
import type { ApiServices } from './services';

export const staffRoutes: RouteDefinition[] = [
  ...onboardingRoutes,
  ...connectionRoutes,
  ...environmentRoutes,
  ...bankJournalRoutes,
  ...bankAccountRoutes,
  ...statementRoutes,
  ...transactionCodeRuleRoutes,
  ...messageTemplateRoutes,
  ...apiKeyRoutes,
];

export interface AppOptions {
  log: Logger;
  publicBaseUrl: string;
  /** Requests per minute per client address on the staff API. */
  apiRateLimitPerMinute?: number;
  /** The development mail inbox (maildev), linked from the root page when it runs. */
  mailInboxUrl?: string;
  /**
   * Reverse proxies in front of the API (TRUST_PROXY): their X-Forwarded-For hops name the client that rate limits
   * and logs key on. 0 (the default) trusts none, so a client cannot choose its own address.
   */
  trustProxyHops?: number;
}

export function createApp(services: ApiServices, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxyHops ?? 0);
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: options.log,
      // Credentials and client tokens never reach the log: the activation token sits in the path of /connect, and
      // the 303 to the bank carries the OAuth state in its Location (test/integration/no-secrets-in-history.test.ts).
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'res.headers.location'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          url: redactPath(req.url),
        }),
      },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );

  const openApi = buildOpenApiDocument(staffRoutes, options.publicBaseUrl);
  const api = express.Router();
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: options.apiRateLimitPerMinute ?? 600,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) =>
        sendProblem(
          req,
          res,
          new Problem(429, 'Too many requests', 'slow down and retry after the time in the RateLimit header'),
        ),
    }),
  );
  api.use(express.json({ limit: '256kb' }));
  api.get('/health', healthRoute(services));
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  api.use('/docs', docsRouter());
  api.use(authenticate(services.orm));
  for (const route of staffRoutes) mountRoute(api, route, services);
  api.use((req) => {
    throw new Problem(404, 'Not found', `no endpoint ${req.method} ${req.baseUrl}${req.path}`);
  });
  app.use(createHomeRouter({ temporalUiUrl: services.temporalUiUrl, mailInboxUrl: options.mailInboxUrl }));
  app.use(createClientRouter(services, options.log));
  app.use('/api', api);
  app.use(errorHandler(options.log));
  return app;
}

function mountRoute(router: express.Router, route: RouteDefinition, services: ApiServices): void {
  const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
  router[route.method](expressPath, async (req: Request, res: Response) => {
    const auth = req.auth;
    if (!auth) throw Problem.unauthorized('send an API key as "Authorization: Bearer <key>"');
    requirePermission(auth, route.permission);
    const nul = [
      ...nulCharacterErrors(req.params, 'path'),
      ...nulCharacterErrors(req.query, 'query'),
      ...nulCharacterErrors(req.body, 'body'),
    ];
    if (nul.length) throw Problem.validation(nul);
    const params = parseOrProblem(route.params, req.params, 'path');
    const query = parseOrProblem(route.query, req.query, 'query');
    if (route.body && (req.body === undefined || req.body === null || !req.is('application/json'))) {
      throw Problem.field('body', 'send a JSON object with Content-Type: application/json', 415);
    }
    const body = parseOrProblem(route.body, req.body, 'body');
    const result = await route.handler({ params, query, body, auth, em: services.orm.em.fork(), services, req });
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    if (result.text !== undefined) res.status(result.status).send(result.text);
    else if (result.body === undefined) res.status(result.status).end();
    else res.status(result.status).json(result.body);
  });
}

function parseOrProblem(schema: z.ZodType | undefined, input: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return where === 'body' ? undefined : {};
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw Problem.validation(
    parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : where,
      message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}

/** The activation token lives in the path of client links; logs keep only the route shape. */
function redactPath(url: string): string {
  return url
    .replace(/^\/connect\/(?!callback(?:[/?#]|$))[^/?#]+/, '/connect/[token]')
    .replace(/\?.*$/, (q) => (q.length > 1 ? '?…' : ''));
}

function errorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    sendProblem(req, res, toProblem(error, log));
  };
}

function toProblem(error: unknown, log: Logger): Problem {
  if (error instanceof Problem) return error;
  const unavailable = unavailableProblem(error);
  if (unavailable) {
    log.warn({ err: error }, 'a dependency did not answer');
    return unavailable;
  }
  const database = databaseProblem(error, log);
  if (database) return database;
  const httpError = error as { type?: string; status?: number; expose?: boolean; message?: string };
  if (httpError.type === 'entity.parse.failed') return Problem.field('body', 'is not valid JSON');
  if (httpError.type === 'entity.too.large')
    return new Problem(413, 'Payload too large', 'the request body is larger than allowed');
  if (httpError.expose && httpError.status && httpError.status < 500)
    return new Problem(httpError.status, httpError.message ?? 'Bad request');
  log.error({ err: error }, 'unhandled error');
  return new Problem(500, 'Internal server error', 'something went wrong on our side; it has been logged');
}

function sendProblem(req: Request, res: Response, problem: Problem): void {
  if (problem.extra.headers) res.set(problem.extra.headers);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem.body(req.originalUrl.split('?')[0] ?? '')));
}
