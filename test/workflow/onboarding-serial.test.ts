import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import {
  claimSerialUpdate, consentReturnedUpdate, onboardingWorkflow, resendUpdate, serialLockedSignal, startConsentUpdate, stateQuery, type OnboardingState,
} from '../../workflows/onboarding';
import { timeSkippingEnvironment, workflowBundle } from '../support/temporal';

/**
 * The serial flavour's branch of the onboarding workflow (issue 7; R-V6, R-V7, R-A10) on the time-skipping server,
 * with stand-in activities. The serial number itself never reaches the workflow: only its id.
 */
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

interface World {
  emails: string[];
  serialsIssued: string[];
  activationLinksIssued: number;
  statuses: string[];
  startedAt: number;
}

function standInActivities(world: World): Partial<Activities> {
  const hoursSinceStart = async () => ((await env.currentTimeMs()) - world.startedAt) / 3_600_000;
  return {
    recordOnboardingStatus: async ({ status }) => {
      world.statuses.push(status);
    },
    prepareOnboarding: async () => ({ ok: true as const, companyName: 'Test BV Donald' }),
    issueActivationLink: async () => {
      world.activationLinksIssued += 1;
      return { linkId: 'link' };
    },
    issueSerialNumber: async () => {
      const serialNumberId = `serial-${world.serialsIssued.length}`;
      world.serialsIssued.push(serialNumberId);
      return { serialNumberId };
    },
    sendOnboardingEmail: async ({ kind, serialNumberId }) => {
      world.emails.push(`${kind}${serialNumberId ? `(${serialNumberId})` : ''}@${Math.round(await hoursSinceStart())}h`);
      return { status: 'sent' };
    },
    beginConsent: async () => ({ attemptId: randomUUID() }),
    exchangeConsentCode: async () => ({ outcome: 'consented' as const, consentId: 'consent-1' }),
    syncProfile: async () => ({ connectionId: 'connection-1', added: ['NL69INGB0123456789'], kept: [] }),
    ensureFetchSchedule: async () => ({ scheduleId: 'connection:connection-1:fetch', times: [] }),
    planFetch: async () => ({ skip: 'stand-in', accounts: [] }),
    firstTransactionImported: async () => true,
  };
}

type Handle = Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>;

async function run(drive: (handle: Handle) => Promise<void>): Promise<{ result: OnboardingState; world: World }> {
  const world: World = { emails: [], serialsIssued: [], activationLinksIssued: 0, statuses: [], startedAt: await env.currentTimeMs() };
  const taskQueue = `onboarding-serial-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities: standInActivities(world) });
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(onboardingWorkflow, { taskQueue, workflowId: `onboarding:${randomUUID()}`, args: [{ onboardingId: randomUUID(), organizationId: randomUUID(), flavour: 'serial' }] });
    await drive(handle as Handle);
    return handle.result();
  });
  return { result, world };
}

async function waitingForConsent(handle: Handle): Promise<void> {
  while ((await handle.query(stateQuery)).status !== 'waiting_for_consent') await new Promise((resolve) => setTimeout(resolve, 20));
}

test('R-V6: a serial number is issued and e-mailed (no activation link); claim -> consent -> active', async () => {
  const { result, world } = await run(async (handle) => {
    await waitingForConsent(handle);
    await env.sleep(2 * 3_600_000);
    const claimed = await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] });
    expect(claimed.consentDeadline).toEqual((await handle.query(stateQuery)).consentDeadline);
    const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] });
    expect(await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] })).toEqual({ outcome: 'consented', reason: null });
  });
  expect(result.status).toBe('active');
  expect(world.serialsIssued).toEqual(['serial-0']);
  expect(world.activationLinksIssued).toBe(0);
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'connected@2h']);
  expect(world.statuses).toEqual(['waiting_for_consent', 'consent_in_progress', 'syncing_profile', 'waiting_for_first_transaction', 'active']);
});

test('startConsent before a claim, or with another serial number, is refused', async () => {
  const { result } = await run(async (handle) => {
    await waitingForConsent(handle);
    await expect(handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] })).rejects.toThrow();
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-9' }] })).rejects.toThrow();
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] });
    await expect(handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'link' }] })).rejects.toThrow();
    const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] });
    await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
  });
  expect(result.status).toBe('active');
});

test('R-A10: without a claim and consent the serial onboarding expires at 168 hours, after two reminders with the serial number', async () => {
  const { result, world } = await run(async () => undefined);
  expect(result.status).toBe('expired');
  expect(result.reason).toBe('the client did not give consent within 168 hours (R-A10); restart to send a new serial number');
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'reminder(serial-0)@96h', 'reminder(serial-0)@144h', 'expired@168h']);
});

test('an expired serial number is refused by the claim validator', async () => {
  await run(async (handle) => {
    await handle.result();
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] })).rejects.toThrow();
  });
});

test('R-V7: a locked serial number is refused by the claim validator; staff resend a new one, which works', async () => {
  const { result, world } = await run(async (handle) => {
    await waitingForConsent(handle);
    await handle.signal(serialLockedSignal, { serialNumberId: 'serial-0' });
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] })).rejects.toMatchObject({ cause: { message: 'this serial number is locked after five wrong tries; ask the accounting office for a new one' } });
    await env.sleep(3_600_000);
    expect(await handle.executeUpdate(resendUpdate, { args: [{ by: 'staff' }] })).toEqual({ linkId: null, serialNumberId: 'serial-1' });
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] })).rejects.toThrow();
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-1' }] });
    const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-1' }] });
    await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
  });
  expect(result.status).toBe('active');
  expect(world.serialsIssued).toEqual(['serial-0', 'serial-1']);
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'activation(serial-1)@1h', 'connected@1h']);
});
