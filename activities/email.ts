import { ApplicationFailure } from '@temporalio/common';
import { messageIdFor } from '../domain/email';
import { EmailMessage } from '../db/entities';
import { renderEmail, type Language } from '../templates/render';
import type { ActivityDeps } from '.';

export interface EmailIntent {
  organizationId: string;
  /** One intent, one message: e.g. `consent-ended:<connectionId>:<consentId>:account-manager`. */
  idempotencyKey: string;
  template: string;
  language: Language;
  to: string;
  data: Record<string, unknown>;
}

export function createEmailActivities({ orm, mailer, mailFrom }: Pick<ActivityDeps, 'orm' | 'mailer' | 'mailFrom'>) {
  const domain = mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'bankkoppeling.localhost';
  return {
    /**
     * Sends through the outbox: the row is written first (ON CONFLICT: the intent exists already), then sent,
     * then marked. A retry after a crash finds the row; once marked sent, it never sends again.
     */
    async sendEmail(intent: EmailIntent): Promise<{ status: 'sent' | 'already_sent'; messageId: string }> {
      const em = orm.em.fork();
      const rendered = renderEmail(intent.template, intent.language, intent.data);
      await em.getConnection().execute(
        `INSERT INTO email_message (id, organization_id, idempotency_key, template, "to", subject, text, html, message_id, status, attempts, created_at)
         VALUES (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, now()) ON CONFLICT (idempotency_key) DO NOTHING`,
        [intent.organizationId, intent.idempotencyKey, intent.template, intent.to, rendered.subject, rendered.text, rendered.html, messageIdFor(intent.idempotencyKey, domain)],
      );
      const message = await em.findOneOrFail(EmailMessage, { idempotencyKey: intent.idempotencyKey });
      if (message.status === 'sent') return { status: 'already_sent', messageId: message.messageId };
      try {
        await mailer.sendMail({ from: mailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html ?? undefined, messageId: message.messageId });
      } catch (error) {
        await em.nativeUpdate(EmailMessage, { id: message.id }, { attempts: message.attempts + 1, lastError: String(error).slice(0, 1000) });
        throw ApplicationFailure.retryable(`SMTP refused or unreachable: ${error instanceof Error ? error.message : String(error)}`, 'SmtpError');
      }
      await em.nativeUpdate(EmailMessage, { id: message.id }, { status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null });
      return { status: 'sent', messageId: message.messageId };
    },
  };
}
