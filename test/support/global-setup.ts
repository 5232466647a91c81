import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../bin/stack/data-converter';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../bin/stack/postgres';
import { freePort, resolveTemporalCli, resolveTestServer } from '../../bin/stack/provision';

/**
 * Once per `jest` run: provision Temporal's binaries, start one PostgreSQL cluster (each test file then creates
 * its own database in it), and bundle the workflows once. Test files find all of it through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bankkoppeling-test-'));
  // PostgreSQL runs as the `postgres` user under root; it must be able to enter this directory.
  await chmod(workDir, 0o755);
  const say = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  process.env.BK_TEST_WORK_DIR = workDir;

  const [cli, testServer] = await Promise.all([resolveTemporalCli(say), resolveTestServer(say)]);
  process.env.BK_TEST_TEMPORAL_CLI = cli ?? '';
  process.env.BK_TEST_TEMPORAL_TEST_SERVER = testServer ?? '';

  if (process.env.DATABASE_URL) {
    process.env.BK_TEST_DB_SERVER_URL = serverUrlOf(process.env.DATABASE_URL);
  } else {
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort() });
    (globalThis as { __bkPostgres?: EmbeddedPostgresHandle }).__bkPostgres = postgres;
    process.env.BK_TEST_DB_SERVER_URL = postgres.serverUrl;
  }

  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  process.env.BK_TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as { __bkWorkDir?: string }).__bkWorkDir = workDir;
}

/** DATABASE_URL names one database; tests need the server, to create a database per test file. */
function serverUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
}
