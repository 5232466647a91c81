import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { startChild, type ManagedChild } from '../bin/stack/child';

/**
 * One of the product's own entry points (dist/bin/api.js, dist/bin/worker.js) as a child process of its own, so a
 * fault (SIGKILL) hits it alone; its output goes to a log file under the run's data directory for a post-mortem.
 */
export class NodeProcess {
  private child: ManagedChild | null = null;
  private readonly log: WriteStream;
  private started = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    logDir: string,
    /** Resolves once the process serves; gets the output lines seen so far. */
    private readonly ready: (lines: () => string) => Promise<void>,
  ) {
    this.log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  }

  async start(): Promise<void> {
    this.started += 1;
    let output = '';
    this.log.write(`--- start ${this.started} at ${new Date().toISOString()}\n`);
    this.child = startChild(this.name, process.execPath, [this.script], {
      env: { ...process.env, ...this.env },
      log: (line) => {
        output += `${line}\n`;
        if (output.length > 100_000) output = output.slice(-50_000);
        this.log.write(`${line}\n`);
      },
    });
    const child = this.child;
    await Promise.race([
      this.ready(() => output),
      child.exited.then((code) => {
        throw new Error(`${this.name} exited (${code}) while starting: ${output.slice(-500)}`);
      }),
    ]);
  }

  /** SIGKILL, as a crashed host or an OOM killer would: no shutdown hook runs. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.process.kill('SIGKILL');
    await child.exited.catch(() => undefined);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    await child?.stop();
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}

/** Waits until the output contains the text, e.g. the worker's "polling task queue" line. */
export function outputContains(text: string, timeoutMs: number): (lines: () => string) => Promise<void> {
  return async (lines) => {
    const deadline = Date.now() + timeoutMs;
    while (!lines().includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in the output within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
}
