import type { Request, RequestHandler, Response } from 'express';
import { authenticate } from './auth';
import type { ApiServices } from './services';

export interface Health {
  status: 'ok' | 'unavailable';
  checks: { database: string; temporal: string };
}

const TIMEOUT_MS = 3_000;

/**
 * Anyone may ask whether the API is up (a load balancer, a status page): 200 or 503 with only the status. The
 * checks' failures name hosts, ports and internals, so only the holder of a valid key of any role sees them.
 */
export function healthRoute(services: ApiServices): RequestHandler {
  const identify = authenticate(services.orm);
  return async (req, res) => {
    const health = await checkHealth(services);
    const details = await holdsValidKey(req, res, identify);
    res.status(health.status === 'ok' ? 200 : 503).json(details ? health : { status: health.status });
  };
}

async function holdsValidKey(req: Request, res: Response, identify: ReturnType<typeof authenticate>): Promise<boolean> {
  if (!req.get('authorization')) return false;
  try {
    await identify(req, res, () => undefined);
    return true;
  } catch {
    // A wrong, revoked or expired key, or a database that does not answer: the caller is anonymous.
    return false;
  }
}

/** 200 only when both the database and Temporal answer; each check is bounded so a hung dependency shows. */
async function checkHealth(services: ApiServices): Promise<Health> {
  const [database, temporal] = await Promise.all([
    probe(() => services.orm.em.fork().getConnection().execute('select 1')),
    probe(() => services.temporal.workflowService.describeNamespace({ namespace: services.namespace })),
  ]);
  return { status: database === 'ok' && temporal === 'ok' ? 'ok' : 'unavailable', checks: { database, temporal } };
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `failing: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}
