import type { Express } from 'express';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../../api/app';
import { TEST_TASK_QUEUE } from './temporal';


export function createTestApp(orm: MikroORM, env: TestWorkflowEnvironment, rateLimitPerMinute?: number): Express {
  return createApp(
    { orm, temporal: env.client, taskQueue: TEST_TASK_QUEUE, temporalUiUrl: 'http://localhost:8233', namespace: env.namespace ?? 'default' },
    { log: pino({ level: 'silent' }), publicBaseUrl: 'http://localhost:3000', apiRateLimitPerMinute: rateLimitPerMinute },
  );
}

export { createTenant, type Tenant } from './tenant';
