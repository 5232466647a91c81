import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import type { Config } from '../config';

export interface WorkerOptions {
  temporal: Config['temporal'];
  deps: ActivityDeps;
  /** The product's (bin/stack/data-converter.ts); a prebuilt bundle must be built with its failure converter too. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (tests bundle once); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: WorkflowBundleOption;
  /** The sticky cache's cap; by default the SDK sizes it by the heap. */
  maxCachedWorkflows?: number;
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
    activities: createActivities(options.deps),
    dataConverter: options.dataConverter,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: path.join(__dirname, '..', '..', 'workflows') }),
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
  return { worker, connection };
}
