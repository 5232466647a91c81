import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { AccountOptions, OfferedAccount } from '../../domain/account-choice';
import { ONBOARDING_FLAVOURS, ONBOARDING_STATUSES, type WizardDetails } from '../../domain/onboarding';
import { ClientCompany } from './client-company';
import { Connection } from './connection';
import { Environment } from './environment';
import { Organization } from './organization';

/**
 * One onboarding of a client's bank connection (R-D1). Activities keep this row current at every step, so the API
 * reads it here instead of from Temporal visibility.
 */
export const Onboarding = defineEntity({
  name: 'Onboarding',
  tableName: 'onboarding',
  indexes: [{ properties: ['organization', 'status'] }, { properties: ['organization', 'kvkNumber'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    flavour: p.enum([...ONBOARDING_FLAVOURS]),
    bankCode: p.string().length(4),
    environment: p.manyToOne(Environment).deleteRule('restrict'),
    kvkNumber: p.string().length(8),
    clientEmail: p.string().length(320),
    language: p.string().length(2),
    clientCompany: p.manyToOne(ClientCompany).nullable().deleteRule('set null'),
    accountManagerName: p.string().length(200).nullable(),
    accountManagerEmail: p.string().length(320).nullable(),
    bankAccountIds: p.json<string[]>(),
    /** Serial flavour: what the client entered in the wizard's Details step (R-V9), with when the terms were accepted. */
    wizardDetails: p.json<WizardDetails>().nullable(),
    /** Serial flavour: the accounts consented to at the bank, as the wizard's Accounts step lists them (R-V12, R-V1). */
    offeredAccounts: p.json<OfferedAccount[]>().nullable(),
    /** The accounts the profile sync linked, with their options (R-V12), or the defaults. */
    accountChoice: p.json<AccountOptions[]>().nullable(),
    status: p.enum([...ONBOARDING_STATUSES]),
    statusReason: p.string().length(1000).nullable(),
    workflowId: p.string().length(100),
    /**
     * Null until Temporal accepted the workflow's start. The row is the intent: a start that failed (Temporal out of
     * reach for a moment) is made again by the API's reconciler (api/onboarding-start.ts), so no onboarding stays
     * `preparing` with no workflow behind it.
     */
    workflowStartedAt: p.datetime().nullable(),
    connection: p.manyToOne(Connection).nullable().deleteRule('set null'),
    /** R-A10: when the link and the wait for consent end. */
    consentDeadline: p.datetime().nullable(),
    firstTransactionDeadline: p.datetime().nullable(),
    /** The onboarding this one restarted, if any. */
    restartOf: p.uuid().nullable(),
    createdBy: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    completedAt: p.datetime().nullable(),
  }),
});
export type IOnboarding = InferEntity<typeof Onboarding>;
