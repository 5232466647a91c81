import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { MESSAGE_TEMPLATE_KINDS } from '../../domain/message-template';
import { Organization } from './organization';

/**
 * An organization's own version of a message template (R-A6: the "bank activation message", "Bericht
 * bankactivatie"), per language. Without a row the built-in template in templates/emails applies.
 */
export const MessageTemplate = defineEntity({
  name: 'MessageTemplate',
  tableName: 'message_template',
  uniques: [{ properties: ['organization', 'kind', 'language'] }],
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    kind: p.enum([...MESSAGE_TEMPLATE_KINDS]),
    language: p.string().length(2),
    subject: p.string().length(200),
    body: p.text(),
    updatedBy: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IMessageTemplate = InferEntity<typeof MessageTemplate>;
