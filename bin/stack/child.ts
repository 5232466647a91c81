import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Asks the child to stop and waits; escalates to SIGKILL after the grace period. */
  stop(): Promise<void>;
  /** Resolves when the child exits on its own (a crash while the stack runs). */
  exited: Promise<number | null>;
}

/**
 * Starts a child in its own process group, so a terminal Ctrl-C reaches only us and we stop the stack in order
 * (API and worker before the servers they use); if we exit anyway, the child is killed with us. Keeps the
 * child's last lines for the error message when it dies early.
 */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { log?: (line: string) => void } = {},
): ManagedChild {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  process.once('exit', () => child.kill('SIGKILL'));
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.log?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${name} could not start (${command}): ${error.message}`)));
    child.once('exit', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  return {
    name,
    process: child,
    exited: exited.then((code) => {
      if (code !== 0 && code !== null)
        throw new Error(`${name} exited with code ${code}: ${tail.slice(-5).join(' / ')}`);
      return code;
    }),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
