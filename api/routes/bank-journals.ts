import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BankJournal, type IBankJournal } from '../../db/entities';
import { afterCursor, decodeCursor, page, PageQuery } from '../pagination';
import { recordAudit } from '../audit';
import { Problem } from '../problem';
import { defineRoute, IdParams } from '../route';
import { findEnvironment } from './environments';

export const BankJournalView = z
  .object({ id: z.uuid(), environmentId: z.uuid(), code: z.string(), name: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'BankJournal' });

const BankJournalList = z
  .object({ items: z.array(BankJournalView), nextCursor: z.string().nullable() })
  .meta({ id: 'BankJournalList' });

const CreateBankJournal = z
  .object({
    environmentId: z.uuid(),
    code: z
      .string()
      .trim()
      .min(1)
      .max(20)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
    name: z.string().trim().min(1).max(200),
  })
  .strict()
  .meta({ id: 'CreateBankJournal' });

export function presentBankJournal(journal: IBankJournal): z.infer<typeof BankJournalView> {
  return {
    id: journal.id,
    environmentId: journal.environment.id,
    code: journal.code,
    name: journal.name,
    createdAt: journal.createdAt.toISOString(),
  };
}

export async function findBankJournal(
  em: EntityManager,
  organizationId: string,
  id: string,
  field?: string,
): Promise<IBankJournal> {
  const journal = await em.findOne(BankJournal, { id, organization: organizationId });
  if (!journal) {
    throw field
      ? new Problem(404, 'Not found', `${field}: no bank journal with this id`, [
          { field, message: 'no bank journal with this id' },
        ])
      : Problem.notFound('bank journal');
  }
  return journal;
}

export const bankJournalRoutes = [
  defineRoute({
    method: 'get',
    path: '/bank-journals',
    summary: 'List bank journals ("dagboek bank")',
    tag: 'Bank journals',
    permission: 'read',
    query: PageQuery.extend({ environmentId: z.uuid().optional() }),
    responses: { 200: { description: 'A page of bank journals', schema: BankJournalList } },
    handler: async ({ em, auth, query }) => {
      const rows = await em.find(
        BankJournal,
        {
          organization: auth.organizationId,
          ...(query.environmentId ? { environment: query.environmentId } : {}),
          ...afterCursor(decodeCursor(query.cursor)),
        },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
      );
      return { status: 200, body: page(rows, query.limit, presentBankJournal) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bank-journals/{id}',
    summary: 'Show one bank journal',
    tag: 'Bank journals',
    permission: 'read',
    params: IdParams,
    responses: {
      200: { description: 'The bank journal', schema: BankJournalView },
      404: { description: 'No such bank journal' },
    },
    handler: async ({ em, auth, params }) => ({
      status: 200,
      body: presentBankJournal(await findBankJournal(em, auth.organizationId, params.id)),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/bank-journals',
    summary: 'Create a bank journal in an environment',
    tag: 'Bank journals',
    permission: 'admin',
    body: CreateBankJournal,
    responses: {
      201: { description: 'Created', schema: BankJournalView },
      404: { description: 'No such environment (`errors` names environmentId)' },
      409: { description: 'The code is taken in this environment' },
    },
    handler: async ({ em, auth, body }) => {
      const environment = await findEnvironment(em, auth.organizationId, body.environmentId, 'environmentId');
      if (await em.count(BankJournal, { environment, code: body.code })) {
        throw Problem.field('code', `a bank journal with code ${body.code} exists in this environment`, 409);
      }
      const journal = em.create(BankJournal, {
        organization: auth.organizationId,
        environment,
        code: body.code,
        name: body.name,
      });
      recordAudit(em, auth, 'bank_journal.created', { type: 'BankJournal', entity: journal }, { code: body.code });
      await em.flush();
      return { status: 201, body: presentBankJournal(journal) };
    },
  }),
];
