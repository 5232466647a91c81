import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { DataConverter } from '@temporalio/common';
import { serverExecutable } from '../../bin/stack/provision';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { testDataConverter } from './keys';

export const TEST_TASK_QUEUE = 'bank-connections-test';

/** The provisioned binaries (global setup); an empty value means the SDK downloads its own. */
function provisioned(name: 'BK_TEST_TEMPORAL_CLI' | 'BK_TEST_TEMPORAL_TEST_SERVER'): string | null {
  return process.env[name] || null;
}

/**
 * The SDK gives the test server's JVM 5 seconds to listen, which a machine busy with other test files can miss;
 * a server that did start never fails this way, so trying again is safe.
 */
async function startingJvm<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String(error))) throw error;
    }
  }
}

/**
 * The time-skipping server, with our search attributes registered like on the dev server. Its client uses the
 * product's data converter unless told otherwise (the saved histories are recorded in clear, to be read in review).
 */
export async function timeSkippingEnvironment(
  dataConverter: DataConverter = testDataConverter,
): Promise<TestWorkflowEnvironment> {
  const env = await startingJvm(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: serverExecutable(provisioned('BK_TEST_TEMPORAL_TEST_SERVER')) },
      client: { dataConverter },
    }),
  );
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/**
 * A real Temporal dev server (the same CLI `npm start` runs), with our search attributes registered; its Web UI only
 * when asked for, decoding through the given codec endpoint as `npm start` has it.
 */
export function devServerEnvironment(
  options: { ui?: { port: number; codecEndpoint: string } } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: serverExecutable(provisioned('BK_TEST_TEMPORAL_CLI')),
      searchAttributes: SEARCH_ATTRIBUTES,
      ...(options.ui
        ? { ui: true, uiPort: options.ui.port, extraArgs: ['--ui-codec-endpoint', options.ui.codecEndpoint] }
        : { ui: false }),
    },
    client: { dataConverter: testDataConverter },
  });
}

export function workflowBundle(): { codePath: string } {
  const codePath = process.env.BK_TEST_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('BK_TEST_WORKFLOW_BUNDLE is not set: run tests through jest (test/support/global-setup.ts)');
  return { codePath };
}

/** Runs `body` while a worker serves this task queue: the workflows of the shared bundle, these stand-in activities. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: Partial<Activities>,
  body: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
    // The worker speaks whatever its environment's client speaks: the product's codec, or clear for recordings.
    dataConverter: env.client.options.dataConverter,
  });
  return worker.runUntil(body);
}
