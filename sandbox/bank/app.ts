import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { accountRoutes } from './accounts';
import { AdminError, adminRouter, createAdmin, type SandboxBankAdmin, sendAdminError } from './admin';
import { ConsentStore, consentRoutes } from './consents';
import { bankUrl, newSecret, type SandboxContext, today } from './context';
import { DEFAULT_HISTORY_DAYS, generateLedgers } from './generator';
import { type OAuthClient, OAuthError, OAuthStore, oauthRoutes } from './oauth';
import {
  BANK_NAMES,
  consentRefusal,
  SANDBOX_BANK_CODES,
  SANDBOX_COMPANIES,
  type SandboxBankCode,
  TEST_USERS,
} from './test-users';
import { PageError, renderError, renderIndex, setPageHeaders } from './views';
import { sendXs2aError, Xs2aError } from './xs2a';

/**
 * The sandbox bank: stand-in for the PSD2 APIs of ING, Rabobank and ABN AMRO, one per path prefix (`/INGB`,
 * `/RABO`, `/ABNA`), with an admin API under `/admin`. Everything lives in memory; a restart forgets consents
 * and tokens but regenerates the same history for the same seed.
 */

export const DEFAULT_SEED = 1;

export interface SandboxBankOptions {
  /** Base of every absolute link the banks hand out, e.g. http://127.0.0.1:4010 (no trailing slash needed). */
  publicUrl: string;
  /** Same seed and same day: same history, to the cent and the id. */
  seed?: number;
  now?: () => Date;
  historyDays?: number;
  pageSize?: number;
  accessTokenTtlSeconds?: number;
  maxFrequencyPerDay?: number;
  /** OAuth clients known from the start; more can be registered through the admin API. */
  clients?: readonly OAuthClient[];
}

export interface StartSandboxBankOptions extends Omit<SandboxBankOptions, 'publicUrl'> {
  port: number;
  /** Defaults to 127.0.0.1: the admin API has no authentication. */
  host?: string;
  /** Defaults to http://<host>:<port>. */
  publicUrl?: string;
}

export interface RunningSandboxBank {
  url: string;
  admin: SandboxBankAdmin;
  close(): Promise<void>;
}

export function createSandboxBankApp(options: SandboxBankOptions): { app: express.Express; admin: SandboxBankAdmin } {
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? DEFAULT_SEED;
  const ctx: SandboxContext = {
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    now,
    settings: {
      pageSize: options.pageSize ?? 50,
      latencyMs: 0,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      maxFrequencyPerDay: options.maxFrequencyPerDay ?? 4,
    },
    faults: [],
    ledgers: generateLedgers({
      seed,
      today: today({ now }),
      historyDays: options.historyDays ?? DEFAULT_HISTORY_DAYS,
      companies: SANDBOX_COMPANIES,
    }),
    consents: new ConsentStore(),
    oauth: new OAuthStore(),
    secret: newSecret(),
  };
  for (const client of options.clients ?? []) ctx.oauth.registerClient(client);
  const admin = createAdmin(ctx);

  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    setPageHeaders(res);
    res.send(
      renderIndex({
        banks: SANDBOX_BANK_CODES.map((code) => ({ code, name: BANK_NAMES[code], base: bankUrl(ctx, code, '') })),
        users: TEST_USERS.map((u) => ({
          bank: u.bank,
          username: u.username,
          role: u.role,
          mayConsent: consentRefusal(u) === null,
        })),
      }),
    );
  });
  app.use('/admin', adminRouter(admin));
  for (const bank of SANDBOX_BANK_CODES) app.use(`/${bank}`, bankRouter(ctx, bank));
  app.use((_req, res) => {
    res.status(404).json({ tppMessages: [{ category: 'ERROR', code: 'RESOURCE_UNKNOWN', text: 'No such endpoint' }] });
  });
  app.use(errorHandler);
  return { app, admin };
}

function bankRouter(ctx: SandboxContext, bank: SandboxBankCode): Router {
  const router = Router();
  // Faults and latency hit what a TPP's back end calls, never the pages a person clicks through.
  router.use(['/v1', '/oauth/token'], async (_req: Request, res: Response, next: NextFunction) => {
    if (ctx.settings.latencyMs > 0) await sleep(ctx.settings.latencyMs);
    const fault = ctx.faults[0];
    if (!fault) return next();
    fault.remaining -= 1;
    if (fault.remaining <= 0) ctx.faults.shift();
    if (fault.status === 429) {
      return sendXs2aError(
        res,
        new Xs2aError(429, 'ACCESS_EXCEEDED', 'Too many requests (sandbox fault injection)', {
          'Retry-After': String(fault.retryAfterSeconds),
        }),
      );
    }
    sendXs2aError(res, new Xs2aError(500, 'INTERNAL_SERVER_ERROR', 'Internal error (sandbox fault injection)'));
  });
  router.use('/v1', express.json({ limit: '100kb' }));
  router.use(consentRoutes(ctx, bank));
  router.use(accountRoutes(ctx, bank));
  router.use(oauthRoutes(ctx, bank));
  return router;
}

function bankNameOf(req: Request): string {
  const code = req.originalUrl.split('/')[1] ?? '';
  return code in BANK_NAMES ? BANK_NAMES[code as SandboxBankCode] : 'Sandbox bank';
}

function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof Xs2aError) return sendXs2aError(res, error);
  if (error instanceof OAuthError) {
    res.status(error.status).json({ error: error.error, error_description: error.description });
    return;
  }
  if (error instanceof AdminError) return sendAdminError(res, error.status, error.message);
  if (error instanceof PageError) {
    setPageHeaders(res);
    res.status(error.status).send(
      renderError({
        bankName: bankNameOf(req),
        title: error.title,
        titleEn: error.titleEn,
        message: error.message,
      }),
    );
    return;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Body parser refusals: malformed JSON or form data, or too large.
    if (req.originalUrl.startsWith('/admin')) return sendAdminError(res, status, (error as Error).message);
    if (req.originalUrl.includes('/oauth/')) {
      res.status(400).json({ error: 'invalid_request', error_description: (error as Error).message });
      return;
    }
    return sendXs2aError(res, new Xs2aError(400, 'FORMAT_ERROR', (error as Error).message));
  }
  sendXs2aError(res, new Xs2aError(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error in the sandbox bank'));
}

export async function startSandboxBank(options: StartSandboxBankOptions): Promise<RunningSandboxBank> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const linkHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = (options.publicUrl ?? `http://${linkHost}:${port}`).replace(/\/+$/, '');
  const { app, admin } = createSandboxBankApp({ ...options, publicUrl: url });
  server.on('request', app);
  return {
    url,
    admin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
