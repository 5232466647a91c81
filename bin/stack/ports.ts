import { createConnection, createServer } from 'node:net';
import type { ManagedChild } from './child';

/** Resolves once something accepts TCP connections on the port; fails early if the child dies. */
export async function waitForPort(port: number, timeoutMs: number, child?: ManagedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died: Error | null = null;
  child?.exited.then(
    () => (died = new Error(`${child.name} exited before it listened on port ${port}`)),
    (error: Error) => (died = error),
  );
  while (Date.now() < deadline) {
    if (died) throw died;
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fails fast with the port's variable name instead of a confusing EADDRINUSE from deep inside a server. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(new Error(`port ${port} is in use; stop what uses it or set ${variable} to another port`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
