import { spawn } from 'node:child_process';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../bin/stack/provision';

/** Pinned, like every npm dependency: a new Schemathesis brings new checks, and CI must not change under us. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** The checks whose failures the fuzz line counts: a 5xx, and every way a response can break the document. */
export const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
];

function venvDir(): string {
  return path.join(cacheDir(), 'schemathesis', SCHEMATHESIS_VERSION);
}

/**
 * Schemathesis from PyPI in a virtual environment of its own under the project's cache, made once. A venv cannot
 * be moved after it is made (its scripts name their own path), so it is built in place and marked complete last:
 * an interrupted install has no mark and is made again.
 */
export async function provisionSchemathesis(say: (line: string) => void): Promise<string> {
  const dir = venvDir();
  const executable = path.join(dir, 'bin', 'schemathesis');
  const mark = path.join(dir, '.complete');
  if (await exists(mark)) return executable;
  say(`Installing Schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir}…`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await run('python3', ['-m', 'venv', dir], 'python3 -m venv failed: install Python 3 with venv (python3-venv)');
  const pip = path.join(dir, 'bin', 'pip');
  const install = ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`];
  await run(pip, install, `pip could not install schemathesis==${SCHEMATHESIS_VERSION}`);
  await writeFile(mark, `${SCHEMATHESIS_VERSION}\n`);
  return executable;
}

/** Runs Schemathesis with its output on our stderr (stdout keeps only the fuzz line); resolves its exit code. */
export function runSchemathesis(executable: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 2, 2], env: { ...process.env, NO_COLOR: '1' } });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function run(command: string, args: string[], failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2] });
    child.once('error', (error) => reject(new Error(`${failure}: ${error.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${failure} (exit code ${code})`))));
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
