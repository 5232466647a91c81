import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { AccountOptions } from '../../domain/account-choice';
import {
  accountManagerUpdate,
  chooseAccountsUpdate,
  claimSerialUpdate,
  consentReturnedUpdate,
  resendUpdate,
  serialLockedSignal,
  startConsentUpdate,
  stateQuery,
  type OnboardingState,
} from '../../workflows/onboarding/contract';
import { onboardingWorkflow } from '../../workflows/onboarding/workflow';
import { timeSkippingEnvironment, withWorker } from '../support/temporal';

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
  /** What the wizard recorded, and the choice the profile sync received (null: the defaults). */
  answers: string[];
  syncedChoice: AccountOptions[] | null | undefined;
  startedAt: number;
}

const CURRENT = 'NL69INGB0123456789';
const SAVINGS = 'NL21INGB0987654321';
const CARD = 'NL47INGB0123456797';

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
      world.emails.push(
        `${kind}${serialNumberId ? `(${serialNumberId})` : ''}@${Math.round(await hoursSinceStart())}h`,
      );
      return { status: 'sent' };
    },
    beginConsent: async () => ({ attemptId: randomUUID() }),
    exchangeConsentCode: async () => ({ outcome: 'consented' as const, consentId: 'consent-1' }),
    recordWizardAnswers: async ({ details, accountManager }) => {
      if (details) world.answers.push(`details:${details.product}:${details.insideBusiness}`);
      if (accountManager) world.answers.push(`manager:${accountManager.email}`);
    },
    offerConsentedAccounts: async () => ({
      accounts: [
        { iban: CURRENT, notLinkable: null },
        { iban: SAVINGS, notLinkable: null },
        { iban: CARD, notLinkable: 'only current accounts and savings accounts can be linked, not CARD (R-V1)' },
      ],
      licence: { payments: true, directDebit: false },
    }),
    syncProfile: async ({ choice }) => {
      world.syncedChoice = choice;
      return { connectionId: 'connection-1', added: (choice ?? []).map((c) => c.iban), kept: [] };
    },
    ensureFetchSchedule: async () => ({ scheduleId: 'connection:connection-1:fetch', times: [] }),
    planFetch: async () => ({ skip: 'stand-in', accounts: [] }),
    firstTransactionImported: async () => true,
  };
}

type Handle = Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>;

async function run(drive: (handle: Handle) => Promise<void>): Promise<{ result: OnboardingState; world: World }> {
  const world: World = {
    emails: [],
    serialsIssued: [],
    activationLinksIssued: 0,
    statuses: [],
    answers: [],
    syncedChoice: undefined,
    startedAt: await env.currentTimeMs(),
  };
  const taskQueue = `onboarding-serial-${randomUUID()}`;
  const result = await withWorker(env, taskQueue, standInActivities(world), async () => {
    const handle = await env.client.workflow.start(onboardingWorkflow, {
      taskQueue,
      workflowId: `onboarding:${randomUUID()}`,
      args: [{ onboardingId: randomUUID(), organizationId: randomUUID(), flavour: 'serial' }],
    });
    await drive(handle as Handle);
    return handle.result();
  });
  return { result, world };
}

async function waitingForConsent(handle: Handle): Promise<void> {
  while ((await handle.query(stateQuery)).status !== 'waiting_for_consent')
    await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The wizard's Bank consent step, then its Accounts step once the workflow lists the accounts. */
async function consentAndChoose(
  handle: Handle,
  serialNumberId: string,
  accounts: AccountOptions[] = [{ iban: CURRENT, importTransactions: true, payments: false, directDebit: false }],
): Promise<void> {
  const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: serialNumberId }] });
  expect(await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] })).toEqual({
    outcome: 'consented',
    reason: null,
  });
  while ((await handle.query(stateQuery)).status !== 'choosing_accounts')
    await new Promise((resolve) => setTimeout(resolve, 20));
  await handle.executeUpdate(chooseAccountsUpdate, { args: [{ serialNumberId, accounts }] });
}

test('R-V6, R-V8..R-V12: a serial number is issued and e-mailed (no activation link); the wizard claims, names the account manager, consents and chooses accounts with options', async () => {
  const chosen: AccountOptions[] = [
    { iban: CURRENT, importTransactions: true, payments: true, directDebit: false },
    { iban: SAVINGS, importTransactions: true, payments: false, directDebit: false },
  ];
  const { result, world } = await run(async (handle) => {
    await waitingForConsent(handle);
    await env.sleep(2 * 3_600_000);
    await expect(
      handle.executeUpdate(accountManagerUpdate, {
        args: [{ serialNumberId: 'serial-0', name: 'A. Manager', email: 'am@example.nl' }],
      }),
    ).rejects.toThrow();
    const details = {
      product: 'bookkeeping',
      insideBusiness: false,
      termsAcceptedAt: '2026-11-26T10:00:00Z',
      privacyAcceptedAt: '2026-11-26T10:00:00Z',
    };
    const claimed = await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0', details }] });
    expect(claimed.consentDeadline).toEqual((await handle.query(stateQuery)).consentDeadline);
    await handle.executeUpdate(accountManagerUpdate, {
      args: [{ serialNumberId: 'serial-0', name: 'A. Manager', email: 'am@example.nl' }],
    });
    await consentAndChoose(handle, 'serial-0', chosen);
  });
  expect(result.status).toBe('active');
  expect(world.serialsIssued).toEqual(['serial-0']);
  expect(world.activationLinksIssued).toBe(0);
  expect(world.answers).toEqual(['details:bookkeeping:false', 'manager:am@example.nl']);
  expect(world.syncedChoice).toEqual(chosen);
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'connected@2h']);
  expect(world.statuses).toEqual([
    'waiting_for_consent',
    'consent_in_progress',
    'choosing_accounts',
    'syncing_profile',
    'waiting_for_first_transaction',
    'active',
  ]);
});

test('R-V12, R-V1: the Accounts step refuses, in words, an account not consented to, a card account, an option outside the licence, and choosing nothing', async () => {
  const { result } = await run(async (handle) => {
    await waitingForConsent(handle);
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] });
    const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] });
    await expect(
      handle.executeUpdate(chooseAccountsUpdate, {
        args: [
          {
            serialNumberId: 'serial-0',
            accounts: [{ iban: CURRENT, importTransactions: true, payments: false, directDebit: false }],
          },
        ],
      }),
    ).rejects.toMatchObject({
      cause: { message: 'the onboarding is consent_in_progress; accounts are chosen right after the bank consent' },
    });
    await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
    while ((await handle.query(stateQuery)).status !== 'choosing_accounts')
      await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = (accounts: AccountOptions[]) =>
      handle.executeUpdate(chooseAccountsUpdate, { args: [{ serialNumberId: 'serial-0', accounts }] });
    await expect(
      refused([{ iban: 'NL91ABNA0417164300', importTransactions: true, payments: false, directDebit: false }]),
    ).rejects.toMatchObject({
      cause: {
        message: expect.stringContaining('NL91ABNA0417164300 is not one of the accounts consented to at the bank'),
      },
    });
    await expect(
      refused([{ iban: CARD, importTransactions: true, payments: false, directDebit: false }]),
    ).rejects.toMatchObject({ cause: { message: expect.stringContaining('(R-V1)') } });
    await expect(
      refused([{ iban: CURRENT, importTransactions: true, payments: false, directDebit: true }]),
    ).rejects.toMatchObject({ cause: { message: `direct debit for ${CURRENT} is not part of the licence (R-V12)` } });
    await expect(
      refused([{ iban: CURRENT, importTransactions: false, payments: false, directDebit: false }]),
    ).rejects.toMatchObject({ cause: { message: 'choose at least one account to link' } });
    await expect(
      handle.executeUpdate(chooseAccountsUpdate, {
        args: [
          {
            serialNumberId: 'serial-9',
            accounts: [{ iban: CURRENT, importTransactions: true, payments: false, directDebit: false }],
          },
        ],
      }),
    ).rejects.toThrow();
    await refused([{ iban: SAVINGS, importTransactions: true, payments: false, directDebit: false }]);
  });
  expect(result.status).toBe('active');
});

test('R-V12: without a choice within 24 hours every linkable account is linked with Transactions (the profile sync gets no choice)', async () => {
  const { result, world } = await run(async (handle) => {
    await waitingForConsent(handle);
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] });
    const { attemptId } = await handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] });
    await handle.executeUpdate(consentReturnedUpdate, { args: [{ attemptId }] });
  });
  expect(result.status).toBe('active');
  expect(world.syncedChoice).toBeNull();
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'connected@24h']);
});

test('startConsent before a claim, or with another serial number, is refused', async () => {
  const { result } = await run(async (handle) => {
    await waitingForConsent(handle);
    await expect(handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'serial-0' }] })).rejects.toThrow();
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-9' }] })).rejects.toThrow();
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] });
    await expect(handle.executeUpdate(startConsentUpdate, { args: [{ linkId: 'link' }] })).rejects.toThrow();
    await consentAndChoose(handle, 'serial-0');
  });
  expect(result.status).toBe('active');
});

test('R-A10: without a claim and consent the serial onboarding expires at 168 hours, after two reminders with the serial number', async () => {
  const { result, world } = await run(async () => undefined);
  expect(result.status).toBe('expired');
  expect(result.reason).toBe(
    'the client did not give consent within 168 hours (R-A10); restart to send a new serial number',
  );
  expect(world.emails).toEqual([
    'activation(serial-0)@0h',
    'reminder(serial-0)@96h',
    'reminder(serial-0)@144h',
    'expired@168h',
  ]);
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
    await expect(
      handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] }),
    ).rejects.toMatchObject({
      cause: {
        message: 'this serial number is locked after five wrong tries; ask the accounting office for a new one',
      },
    });
    await env.sleep(3_600_000);
    expect(await handle.executeUpdate(resendUpdate, { args: [{ by: 'staff' }] })).toEqual({
      linkId: null,
      serialNumberId: 'serial-1',
    });
    await expect(handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-0' }] })).rejects.toThrow();
    await handle.executeUpdate(claimSerialUpdate, { args: [{ serialNumberId: 'serial-1' }] });
    await consentAndChoose(handle, 'serial-1');
  });
  expect(result.status).toBe('active');
  expect(world.serialsIssued).toEqual(['serial-0', 'serial-1']);
  expect(world.emails).toEqual(['activation(serial-0)@0h', 'activation(serial-1)@1h', 'connected@1h']);
});
