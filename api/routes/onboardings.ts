import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { emailProblem } from '../../domain/email';
import { KvkRejectedError, KvkUnavailableError, type KvkClient, type KvkLookupResult } from '../../activities/kvk-client';
import { connectabilityProblems } from '../../domain/bank-account';
import { DUTCH_BANK_CODES, dutchBankCode, formatIban } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import { currentStep, ONBOARDING_FLAVOURS, ONBOARDING_STATUSES } from '../../domain/onboarding';
import { formatSerialNumber } from '../../domain/serial-number';
import type { TokenCipher } from '../../db/token-cipher';
import { BankAccount, EmailMessage, Onboarding, SerialNumber, type IBankAccount, type IEnvironment, type IOnboarding } from '../../db/entities';
import { cancelUpdate, onboardingWorkflow, onboardingWorkflowId, resendUpdate } from '../../workflows/onboarding';
import { BankCode, EnvironmentId, KvkNumber, OnboardingStatus, OrganizationId } from '../../workflows/search-attributes';
import type { AuthContext } from '../auth';
import { recordAudit } from '../audit';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { Problem, type FieldError } from '../problem';
import { defineRoute, IdParams } from '../route';
import type { ApiServices } from '../services';
import { findEnvironment } from './environments';

const Email = z.string().trim().max(320).refine((v) => emailProblem(v) === null, 'is not an e-mail address');

const CreateOnboarding = z
  .object({
    flavour: z.enum(ONBOARDING_FLAVOURS),
    environmentId: z.uuid(),
    bank: z.enum(DUTCH_BANK_CODES),
    client: z.object({ kvkNumber: z.string().trim().refine((v) => kvkNumberProblem(v) === null, 'must be 8 digits'), email: Email }).strict(),
    bankAccountIds: z.array(z.uuid()).max(50).default([]),
    accountManager: z.object({ name: z.string().trim().min(1).max(200), email: Email }).strict().optional(),
    language: z.enum(['nl', 'en']).default('nl'),
  })
  .strict()
  .meta({ id: 'CreateOnboarding' });

const OnboardingView = z
  .object({
    id: z.uuid(),
    workflowId: z.string(),
    flavour: z.enum(ONBOARDING_FLAVOURS),
    status: z.enum(ONBOARDING_STATUSES),
    statusReason: z.string().nullable(),
    currentStep: z.string(),
    bank: z.string(),
    environmentId: z.uuid(),
    bankAccountIds: z.array(z.uuid()),
    client: z.object({ kvkNumber: z.string(), email: z.string(), companyName: z.string().nullable() }),
    accountManager: z.object({ name: z.string().nullable(), email: z.string().nullable() }),
    language: z.string(),
    consentDeadline: z.iso.datetime().nullable().describe('R-A10: the link and the wait for consent end here'),
    connectionId: z.uuid().nullable(),
    restartOf: z.uuid().nullable(),
    temporalUiUrl: z.string(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Onboarding' });

const OnboardingDetail = OnboardingView.extend({
  serialNumber: z.string().nullable().describe('Serial flavour (R-V6, R-V7): the current serial number, XXXX-XXXX-XXXX, to note down or read to the client; null before it is issued and once it no longer works'),
  serialNumberLocked: z.boolean().describe('R-V7: five wrong KvK numbers locked the serial number; resend issues a new one'),
  emails: z.array(z.object({ template: z.string(), to: z.string(), status: z.string(), sentAt: z.iso.datetime().nullable() })),
}).meta({ id: 'OnboardingDetail' });

const OnboardingList = z.object({ items: z.array(OnboardingView), nextCursor: z.string().nullable() }).meta({ id: 'OnboardingList' });

const OPEN_STATUSES = ['preparing', 'waiting_for_consent', 'consent_in_progress'] as const;

function temporalUrl(services: ApiServices, workflowId: string): string {
  return `${services.temporalUiUrl}/namespaces/${encodeURIComponent(services.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function present(services: ApiServices, onboarding: IOnboarding): z.infer<typeof OnboardingView> {
  return {
    id: onboarding.id,
    workflowId: onboarding.workflowId,
    flavour: onboarding.flavour,
    status: onboarding.status,
    statusReason: onboarding.statusReason ?? null,
    currentStep: currentStep(onboarding.status),
    bank: onboarding.bankCode,
    environmentId: onboarding.environment.id,
    bankAccountIds: onboarding.bankAccountIds,
    client: { kvkNumber: onboarding.kvkNumber, email: onboarding.clientEmail, companyName: onboarding.clientCompany?.name ?? null },
    accountManager: { name: onboarding.accountManagerName ?? null, email: onboarding.accountManagerEmail ?? null },
    language: onboarding.language,
    consentDeadline: onboarding.consentDeadline?.toISOString() ?? null,
    connectionId: onboarding.connection?.id ?? null,
    restartOf: onboarding.restartOf ?? null,
    temporalUiUrl: temporalUrl(services, onboarding.workflowId),
    createdAt: onboarding.createdAt.toISOString(),
    completedAt: onboarding.completedAt?.toISOString() ?? null,
  };
}

/**
 * The serial number staff read back (R-V7, R-V9 "serial number unknown?"): the newest one of the onboarding that
 * was not revoked (replaced, cancelled, expired). Decrypted here only; the database keeps it encrypted.
 */
export async function currentSerialNumber(em: EntityManager, cipher: TokenCipher, onboardingId: string): Promise<{ serialNumber: string | null; serialNumberLocked: boolean }> {
  const row = await em.findOne(SerialNumber, { onboarding: onboardingId, revokedAt: null }, { orderBy: { createdAt: 'desc' } });
  if (!row) return { serialNumber: null, serialNumberLocked: false };
  return { serialNumber: formatSerialNumber(cipher.decrypt(row.numberEncrypted)), serialNumberLocked: row.lockedAt !== null && row.lockedAt !== undefined };
}

async function findOnboarding(em: EntityManager, organizationId: string, id: string): Promise<IOnboarding> {
  const onboarding = await em.findOne(Onboarding, { id, organization: organizationId }, { populate: ['clientCompany'] });
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
  if (result.kind === 'not_found') return [{ field: 'client.kvkNumber', message: `${kvkNumber} is not registered at the KvK (R-V3)` }];
  if (result.kind === 'invalid') return [{ field: 'client.kvkNumber', message: result.reason }];
  return [];
}

/**
 * An account the onboarding cannot connect: another bank's (its consent would never list it), or one the prepare
 * step would refuse anyway (R-V1, R-A4). The prepare step checks again, since an account can change meanwhile.
 */
function bankAccountErrors(field: string, account: IBankAccount, bank: string): FieldError[] {
  const facts = { type: account.type, iban: account.iban ?? null, journalId: account.journal?.id ?? null, currency: account.currency };
  const errors = connectabilityProblems(facts).map((problem) => ({ field, message: `${account.name}: ${problem}` }));
  const accountBank = account.iban ? dutchBankCode(account.iban) : null;
  if (account.iban && accountBank !== bank) {
    const where = accountBank ? `at ${accountBank}` : 'not at a Dutch bank';
    errors.push({ field, message: `${account.name} (${formatIban(account.iban)}) is ${where}; this onboarding is for ${bank}` });
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
    if (!account) throw new Problem(404, 'Not found', `${field}: no bank account with this id`, [{ field, message: 'no bank account with this id' }]);
    errors.push(...bankAccountErrors(field, account, body.bank));
  }
  errors.push(...(await kvkNumberErrors(services.kvk, body.client.kvkNumber)));
  if (errors.length) throw Problem.unprocessable(errors);
  return environment;
}

/**
 * Creates the row and starts the workflow (R-D1). R-A9: one open link per environment per bank agreement, so a
 * second onboarding for the same client, bank and environment while one waits is refused.
 */
async function startOnboarding(
  em: EntityManager,
  services: ApiServices,
  auth: AuthContext,
  body: z.infer<typeof CreateOnboarding>,
  environment: IEnvironment,
  restartOf: string | null,
): Promise<IOnboarding> {
  const open = await em.findOne(Onboarding, {
    organization: auth.organizationId, environment, bankCode: body.bank, kvkNumber: body.client.kvkNumber, status: { $in: [...OPEN_STATUSES] },
  });
  if (open) {
    throw new Problem(409, 'Conflict', `onboarding ${open.id} for KvK ${body.client.kvkNumber} at ${body.bank} in this environment is still ${open.status.replace(/_/g, ' ')}; resend, cancel or restart it (R-A9)`);
  }
  const onboarding = em.create(Onboarding, {
    organization: auth.organizationId, flavour: body.flavour, bankCode: body.bank, environment, kvkNumber: body.client.kvkNumber,
    clientEmail: body.client.email, language: body.language, clientCompany: null,
    accountManagerName: body.accountManager?.name ?? null, accountManagerEmail: body.accountManager?.email ?? null,
    bankAccountIds: body.bankAccountIds, status: 'preparing', statusReason: null, workflowId: '', connection: null,
    consentDeadline: null, firstTransactionDeadline: null, restartOf, createdBy: `api-key:${auth.apiKeyId}`, completedAt: null,
  });
  recordAudit(em, auth, restartOf ? 'onboarding.restarted' : 'onboarding.started', { type: 'Onboarding', entity: onboarding }, { bank: body.bank, kvkNumber: body.client.kvkNumber, restartOf });
  onboarding.workflowId = onboardingWorkflowId(onboarding.id);
  await em.flush();
  await services.temporal.workflow.start(onboardingWorkflow, {
    workflowId: onboarding.workflowId,
    taskQueue: services.taskQueue,
    args: [{ onboardingId: onboarding.id, organizationId: auth.organizationId, flavour: body.flavour }],
    typedSearchAttributes: [
      { key: OnboardingStatus, value: 'preparing' },
      { key: KvkNumber, value: body.client.kvkNumber },
      { key: BankCode, value: body.bank },
      { key: OrganizationId, value: auth.organizationId },
      { key: EnvironmentId, value: environment.id },
    ],
    staticSummary: `Onboarding of KvK ${body.client.kvkNumber} at ${body.bank} by ${body.flavour === 'serial' ? 'serial number' : 'activation link'}`,
    staticDetails: `Environment ${environment.name}; client e-mail on file; started by staff${restartOf ? `; restarts onboarding ${restartOf}` : ''}.`,
  });
  return onboarding;
}

/** Who asked, as staff know the key; the key's id stays in the audit trail. */
function requestedBy(auth: AuthContext): string {
  return `API key "${auth.apiKeyName}"`;
}

/** A refused Update carries the validator's words; they are the answer to staff. */
async function runUpdate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new Problem(409, 'Conflict', error.cause?.message ?? error.message);
    if ((error as Error).name === 'WorkflowNotFoundError') throw new Problem(409, 'Conflict', 'the onboarding has finished');
    throw error;
  }
}

export const onboardingRoutes = [
  defineRoute({
    method: 'post',
    path: '/onboardings',
    summary: 'Start an onboarding: the client gets an e-mailed activation link (R-A1, R-A9, R-A10), or with flavour "serial" a serial number and the wizard link (R-V6, R-V7)',
    tag: 'Onboardings',
    permission: 'write',
    body: CreateOnboarding,
    responses: { 201: { description: 'Started', schema: OnboardingView }, 409: { description: 'One is already open for this client, bank and environment' } },
    handler: async ({ em, auth, body, services }) => {
      const environment = await refuseWhatCannotWork(em, services, auth, body);
      return { status: 201, body: present(services, await startOnboarding(em, services, auth, body, environment, null)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/onboardings',
    summary: 'List onboardings; filter by status, bank, KvK number and environment',
    tag: 'Onboardings',
    permission: 'read',
    query: PageQuery.extend({
      status: z.enum(ONBOARDING_STATUSES).optional(),
      bank: z.enum(DUTCH_BANK_CODES).optional(),
      kvkNumber: z.string().regex(/^[0-9]{8}$/, 'must be 8 digits').optional(),
      environmentId: z.uuid().optional(),
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
    responses: { 200: { description: 'The onboarding', schema: OnboardingDetail }, 404: { description: 'No such onboarding' } },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      const emails = await em.find(EmailMessage, { organization: auth.organizationId, idempotencyKey: { $like: `onboarding:${onboarding.id}:%` } }, { orderBy: { createdAt: 'asc' } });
      return {
        status: 200,
        body: {
          ...present(services, onboarding),
          ...(await currentSerialNumber(em, services.tokenCipher, onboarding.id)),
          emails: emails.map((m) => ({ template: m.template, to: m.to, status: m.status, sentAt: m.sentAt?.toISOString() ?? null })),
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
    responses: { 200: { description: 'Cancelled', schema: OnboardingView }, 409: { description: 'Too late to cancel' } },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      await runUpdate(() => services.temporal.workflow.getHandle(onboarding.workflowId).executeUpdate(cancelUpdate, { args: [{ by: requestedBy(auth) }] }));
      recordAudit(em, auth, 'onboarding.cancelled', { type: 'Onboarding', entity: onboarding });
      await em.flush();
      return { status: 200, body: present(services, await findOnboarding(em.fork(), auth.organizationId, params.id)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/onboardings/{id}/resend',
    summary: 'Send the client a fresh link, or a fresh serial number in the serial flavour (the previous one stops working, a locked one too); the deadline stays',
    tag: 'Onboardings',
    permission: 'write',
    params: IdParams,
    responses: { 200: { description: 'Sent', schema: OnboardingView }, 409: { description: 'Not waiting for consent' } },
    handler: async ({ em, auth, params, services }) => {
      const onboarding = await findOnboarding(em, auth.organizationId, params.id);
      await runUpdate(() => services.temporal.workflow.getHandle(onboarding.workflowId).executeUpdate(resendUpdate, { args: [{ by: requestedBy(auth) }] }));
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
    responses: { 201: { description: 'The new onboarding', schema: OnboardingView }, 404: { description: 'No such onboarding' } },
    handler: async ({ em, auth, params, services }) => {
      const original = await findOnboarding(em, auth.organizationId, params.id);
      const body = {
        flavour: original.flavour, environmentId: original.environment.id, bank: original.bankCode as (typeof DUTCH_BANK_CODES)[number],
        client: { kvkNumber: original.kvkNumber, email: original.clientEmail }, bankAccountIds: original.bankAccountIds,
        accountManager: original.accountManagerEmail ? { name: original.accountManagerName ?? '', email: original.accountManagerEmail } : undefined,
        language: original.language === 'en' ? ('en' as const) : ('nl' as const),
      };
      // Before the cancel: a restart that cannot work must leave the original as it was.
      const environment = await refuseWhatCannotWork(em, services, auth, body);
      if ((OPEN_STATUSES as readonly string[]).includes(original.status)) {
        await runUpdate(() => services.temporal.workflow.getHandle(original.workflowId).executeUpdate(cancelUpdate, { args: [{ by: `${requestedBy(auth)} (restart)` }] }));
      }
      return { status: 201, body: present(services, await startOnboarding(em.fork(), services, auth, body, environment, original.id)) };
    },
  }),
];
