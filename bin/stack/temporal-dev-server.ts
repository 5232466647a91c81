import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startChild, type ManagedChild } from './child';
import { waitForTemporal } from './temporal';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The codec server the Web UI decodes payloads with (bin/stack/codec-server.ts). */
  codecEndpoint?: string;
  log?: (line: string) => void;
}

/**
 * The Temporal CLI dev server: SQLite file under DATA_DIR so workflows survive a restart, the Web UI, and the
 * search attributes registered at every start (the CLI skips ones that exist).
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<ManagedChild> {
  await mkdir(options.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
  const child = startChild('Temporal dev server', options.cliPath, args, { log: options.log });
  await Promise.race([
    waitForTemporal(`127.0.0.1:${options.port}`, 30_000),
    child.exited.then(() => {
      throw new Error('Temporal dev server exited during start');
    }),
  ]);
  return child;
}
