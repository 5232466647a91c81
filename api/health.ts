import type { ApiServices } from './services';

export interface Health {
  status: 'ok' | 'unavailable';
  checks: { database: string; temporal: string };
}

const TIMEOUT_MS = 3_000;

/** 200 only when both the database and Temporal answer; each check is bounded so a hung dependency shows. */
export async function checkHealth(services: ApiServices): Promise<Health> {
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
