import net from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli, resolveTestServer, serverExecutable } from '../../bin/stack/provision';

// A first run on an empty cache downloads ~80 MB and starts a JVM.
const PROVISION_TIMEOUT_MS = 5 * 60_000;

let cli: string | null;
let testServer: string | null;

beforeAll(async () => {
  const log = (line: string): void => void process.stderr.write(`[provision] ${line}\n`);
  cli = await resolveTemporalCli(log);
  testServer = await resolveTestServer(log);
}, PROVISION_TIMEOUT_MS);

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('provisions both binaries on this machine', () => {
  expect(cli).toEqual(expect.stringMatching(/temporal$/));
  expect(testServer).toEqual(expect.stringMatching(/temporal-test-server$/));
});

it('runs the time-skipping test server through the SDK and leaves no JVM behind', async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: serverExecutable(testServer) },
  });
  const port = portOf(env.address);
  try {
    expect(env.supportsTimeSkipping).toBe(true);
    const info = await env.connection.workflowService.getSystemInfo({});
    expect(info.capabilities).toBeTruthy();
  } finally {
    await env.teardown();
  }
  expect(await accepts(port)).toBe(false);
});

it('runs the Temporal CLI dev server through the SDK', async () => {
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: serverExecutable(cli) },
  });
  try {
    expect(env.supportsTimeSkipping).toBe(false);
    const info = await env.client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
  } finally {
    await env.teardown();
  }
});
