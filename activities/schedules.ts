import { ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { fetchScheduleId, fetchTimes } from '../domain/fetch-schedule';
import { Connection } from '../db/entities';
import { fetchSearchAttributes } from '../workflows/search-attributes';
import { FETCH_TRANSACTIONS_WORKFLOW } from '../workflows/fetch-transactions/contract';
import type { ActivityDeps } from '.';

/** Schedules keep firing on their own; these activities create, update, pause and resume them (R-D2, R-A17). */
export function createScheduleActivities({
  orm,
  temporal,
  taskQueue,
}: Pick<ActivityDeps, 'orm' | 'temporal' | 'taskQueue'>) {
  return {
    /** Creates the connection's schedule, or brings an existing one up to date; idempotent. */
    async ensureFetchSchedule(input: { connectionId: string }): Promise<{ scheduleId: string; times: string[] }> {
      const connection = await orm.em
        .fork()
        .findOneOrFail(Connection, { id: input.connectionId }, { populate: ['organization', 'clientCompany'] });
      const scheduleId = fetchScheduleId(connection.id);
      const times = fetchTimes(connection.id, connection.fetchesPerDay);
      const searchAttributes = fetchSearchAttributes({
        connectionId: connection.id,
        organizationId: connection.organization.id,
        bankCode: connection.bankCode,
        kvkNumber: connection.clientCompany?.kvkNumber ?? null,
      });
      const options: ScheduleOptions = {
        scheduleId,
        spec: {
          calendars: times.map(({ hour, minute }) => ({ hour, minute })),
          jitter: '2 minutes',
          timezone: 'Europe/Amsterdam',
        },
        action: {
          type: 'startWorkflow',
          workflowType: FETCH_TRANSACTIONS_WORKFLOW,
          workflowId: scheduleId,
          taskQueue,
          args: [{ connectionId: connection.id, trigger: 'schedule' }],
          typedSearchAttributes: searchAttributes,
          staticSummary: `Fetch transactions for connection ${connection.id} (${connection.bankCode})`,
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        typedSearchAttributes: searchAttributes,
        state: {
          paused: connection.state !== 'active' || connection.syncProfileBlocked,
          note: connection.stateReason ?? undefined,
        },
      };
      try {
        await temporal.schedule.create(options);
      } catch (error) {
        if ((error as Error).name !== 'ScheduleAlreadyRunning') throw error;
        await temporal.schedule.getHandle(scheduleId).update((previous) => ({
          ...previous,
          spec: options.spec,
          action: options.action,
          policies: options.policies,
          typedSearchAttributes: options.typedSearchAttributes,
          state: { ...previous.state, paused: options.state?.paused ?? false },
        }));
      }
      return {
        scheduleId,
        times: times.map(({ hour, minute }) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`),
      };
    },

    async pauseFetchSchedule(input: { connectionId: string; note: string }): Promise<void> {
      try {
        await temporal.schedule.getHandle(fetchScheduleId(input.connectionId)).pause(input.note.slice(0, 200));
      } catch (error) {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      }
    },
  };
}
