import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { basisprofielResponse, kvkFout, zoekenResponse } from './responses';
import { KVK_ERRORS, TEST_REGISTRATIONS } from './test-data';

/**
 * A local stand-in for the KvK API ("KVK Handelsregister Zoeken" v2 and "Basisprofiel" v1) that serves the KvK test
 * environment's data on the same paths, so the client only swaps its base URL and key between here, the KvK test
 * environment (https://api.kvk.nl/test) and production (https://api.kvk.nl).
 */
export function createSandboxKvkApp(): express.Express {
  const registrations = new Map(TEST_REGISTRATIONS.map((registration) => [registration.kvkNummer, registration]));
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    // Any key will do here; the sandbox only insists that the client sends one, as the real API does.
    const apiKey = req.get('apikey');
    if (!apiKey || apiKey.trim() === '') {
      sendFout(res, KVK_ERRORS.missingApiKey, '');
      return;
    }
    next();
  });

  app.get('/api/v2/zoeken', (req: Request, res: Response) => {
    // The real API matches parameter names without regard to case (its own links write `kvknummer`).
    const query = new Map(Object.entries(req.query).map(([name, value]) => [name.toLowerCase(), value]));
    // Searching by name, address, RSIN or branch is not served: the product looks companies up by KvK number only.
    const unsupported = [...query.keys()].filter(
      (name) => !['kvknummer', 'pagina', 'resultatenperpagina'].includes(name),
    );
    const pagina = pageParameter(query.get('pagina'), 1, 1000);
    const resultatenPerPagina = pageParameter(query.get('resultatenperpagina'), 10, 100);
    if (pagina === null) unsupported.push('pagina');
    if (resultatenPerPagina === null) unsupported.push('resultatenPerPagina');
    if (unsupported.length > 0 || pagina === null || resultatenPerPagina === null) {
      sendFout(res, KVK_ERRORS.invalidParameters, unsupported.join(', '));
      return;
    }
    const kvkNummer = query.get('kvknummer');
    if (typeof kvkNummer !== 'string' || !isKvkNumber(kvkNummer)) {
      sendFout(res, KVK_ERRORS.invalidKvkNumber, typeof kvkNummer === 'string' ? kvkNummer : '');
      return;
    }
    const registration = registrations.get(kvkNummer);
    const answer = registration && zoekenResponse(registration, { pagina, resultatenPerPagina }, ownBaseUrl(req));
    if (!answer) {
      sendFout(res, KVK_ERRORS.noSearchResults, kvkNummer);
      return;
    }
    res.type('application/hal+json').send(JSON.stringify(answer));
  });

  app.get('/api/v1/basisprofielen/:kvkNummer', (req: Request, res: Response) => {
    const kvkNummer = String(req.params.kvkNummer);
    const unsupported = Object.keys(req.query).filter((name) => name.toLowerCase() !== 'geodata');
    if (unsupported.length > 0) {
      sendFout(res, KVK_ERRORS.invalidParameters, unsupported.join(', '));
      return;
    }
    if (!isKvkNumber(kvkNummer)) {
      sendFout(res, KVK_ERRORS.invalidKvkNumber, kvkNummer);
      return;
    }
    const registration = registrations.get(kvkNummer);
    if (!registration) {
      sendFout(res, KVK_ERRORS.productNotDeliverable, kvkNummer);
      return;
    }
    res.type('application/hal+json').send(JSON.stringify(basisprofielResponse(registration, ownBaseUrl(req))));
  });

  return app;
}

export async function startSandboxKvk(
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createSandboxKvkApp().listen(port, host);
  await once(server, 'listening');
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isKvkNumber(value: string): boolean {
  return /^[0-9]{8}$/.test(value);
}

function pageParameter(value: unknown, fallback: number, max: number): number | null {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 && number <= max ? number : null;
}

function sendFout(res: Response, error: { status: number; code: string; omschrijving: string }, value: string): void {
  res.status(error.status).json(kvkFout(error, value));
}

/**
 * The real answers carry absolute links to the API itself. The sandbox has no public address of its own, so it echoes
 * the host it was reached on; nothing follows these links, they only keep the answers the same shape.
 */
function ownBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
