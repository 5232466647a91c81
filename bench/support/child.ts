import { spawn } from 'node:child_process';

/** What a child printed as its one JSON report, or how it ended otherwise. */
export type ChildOutcome<T> = { report: T } | { exit: string; stdout: string; stderr: string };

/**
 * Runs node with these arguments in a fresh process, so its memory and JIT state are its own, and reads the JSON
 * report it prints on stdout.
 */
export function runChild<T>(args: string[]): Promise<ChildOutcome<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ report: JSON.parse(stdout) as T });
      else resolve({ exit: String(code ?? signal), stdout, stderr });
    });
  });
}
