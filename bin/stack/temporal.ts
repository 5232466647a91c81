import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';

/**
 * One gRPC connection per process, shared by the client; TLS and API key for Temporal Cloud or a secured cluster.
 * The data converter is the product's (bin/stack/data-converter.ts): a client without it writes personal data in clear.
 */
export async function connectTemporal(
  config: Config['temporal'],
  dataConverter: DataConverter,
): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({
    address: config.address,
    ...(config.tls ? { tls: true } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  });
  return { connection, client: new Client({ connection, namespace: config.namespace, dataConverter }) };
}

/** Waits until a freshly started server answers, instead of guessing a sleep. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal did not answer on ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}
