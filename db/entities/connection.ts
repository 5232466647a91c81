import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { CONNECTION_STATES } from '../../domain/connection';
import { ClientCompany } from './client-company';
import { Consent } from './consent';
import { Environment } from './environment';
import { Organization } from './organization';

/**
 * A bank connection: one bank agreement of one client, with its sync profile (R-A8, R-A12): the communication
 * environment (always a main environment) and a blocked flag that stops all fetching (R-A17).
 */
export const Connection = defineEntity({
  name: 'Connection',
  tableName: 'connection',
  uniques: [{ properties: ['communicationEnvironment', 'bankCode', 'bankAgreement'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    communicationEnvironment: p.manyToOne(Environment).deleteRule('restrict'),
    clientCompany: p.manyToOne(ClientCompany).nullable().deleteRule('set null'),
    bankCode: p.string().length(4),
    /** The bank's agreement ("bank card") this connection covers; one activation link per agreement (R-A9). */
    bankAgreement: p.string().length(100),
    consent: p.manyToOne(Consent).nullable().deleteRule('set null'),
    state: p.enum([...CONNECTION_STATES]),
    syncProfileBlocked: p.boolean().default(false),
    /** 6 where the bank agreement allows it (R-V5), else at most 4 unattended runs a day on a PSD2 consent. */
    fetchesPerDay: p.integer(),
    /** Why the state is what it is, in words, for staff. */
    stateReason: p.string().length(500).nullable(),
    /** R-V10: receives the notices about this connection (consent ended, first transactions). */
    accountManagerName: p.string().length(200).nullable(),
    accountManagerEmail: p.string().length(320).nullable(),
    lastFetchAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IConnection = InferEntity<typeof Connection>;
