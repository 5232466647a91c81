import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { EMAIL_STATUSES } from '../../domain/email';
import { Organization } from './organization';

/**
 * The e-mail outbox. One row per intent (its idempotency key), so a retried activity finds the row instead of
 * sending again; the Message-ID is derived from the key, so even a send repeated after a crash between SMTP
 * acceptance and marking the row sent is recognisable as the same message.
 */
export const EmailMessage = defineEntity({
  name: 'EmailMessage',
  tableName: 'email_message',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    idempotencyKey: p.string().length(200).unique(),
    template: p.string().length(100),
    to: p.string().length(320),
    subject: p.string().length(300),
    text: p.text(),
    html: p.text().nullable(),
    messageId: p.string().length(300),
    status: p.enum([...EMAIL_STATUSES]),
    attempts: p.integer().default(0),
    lastError: p.string().length(1000).nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IEmailMessage = InferEntity<typeof EmailMessage>;
