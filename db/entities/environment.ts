import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { ENVIRONMENT_KINDS } from '../../domain/environment';
import { Organization } from './organization';

/** An administration. A sub environment points at its main one, whose sync profile it uses (R-A8). */
export const Environment = defineEntity({
  name: 'Environment',
  tableName: 'environment',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    name: p.string().length(200),
    kind: p.enum([...ENVIRONMENT_KINDS]),
    parent: () => p.manyToOne(Environment).nullable().deleteRule('restrict'),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IEnvironment = InferEntity<typeof Environment>;
