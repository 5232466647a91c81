import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { Environment, Onboarding, type IOnboarding } from '../db/entities';
import { ONBOARDING_WORKFLOW, onboardingStartOptions, type OnboardingWorkflow } from '../workflows/onboarding/contract';
import type { ApiServices } from './services';

/**
 * Starting an onboarding is a write in two systems: its row in PostgreSQL, its workflow in Temporal (issue 12).
 * The row commits first, with `workflowStartedAt` null: it is the intent. The request then starts the workflow;
 * when Temporal is out of reach, the reconciler below starts it once Temporal answers again, so no row outlives a
 * failed start. Starts are idempotent: the workflow id is the row's, and an id that ever ran is refused rather
 * than run twice. The row is locked while its workflow starts, so a cancel of a not-yet-started onboarding
 * (cancelUnstartedOnboarding) and a start never both win.
 */

/** How long a request waits for Temporal before leaving the start to the reconciler. */
const START_DEADLINE_MS = 5_000;
/** The reconciler leaves rows this young to the request that made them. */
const RECONCILE_AFTER_MS = 15_000;
const RECONCILE_EVERY_MS = 10_000;
const RECONCILE_BATCH = 50;

export type StartOutcome = 'started' | 'not-pending' | 'temporal-unavailable' | 'refused';

/** What staff read while the start waits for Temporal (GET /api/onboardings/:id `statusReason`). */
export const WAITING_FOR_TEMPORAL =
  'waiting for Temporal to start the onboarding; it starts by itself as soon as Temporal answers';

/** Starts the workflow of one onboarding if it still waits for one; `wait` false skips a row another start holds. */
export async function startOnboardingWorkflow(
  services: ApiServices,
  log: Logger,
  onboardingId: string,
  wait = true,
): Promise<StartOutcome> {
  return services.orm.em.fork().transactional(async (tx) => {
    const onboarding = await tx.findOne(
      Onboarding,
      { id: onboardingId, workflowStartedAt: null, status: 'preparing' },
      { lockMode: wait ? LockMode.PESSIMISTIC_WRITE : LockMode.PESSIMISTIC_PARTIAL_WRITE },
    );
    if (!onboarding) return 'not-pending';
    const outcome = await startWorkflow(tx, services, log, onboarding);
    if (outcome === 'started') onboarding.workflowStartedAt = new Date();
    if (outcome === 'refused') {
      onboarding.status = 'rejected';
      onboarding.statusReason = 'Temporal refused to start the onboarding; start a new one, and tell support';
      onboarding.completedAt = new Date();
    }
    return outcome;
  });
}

/**
 * Ends an onboarding whose workflow never started: there is nothing in Temporal to tell. False when its workflow
 * has started meanwhile (or it is no longer preparing): then the workflow must be asked.
 */
export async function cancelUnstartedOnboarding(em: EntityManager, onboardingId: string, by: string): Promise<boolean> {
  const cancelled = await em.nativeUpdate(
    Onboarding,
    { id: onboardingId, workflowStartedAt: null, status: 'preparing' },
    { status: 'cancelled', statusReason: `cancelled by ${by} before it started`, completedAt: new Date() },
  );
  return cancelled === 1;
}

async function startWorkflow(
  tx: EntityManager,
  services: ApiServices,
  log: Logger,
  onboarding: IOnboarding,
): Promise<Exclude<StartOutcome, 'not-pending'>> {
  const environment = await tx.findOneOrFail(Environment, { id: onboarding.environment.id });
  const organizationId = onboarding.organization.id;
  try {
    await services.temporal.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      services.temporal.workflow.start<OnboardingWorkflow>(ONBOARDING_WORKFLOW, {
        workflowId: onboarding.workflowId,
        taskQueue: services.taskQueue,
        args: [{ onboardingId: onboarding.id, organizationId, flavour: onboarding.flavour }],
        // A retried start after the first one ran to its end must not run the onboarding a second time.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...onboardingStartOptions({
          organizationId,
          environment,
          flavour: onboarding.flavour,
          bank: onboarding.bankCode,
          kvkNumber: onboarding.kvkNumber,
          restartOf: onboarding.restartOf ?? null,
        }),
      }),
    );
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'started';
    if (refusedByTemporal(error)) {
      log.error({ onboardingId: onboarding.id, err: error }, 'Temporal refused the onboarding workflow');
      return 'refused';
    }
    return 'temporal-unavailable';
  }
}

/** gRPC codes that say Temporal is there but will not take this start; anything else is worth another try. */
const REFUSING_GRPC_CODES = new Set([3 /* INVALID_ARGUMENT */, 7 /* PERMISSION_DENIED */, 9 /* FAILED_PRECONDITION */]);

function refusedByTemporal(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'number' && REFUSING_GRPC_CODES.has(code)) return true;
  }
  return false;
}

/** Onboardings whose start failed, oldest first; each is started under its own lock. */
export async function startMissingOnboardingWorkflows(services: ApiServices, log: Logger): Promise<number> {
  const pending = await services.orm.em
    .fork()
    .find(
      Onboarding,
      { workflowStartedAt: null, status: 'preparing', createdAt: { $lt: new Date(Date.now() - RECONCILE_AFTER_MS) } },
      { fields: ['id'], orderBy: { createdAt: 'asc' }, limit: RECONCILE_BATCH },
    );
  let started = 0;
  for (const { id } of pending) {
    const outcome = await startOnboardingWorkflow(services, log, id, false);
    if (outcome === 'temporal-unavailable') {
      log.warn({ onboardingId: id }, 'onboarding workflow still not started: Temporal does not answer');
      break;
    }
    if (outcome === 'started') {
      started += 1;
      log.info({ onboardingId: id }, 'onboarding workflow started by the reconciler');
    }
  }
  return started;
}

/** Runs the reconciler every few seconds until stopped; each API replica runs one, rows are shared by locks. */
export function runOnboardingStartReconciler(services: ApiServices, log: Logger): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => startMissingOnboardingWorkflows(services, log))
      .catch((error: unknown) => log.error({ err: error }, 'onboarding start reconciler failed; it tries again'));
  }, RECONCILE_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
