import { randomUUID } from 'node:crypto';
import { Onboarding } from '../../db/entities';
import { stateQuery, type OnboardingState } from '../../workflows/onboarding/contract';
import { onboardingWorkflow } from '../../workflows/onboarding/workflow';
import { eventually } from './eventually';
import { clientLinkIn, decodeQuotedPrintable } from './mail';
import { TEST_TASK_QUEUE } from './temporal';
import type { Tenant } from './tenant';
import type { World } from './world';

export interface StartedOnboarding {
  onboardingId: string;
  workflowId: string;
  /** The client's link, from the e-mail the client got. */
  link: string;
  /** That e-mail's text. */
  activationMail: string;
}

/**
 * An activation-link onboarding at ING as the staff API starts one: the row first, then the workflow; answers once
 * the client has the e-mail with the link.
 */
export async function startActivationLinkOnboarding(
  world: World,
  office: Tenant,
  client: { email: string; accountManagerEmail?: string },
): Promise<StartedOnboarding> {
  const onboardingId = randomUUID();
  const workflowId = `onboarding:${onboardingId}`;
  const em = world.db.orm.em.fork();
  em.create(Onboarding, {
    id: onboardingId,
    organization: office.organizationId,
    flavour: 'activation-link',
    bankCode: 'INGB',
    environment: office.mainEnvironmentId,
    kvkNumber: '68750110',
    clientEmail: client.email,
    language: 'nl',
    clientCompany: null,
    accountManagerName: 'Anna de Vries',
    accountManagerEmail: client.accountManagerEmail ?? null,
    bankAccountIds: [],
    status: 'preparing',
    statusReason: null,
    workflowId,
    connection: null,
    consentDeadline: null,
    firstTransactionDeadline: null,
    restartOf: null,
    createdBy: 'test',
    completedAt: null,
    workflowStartedAt: new Date(),
  });
  await em.flush();
  await world.env.client.workflow.start(onboardingWorkflow, {
    workflowId,
    taskQueue: TEST_TASK_QUEUE,
    args: [{ onboardingId, organizationId: office.organizationId, flavour: 'activation-link' }],
  });
  const mail = await eventually(() => world.smtp.messages.find((m) => m.to.includes(client.email)));
  const activationMail = decodeQuotedPrintable(mail.raw);
  const link = clientLinkIn(activationMail, world.baseUrl);
  if (!link) throw new Error(`no activation link in the e-mail:\n${activationMail}`);
  return { onboardingId, workflowId, link, activationMail };
}

/** What the onboarding workflow says about itself. */
export function onboardingState(world: Pick<World, 'env'>, workflowId: string): Promise<OnboardingState> {
  return world.env.client.workflow.getHandle(workflowId).query(stateQuery);
}

/** As staff start one, through the API with a staff key: an activation-link onboarding of Test BV Donald at ING. */
export async function startOnboardingThroughApi(
  world: Pick<World, 'baseUrl'>,
  office: Tenant,
  clientEmail: string,
): Promise<{ id: string; workflowId: string }> {
  const answer = await fetch(`${world.baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      flavour: 'activation-link',
      environmentId: office.mainEnvironmentId,
      bank: 'INGB',
      client: { kvkNumber: '68750110', email: clientEmail },
      accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
    }),
  });
  if (answer.status !== 201) throw new Error(`POST /api/onboardings answered ${answer.status}: ${await answer.text()}`);
  return (await answer.json()) as { id: string; workflowId: string };
}
