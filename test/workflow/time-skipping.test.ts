import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { timeSkippingEnvironment } from '../support/temporal';

/**
 * The harness every later workflow test relies on: the time-skipping server provisioned by the project lets a
 * workflow wait the 168 hours of an activation link (R-A10) in seconds of wall time.
 */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

test('a 7-day wait for a signal that never comes times out in a few wall-clock seconds', async () => {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'time-skipping',
    workflowsPath: require.resolve('./fixtures/wait-for-consent'),
    dataConverter: env.client.options.dataConverter,
  });
  const started = Date.now();
  const result = await worker.runUntil(
    env.client.workflow.execute('waitForConsentOrExpiry', {
      taskQueue: 'time-skipping',
      workflowId: 'seven-days',
      args: [168],
    }),
  );
  const wallSeconds = (Date.now() - started) / 1000;
  expect(result).toEqual({ outcome: 'expired', waitedHours: 168 });
  expect(wallSeconds).toBeLessThan(60);
});
