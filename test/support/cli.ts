import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The CLI as users run it (`npm run cli` builds first, then runs dist/). Several test files use it; they build
 * once per jest run between them, since two builds at once empty each other's dist/ (the build starts from an
 * empty one) and a test would then find no dist/bin/cli.js.
 */
export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/bin/cli.js');
/** A build on a machine busy with other test files can take minutes. */
export const BUILD_TIMEOUT_MS = 300_000;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Builds dist/ once for this jest run: the first caller builds, the others wait for its outcome. */
export async function buildOnce(): Promise<void> {
  const workDir = process.env.BK_TEST_WORK_DIR;
  if (!workDir) throw new Error('BK_TEST_WORK_DIR is not set: run tests through jest (test/support/global-setup.ts)');
  const outcome = join(workDir, 'build-outcome');
  try {
    await mkdir(join(workDir, 'build-lock'));
  } catch {
    for (;;) {
      const written = await readFile(outcome, 'utf8').catch(() => null);
      if (written !== null) {
        if (written !== 'ok') throw new Error(written);
        return;
      }
      await new Promise((wait) => setTimeout(wait, 500));
    }
  }
  const build = await run('npm', ['run', '--silent', 'build']);
  const result = build.code === 0 ? 'ok' : `npm run build failed:\n${build.stdout}${build.stderr}`;
  await writeFile(outcome, result);
  if (result !== 'ok') throw new Error(result);
}
