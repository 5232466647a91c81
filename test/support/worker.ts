import nodemailer from 'nodemailer';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createActivities, type ActivityDeps } from '../../activities';
import { createConnectorFor, type BankCode } from '../../banks/registry';
import { createTokenCipher } from '../../db/token-cipher';
import { createKvkClient } from '../../kvk/client';
import { testKeys } from './keys';
import { TEST_TASK_QUEUE, workflowBundle } from './temporal';

/** Real activities against the test's database, Temporal, sandbox bank and SMTP sink. */
export function testActivityDeps(options: {
  orm: MikroORM;
  env: TestWorkflowEnvironment;
  sandboxBankUrl?: string;
  smtpUrl?: string;
  kvkUrl?: string;
  publicBaseUrl?: string;
}): ActivityDeps {
  return {
    orm: options.orm,
    mailer: options.smtpUrl
      ? nodemailer.createTransport(options.smtpUrl)
      : nodemailer.createTransport({ jsonTransport: true }),
    mailFrom: 'Bankkoppeling <no-reply@bankkoppeling.test>',
    log: pino({ level: 'silent' }),
    bankConnector: (bankCode) =>
      createConnectorFor(bankCode as BankCode, { sandboxBankUrl: options.sandboxBankUrl ?? 'http://127.0.0.1:9' }),
    tokenCipher: createTokenCipher(testKeys),
    temporal: options.env.client,
    taskQueue: TEST_TASK_QUEUE,
    kvk: createKvkClient({ baseUrl: options.kvkUrl ?? 'http://127.0.0.1:9', apiKey: 'sandbox', timeoutMs: 2_000 }),
    publicBaseUrl: options.publicBaseUrl ?? 'http://localhost:3000',
    activationLinkKeys: testKeys.derived('activation link').map(({ key }) => key),
  };
}

export function createTestWorker(env: TestWorkflowEnvironment, deps: ActivityDeps): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: TEST_TASK_QUEUE,
    workflowBundle: workflowBundle(),
    activities: createActivities(deps),
    dataConverter: env.client.options.dataConverter,
  });
}
