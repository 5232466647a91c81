import path from 'node:path';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { createActivities } from '../../activities';
import type { Config } from '../config';

export interface WorkerOptions {
  temporal: Config['temporal'];
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  log: Logger;
  /** A prebuilt bundle (tests bundle once); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: WorkflowBundleOption;
}

/** Builds the worker with its activities wired to their dependencies; the caller runs it. */
export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({
    address: options.temporal.address,
    ...(options.temporal.tls ? { tls: true } : {}),
    ...(options.temporal.apiKey ? { apiKey: options.temporal.apiKey } : {}),
  });
  const worker = await Worker.create({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: options.temporal.taskQueue,
    activities: createActivities({ orm: options.orm, mailer: options.mailer, mailFrom: options.mailFrom, log: options.log }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: path.join(__dirname, '..', '..', 'workflows') }),
  });
  return { worker, connection };
}
