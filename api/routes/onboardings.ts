import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { EMAIL_STATUSES, emailProblem } from '../../domain/email';
import type { KvkClient, KvkLookupResult } from '../../kvk/client';
import { KvkRejectedError, KvkUnavailableError } from '../../kvk/errors';
import { connectabilityProblems } from '../../domain/bank-account';
import { DUTCH_BANK_CODES, dutchBankCode, formatIban, type DutchBankCode } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import {
  currentStep,
  ONBOARDING_FLAVOURS,
  ONBOARDING_STATUSES,
  OPEN_STATUSES,
  type OnboardingStatus as Status,
} from '../../domain/onboarding';
import { roleAllows } from '../../domain/api-key';
import { formatSerialNumber } from '../../domain/serial-number';
import type { TokenCipher } from '../../db/token-cipher';
import {
  BankAccount,
  EmailMessage,
  Onboarding,
  SerialNumber,
  type IBankAccount,
  type IEnvironment,
  type IOnboarding,
} from '../../db/entities';
import { cancelUpdate, onboardingWorkflowId, resendUpdate } from '../../workflows/onboarding/contract';
import type { AuthContext } from '../auth';
import { recordAudit } from '../audit';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { Problem, type FieldError } from '../problem';
import { defineRoute, IdParams, type Example } from '../route';
import type { ApiServices } from '../services';
import { cancelUnstartedOnboarding, startOnboardingWorkflow, WAITING_FOR_TEMPORAL } from '../onboarding-start';
import { findEnvironment } from './environments';

const Email = z
  .string()
  .trim()
  .max(320)
  .refine((v) => emailProblem(v) === null, 'is not an e-mail address');

/** What each status means to staff; typed by the status list, so a new status cannot go undocumented. */
const STATUS_MEANINGS: Record<Status, string> = {
  preparing: 'checking the environment, the bank accounts, the activation message and the KvK number',
  rejected: 'a check failed; `statusReason` says which (final)',
  waiting_for_consent: 'the link or serial number is out; waiting up to 168 hours for the client',
  consent_in_progress: 'the client is at the bank giving consent',
  choosing_accounts: 'serial flavour: consent given; the client picks accounts and options in the wizard',
  syncing_profile: 'the consented accounts are being added to the connection',
  waiting_for_first_transaction: 'connected; waiting up to 24 hours for the first booked transaction',
  active: 'connected, and the first transactions are imported (final)',
  active_awaiting_first_transaction:
    'connected, no transaction within 24 hours; the client got the one-cent tip (final)',
  consent_refused: 'the bank refused consent (a user without the right role); a new link or serial number can follow',
  expired: 'no consent within 168 hours (final); restart for a fresh link',
  cancelled: 'stopped by staff; `statusReason` names the API key (final)',
};

type Step = ReturnType<typeof currentStep>;
const STEP_MEANINGS: Record<Step, string> = {
  prepare: 'the checks before anything is sent',
  issue: 'the link or serial number is being issued and e-mailed',
  wait_for_consent: 'waiting for the client to open the link or the wizard',
  consent: 'the client is at the bank',
  choose_accounts: "serial flavour: the wizard's Accounts step",
  profile_sync: 'adding the accounts to the connection',
  first_transactions: 'the first fetch, and waiting for the first booked transaction',
  done: 'finished; `status` says how',
};

function listed(meanings: Record<string, string>): string {
  return Object.entries(meanings)
    .map(([value, meaning]) => `- \`${value}\`: ${meaning}`)
    .join('\n');
}

const Flavour = z
  .enum(ONBOARDING_FLAVOURS)
  .describe(
    '`activation-link`: the client gets an e-mail with a single-use link (R-A9, R-A10). `serial`: the client gets a ' +
      'serial number and the wizard link, for a client who does not use the bookkeeping (R-V6, R-V7).',
  );
const Bank = z
  .enum(DUTCH_BANK_CODES)
  .describe('The bank of the connection: `INGB` ING, `RABO` Rabobank, `ABNA` ABN AMRO');
const Language = z.enum(['nl', 'en']).describe('Language of the e-mails and the client pages: `nl` (default) or `en`');

const CreateOnboarding = z
  .object({
    flavour: Flavour,
    environmentId: z
      .uuid()
      .describe('The environment (administration) the accounts are booked in; GET /api/environments'),
    bank: Bank,
    client: z
      .object({
        kvkNumber: z
          .string()
          .trim()
          .refine((v) => kvkNumberProblem(v) === null, 'must be 8 digits')
          .describe("The client company's KvK number, 8 digits; one the KvK does not know is refused with 422 (R-V3)"),
        email: Email.describe('Where the link or serial number is sent'),
      })
      .strict()
      .describe('The client company'),
    bankAccountIds: z
      .array(z.uuid())
      .max(50)
      .default([])
      .describe(
        'The bank accounts (GET /api/bank-accounts) this onboarding is for; each must be at `bank` and ' +
          'connectable (a current or savings account with an IBAN and a bank journal), or the answer is 422 ' +
          'naming it. Empty: every account the client consents to.',
      ),
    accountManager: z
      .object({
        name: z.string().trim().min(1).max(200).describe('Shown to the client as their contact'),
        email: Email.describe("Receives the connection's notices: consent ended, expiry"),
      })
      .strict()
      .optional()
      .describe("The office's contact person for this client"),
    language: Language.default('nl'),
  })
  .strict()
  .meta({ id: 'CreateOnboarding', description: 'Start an onboarding by activation link or by serial number' });

const OnboardingView = z
  .object({
    id: z.uuid().describe("The onboarding's id"),
    workflowId: z.string().describe('The Temporal workflow: `onboarding:<id>`'),
    flavour: Flavour,
    status: z.enum(ONBOARDING_STATUSES).describe(`Where the onboarding stands:\n${listed(STATUS_MEANINGS)}`),
    statusReason: z
      .string()
      .nullable()
      .describe(
        'Why it was rejected, refused, expired or cancelled, in words; while its start waits for Temporal, that; ' +
          'null otherwise',
      ),
    currentStep: z
      .enum(Object.keys(STEP_MEANINGS) as [Step, ...Step[]])
      .describe(`The workflow's step (R-D1):\n${listed(STEP_MEANINGS)}`),
    bank: Bank,
    environmentId: z.uuid().describe('The environment the accounts are booked in'),
    bankAccountIds: z
      .array(z.uuid())
      .describe('The bank accounts named at the start; empty: every account the client consents to'),
    client: z
      .object({
        kvkNumber: z.string().describe('KvK number, 8 digits'),
        email: z.string().describe('Where the link or serial number was sent'),
        companyName: z
          .string()
          .nullable()
          .describe('From the KvK, once the prepare step has looked it up (R-V3); null before'),
      })
      .describe('The client company'),
    accountManager: z
      .object({
        name: z.string().nullable().describe('Contact name'),
        email: z.string().nullable().describe('Contact e-mail'),
      })
      .describe("The office's contact person for this client; both null when none was given"),
    language: Language,
    consentDeadline: z.iso
      .datetime()
      .nullable()
      .describe('R-A10: the link and the wait for consent end here; null until issued'),
    connectionId: z
      .uuid()
      .nullable()
      .describe('The bank connection, once consent is given (GET /api/connections/{id})'),
    restartOf: z.uuid().nullable().describe('The onboarding this one restarted, if any'),
    temporalUiUrl: z.string().describe("The workflow's history in the Temporal UI, for support"),
    createdAt: z.iso.datetime().describe('When staff started it'),
    completedAt: z.iso.datetime().nullable().describe('When it reached a final status; null while it runs'),
  })
  .meta({ id: 'Onboarding' });

const OnboardingDetail = OnboardingView.extend({
  serialNumber: z
    .string()
    .nullable()
    .describe(
      'Serial flavour (R-V6, R-V7): the current serial number, XXXX-XXXX-XXXX, to note down or read to the client; null before it is issued and once it no longer works. Only staff and admin keys see it: a support key always gets null, since whoever holds a live serial number can start a consent for the client',
    ),
  serialNumberLocked: z
    .boolean()
    .describe('R-V7: five wrong KvK numbers locked the serial number; resend issues a new one'),
  emails: z
    .array(
      z.object({
        template: z
          .string()
          .describe('Which e-mail: `onboarding-activation`, `onboarding-serial`, `onboarding-reminder`, ...'),
        to: z.string().describe('Recipient'),
        status: z.enum(EMAIL_STATUSES).describe('`pending` in the outbox, or `sent`'),
        sentAt: z.iso.datetime().nullable().describe('When the mail server took it; null while pending'),
      }),
    )
    .describe('The e-mails of this onboarding, oldest first'),
}).meta({ id: 'OnboardingDetail' });

const OnboardingList = z
  .object({
    items: z.array(OnboardingView).describe('Oldest first'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'OnboardingList' });

const EXAMPLE_ENVIRONMENT = '0b6f2a4e-5c1d-4f7a-9e3b-2d8c6a1f4e90';
const EXAMPLE_ACCOUNT = '5e9d1c3b-7a2f-4b8e-8c6d-1f0a9b3e7d24';

const START_EXAMPLES = {
  'activation-link': {
    summary: 'Activation link: the client gets an e-mail with a single-use link',
    value: {
      flavour: 'activation-link',
      environmentId: EXAMPLE_ENVIRONMENT,
      bank: 'INGB',
      client: { kvkNumber: '68750110', email: 'eigenaar@testbvdonald.nl' },
      bankAccountIds: [EXAMPLE_ACCOUNT],
      accountManager: { name: 'Anna de Vries', email: 'anna@kantoor.nl' },
      language: 'nl',
    },
  },
  serial: {
    summary: 'Serial number: the client gets a serial number and the wizard link, in English',
    value: {
      flavour: 'serial',
      environmentId: EXAMPLE_ENVIRONMENT,
      bank: 'RABO',
      client: { kvkNumber: '69599084', email: 'dagobert@example.nl' },
      language: 'en',
    },
  },
} satisfies Record<string, Example<z.input<typeof CreateOnboarding>>>;

function startedExample(id: string, start: z.input<typeof CreateOnboarding>): z.infer<typeof OnboardingView> {
  return {
    id,
    workflowId: `onboarding:${id}`,
    flavour: start.flavour,
    status: 'preparing',
    statusReason: null,
    currentStep: 'prepare',
    bank: start.bank,
    environmentId: start.environmentId,
    bankAccountIds: start.bankAccountIds ?? [],
    client: { ...start.client, companyName: null },
    accountManager: { name: start.accountManager?.name ?? null, email: start.accountManager?.email ?? null },
    language: start.language ?? 'nl',
    consentDeadline: null,
    connectionId: null,
    restartOf: null,
    temporalUiUrl: `http://localhost:8233/namespaces/default/workflows/onboarding%3A${id}`,
    createdAt: '2026-12-07T09:30:00.000Z',
    completedAt: null,
  };
}

const STARTED_EXAMPLES = {
  'activation-link': {
    summary: 'Activation link, just started',
    value: startedExample('3f2c8d1a-6b4e-4c9f-a7d2-8e1b5f0c9a36', START_EXAMPLES['activation-link'].value),
  },
  serial: {
    summary: 'Serial number, just started',
    value: startedExample('9a7e4b2c-1d5f-4e8a-b3c6-0f2d7a9e5b18', START_EXAMPLES.serial.value),
  },
};

function temporalUrl(services: ApiServices, workflowId: string): string {
  return `${services.temporalUiUrl}/namespaces/${encodeURIComponent(services.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function present(services: ApiServices, onboarding: IOnboarding): z.infer<typeof OnboardingView> {
  return {
    id: onboarding.id,
    workflowId: onboarding.workflowId,
    flavour: onboarding.flavour,
    status: onboarding.status,
    statusReason:
      onboarding.status === 'preparing' && !onboarding.workflowStartedAt
        ? WAITING_FOR_TEMPORAL
        : (onboarding.statusReason ?? null),
    currentStep: currentStep(onboarding.status),
    // Stored as text; only a start through CreateOnboarding writes them, so they are always one of these.
    bank: onboarding.bankCode as DutchBankCode,
    environmentId: onboarding.environment.id,
    bankAccountIds: onboarding.bankAccountIds,
    client: {
      kvkNumber: onboarding.kvkNumber,
      email: onboarding.clientEmail,
      companyName: onboarding.clientCompany?.name ?? null,
    },
    accountManager: { name: onboarding.accountManagerName ?? null, email: onboarding.accountManagerEmail ?? null },
    language: onboarding.language as z.infer<typeof Language>,
    consentDeadline: onboarding.consentDeadline?.toISOString() ?? null,
    connectionId: onboarding.connection?.id ?? null,
    restartOf: onboarding.restartOf ?? null,
    temporalUiUrl: temporalUrl(services, onboarding.workflowId),
    createdAt: onboarding.createdAt.toISOString(),
    completedAt: onboarding.completedAt?.toISOString() ?? null,
  };
}

/**
 * A live serial number lets whoever holds it start a consent for the client, so only the roles that act for the
 * client (staff, admin) read it back; the read-only support role sees null.
 */
export function readsSerialNumbers(reader: AuthContext): boolean {
  return roleAllows(reader.role, 'write');
}

/**
 * The serial number staff read back (R-V7, R-V9 "serial number unknown?"): the newest one of the onboarding that
 * was not revoked (replaced, cancelled, expired). Decrypted here only; the database keeps it encrypted.
 */
export async function currentSerialNumber(
  em: EntityManager,
  cipher: TokenCipher,
  onboardingId: string,
  reader: AuthContext,
): Promise<{ serialNumber: string | null; serialNumberLocked: boolean }> {
  const row = await em.findOne(
    SerialNumber,
    { onboarding: onboardingId, revokedAt: null },
    { orderBy: { createdAt: 'desc' } },
  );
  if (!row) return { serialNumber: null, serialNumberLocked: false };
  return {
    serialNumber: readsSerialNumbers(reader) ? formatSerialNumber(cipher.decrypt(row.numberEncrypted)) : null,
    serialNumberLocked: row.lockedAt !== null && row.lockedAt !== undefined,
  };
}

async function findOnboarding(em: EntityManager, organizationId: string, id: string): Promise<IOnboarding> {
  const onboarding = await em.findOne(
    Onboarding,
    { id, organization: organizationId },
    { populate: ['clientCompany'] },
  );
  if (!onboarding) throw Problem.notFound('onboarding');
  return onboarding;
}

/**
 * The KvK gets a few seconds to say that it does not know a number, so staff hear it in the answer instead of
 * finding the onboarding rejected later. Slow, unreachable or refusing our key is the platform's trouble, not a
 * wrong number: the onboarding starts and its prepare step asks again, with retries.
 */
const KVK_ANSWER_WAIT_MS = 3_000;

async function kvkNumberErrors(kvk: KvkClient, kvkNumber: string): Promise<FieldError[]> {
  let result: KvkLookupResult;
  try {
    result = await kvk.lookup(kvkNumber, { timeoutMs: KVK_ANSWER_WAIT_MS });
  } catch (error) {
    if (error instanceof KvkUnavailableError || error instanceof KvkRejectedError) return [];
    throw error;
  }
  if (result.kind === 'not_found') {
    return [{ field: 'client.kvkNumber', message: `${kvkNumber} is not registered at the KvK (R-V3)` }];
  }
  if (result.kind === 'invalid') return [{ field: 'client.kvkNumber', message: result.reason }];
  return [];
}

/**
 * An account the onboarding cannot connect: another bank's (its consent would never list it), or one the prepare
 * step would refuse anyway (R-V1, R-A4). The prepare step checks again, since an account can change meanwhile.
 */
function bankAccountErrors(field: string, account: IBankAccount, bank: string): FieldError[] {
  const facts = {
    type: account.type,
    iban: account.iban ?? null,
    journalId: account.journal?.id ?? null,
    currency: account.currency,
  };
  const errors = connectabilityProblems(facts).map((problem) => ({ field, message: `${account.name}: ${problem}` }));
  const accountBank = account.iban ? dutchBankCode(account.iban) : null;
  if (account.iban && accountBank !== bank) {
    const where = accountBank ? `at ${accountBank}` : 'not at a Dutch bank';
    const message = `${account.name} (${formatIban(account.iban)}) is ${where}; this onboarding is for ${bank}`;
    errors.push({ field, message });
  }
  return errors;
}

/** Refuses at once what the prepare step would otherwise reject minutes later (R-V1, R-V3, R-A4). */
async function refuseWhatCannotWork(
  em: EntityManager,
  services: ApiServices,
  auth: AuthContext,
  body: z.infer<typeof CreateOnboarding>,
): Promise<IEnvironment> {
  const environment = await findEnvironment(em, auth.organizationId, body.environmentId, 'environmentId');
  const errors: FieldError[] = [];
  for (const [index, id] of body.bankAccountIds.entries()) {
    const field = `bankAccountIds.${index}`;
    const account = await em.findOne(BankAccount, { id, organization: auth.organizationId });
    if (!account) {
      const message = 'no bank account with this id';
      throw new Problem(404, 'Not found', `${field}: ${message}`, [{ field, message }]);
    }
    errors.push(...bankAccountErrors(field, account, body.bank));
  }
  errors.push(...(await kvkNumberErrors(services.kvk, body.client.kvkNumber)));
  if (errors.length) throw Problem.unprocessable(errors);
  return environment;
}

/**
 * Creates the row and starts the workflow (R-D1); a start Temporal cannot take now is made later by the
 * reconciler (api/onboarding-start.ts). R-A9: one open link per environment per bank agreement, so a second
 * onboarding for the same client, bank and environment while one waits is refused.
 */
async function startOnboarding(
  em: EntityManager,
  services: ApiServices,
  log: Logger,
  auth: AuthContext,
  body: z.infer<typeof CreateOnboarding>,
  environment: IEnvironment,
  restartOf: string | null,
): Promise<IOnboarding> {
  const open = await em.findOne(Onboarding, {
    organization: auth.organizationId,
    environment,
    bankCode: body.bank,
    kvkNumber: body.client.kvkNumber,
    status: { $in: [...OPEN_STATUSES] },
  });
  if (open) {
    throw new Problem(
      409,
      'Conflict',
      `onboarding ${open.id} for KvK ${body.client.kvkNumber} at ${body.bank} in this environment is still ${open.status.replace(/_/g, ' ')}; resend, cancel or restart it (R-A9)`,
    );
  }
  const onboarding = em.create(Onboarding, {
    organization: auth.organizationId,
    flavour: body.flavour,
    bankCode: body.bank,
    environment,
    kvkNumber: body.client.kvkNumber,
    clientEmail: body.client.email,
    language: body.language,
    clientCompany: null,
    accountManagerName: body.accountManager?.name ?? null,
    accountManagerEmail: body.accountManager?.email ?? null,
    bankAccountIds: body.bankAccountIds,
    status: 'preparing',
    statusReason: null,
    workflowId: '',
    connection: null,
    consentDeadline: null,
    firstTransactionDeadline: null,
    restartOf,
    createdBy: `api-key:${auth.apiKeyId}`,
    completedAt: null,
  });
  recordAudit(
    em,
    auth,
    restartOf ? 'onboarding.restarted' : 'onboarding.started',
    { type: 'Onboarding', entity: onboarding },
    { bank: body.bank, kvkNumber: body.client.kvkNumber, restartOf },
  );
  onboarding.workflowId = onboardingWorkflowId(onboarding.id);
  await em.flush();
  await startOnboardingWorkflow(services, log, onboarding.id);
  return findOnboarding(em.fork(), auth.organizationId, onboarding.id);
}

/** Who asked, as staff know the key; the key's id stays in the audit trail. */
function requestedBy(auth: AuthContext): string {
  return `API key "${auth.apiKeyName}"`;
}

/** One whose workflow has not started yet is ended in the database alone: Temporal has nothing to stop. */
async function cancel(em: EntityManager, services: ApiServices, onboarding: IOnboarding, by: string): Promise<void> {
  if (await cancelUnstartedOnboarding(em, onboarding.id, by)) return;
  const handle = services.temporal.workflow.getHandle(onboarding.workflowId);
  await runUpdate(() => handle.executeUpdate(cancelUpdate, { args: [{ by }] }));
}

/** A refused Update carries the validator's words; they are the answer to staff. */
async function runUpdate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      throw new Problem(409, 'Conflict', error.cause?.message ?? error.message);
    if ((error as Error).name === 'WorkflowNotFoundError')
      throw new Problem(409, 'Conflict', 'the onboarding has finished');
    throw error;
  }
}

export const onboardingRoutes = [
  defineRoute({
    method: 'post',
    path: '/onboardings',
    summary:
      'Start an onboarding: the client gets an e-mailed activation link (R-A1, R-A9, R-A10), or with flavour "serial" a serial number and the wizard link (R-V6, R-V7)',
    tag: 'Onboardings',
    permission: 'write',
    body: CreateOnboarding,
    bodyExamples: START_EXAMPLES,
    responses: {
      201: {
        description: 'Started; the prepare step runs next (`status` `preparing`)',
        schema: OnboardingView,
        examples: STARTED_EXAMPLES,
      },
      404: { description: 'No such environment or bank account (`errors` names environmentId or bankAccountIds.N)' },
      409: { description: 'One is already open for this client, bank and environment (R-A9)' },
      422: {
        description:
          'A bank account of another bank or one that can never be connected (`errors` names bankAccountIds.N), ' +
          'or a KvK number the KvK does not know (client.kvkNumber). A KvK that does not answer within 3 s does ' +
          'not refuse: the prepare step asks again.',
      },
    },
    handler: async ({ em, auth, body, services, req }) => {
      const environment = await refuseWhatCannotWork(em, services, auth, body);
      const onboarding = await startOnboarding(em, services, req.log, auth, body, environment, null);
      return { status: 201, body: present(services, onboarding) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onboardings',
    summary: 'List onboardings; filter by status, bank, KvK number and environment',
    tag: 'Onboardings',
    permission: 'read',
    query: PageQuery.extend({
      status: z.enum(ONBOARDING_STATUSES).optional().describe('Only onboardings with this status'),
      bank: z.enum(DUTCH_BANK_CODES).optional().describe('Only onboardings at this bank'),
      kvkNumber: z
        .string()
        .regex(/^[0-9]{8}$/, 'must be 8 digits')
        .optional()
        .describe('Only onboardings of this client'),
      environmentId: z.uuid().optional().describe('Only onboardings in this environment'),
    }),
    responses: { 200: { description: 'A page of onboardings', schema: OnboardingList } },
    handler: async ({ em, auth, query, services }) => {
      const rows = await em.find(
        Onboarding,
        {
          organization: auth.organizationId,
          ...(query.status ? { status: query.status } : {}),
          ...(query.bank ? { bankCode: query.bank } : {}),
          ...(query.kvkNumber ? { kvkNumber: query.kvkNumber } : {}),
          ...(query.environmentId ? { environment: query.environmentId } : {}),
          ...afterCursor(decodeCursor(query.cursor)),
        },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1, populate: ['clientCompany'] },
      );
      return { status: 200, body: page(rows, query.limit, (row) => present(services, row)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onboardings/{id}',
    summary: 'Show an onboarding: current step, deadlines, the Temporal UI link and the e-mails sent',
    tag: 'Onboardings',
    permission: 'read',
    params: IdParams,
    responses: {
      200: { description: 'The onboarding', schema: OnboardingDetail },
      404: { description: 'No such onboarding' },
    },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      const emails = await em.find(
        EmailMessage,
        { organization: auth.organizationId, idempotencyKey: { $like: `onboarding:${onboarding.id}:%` } },
        { orderBy: { createdAt: 'asc' } },
      );
      return {
        status: 200,
        body: {
          ...present(services, onboarding),
          ...(await currentSerialNumber(em, services.tokenCipher, onboarding.id, auth)),
          emails: emails.map((m) => ({
            template: m.template,
            to: m.to,
            status: m.status,
            sentAt: m.sentAt?.toISOString() ?? null,
          })),
        },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onboardings/{id}/cancel',
    summary: 'Cancel an onboarding that has not been consented yet; its link stops working',
    tag: 'Onboardings',
    permission: 'write',
    params: IdParams,
    responses: {
      200: { description: 'Cancelled; `statusReason` names the API key', schema: OnboardingView },
      404: { description: 'No such onboarding' },
      409: { description: 'Too late to cancel: consent was given, or it has finished' },
    },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      await cancel(em, services, onboarding, requestedBy(auth));
      recordAudit(em, auth, 'onboarding.cancelled', { type: 'Onboarding', entity: onboarding });
      await em.flush();
      return { status: 200, body: present(services, await findOnboarding(em.fork(), auth.organizationId, params.id)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onboardings/{id}/resend',
    summary:
      'Send the client a fresh link, or a fresh serial number in the serial flavour (the previous one stops working, a locked one too); the deadline stays',
    tag: 'Onboardings',
    permission: 'write',
    params: IdParams,
    responses: {
      200: { description: 'Sent', schema: OnboardingView },
      404: { description: 'No such onboarding' },
      409: { description: 'Not waiting for consent' },
    },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      if (!onboarding.workflowStartedAt) throw new Problem(409, 'Conflict', WAITING_FOR_TEMPORAL);
      const handle = services.temporal.workflow.getHandle(onboarding.workflowId);
      await runUpdate(() => handle.executeUpdate(resendUpdate, { args: [{ by: requestedBy(auth) }] }));
      recordAudit(em, auth, 'onboarding.resent', { type: 'Onboarding', entity: onboarding });
      await em.flush();
      return { status: 200, body: present(services, onboarding) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onboardings/{id}/restart',
    summary: 'Start afresh with a new link and a new 168 hours (R-A10); an open original is cancelled first',
    tag: 'Onboardings',
    permission: 'write',
    params: IdParams,
    responses: {
      201: { description: 'The new onboarding', schema: OnboardingView },
      404: { description: 'No such onboarding' },
      409: { description: 'Too late to cancel the original, or another one is open for this client and bank' },
      422: { description: "The original's accounts or KvK number can no longer work (`errors` names them)" },
    },
    handler: async ({ em, auth, params, services, req }) => {
      const original = await findOnboarding(em, auth.organizationId, params.id);
      const body = {
        flavour: original.flavour,
        environmentId: original.environment.id,
        bank: original.bankCode as DutchBankCode,
        client: { kvkNumber: original.kvkNumber, email: original.clientEmail },
        bankAccountIds: original.bankAccountIds,
        accountManager: original.accountManagerEmail
          ? { name: original.accountManagerName ?? '', email: original.accountManagerEmail }
          : undefined,
        language: original.language === 'en' ? ('en' as const) : ('nl' as const),
      };
      // Before the cancel: a restart that cannot work must leave the original as it was.
      const environment = await refuseWhatCannotWork(em, services, auth, body);
      if ((OPEN_STATUSES as readonly string[]).includes(original.status))
        await cancel(em, services, original, `${requestedBy(auth)} (restart)`);
      const restarted = await startOnboarding(em.fork(), services, req.log, auth, body, environment, original.id);
      return { status: 201, body: present(services, restarted) };
    },
  }),
];
