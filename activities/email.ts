import { LockMode } from '@mikro-orm/core';
import { ApplicationFailure } from '@temporalio/common';
import { messageIdFor } from '../domain/email';
import { EmailMessage } from '../db/entities';
import { renderEmail, renderEmailSource, type EmailSource, type Language } from '../templates/render';
import type { ActivityDeps } from '.';

export interface EmailIntent {
  organizationId: string;
  /** One intent, one message: e.g. `consent-ended:<connectionId>:<consentId>:account-manager`. */
  idempotencyKey: string;
  template: string;
  language: Language;
  to: string;
  data: Record<string, unknown>;
  /** The organization's own version of the template (R-A6), rendered instead of the file; `template` still names it. */
  source?: EmailSource;
}

/**
 * Values that must reach the recipient but never rest in the outbox (an activation link): the stored message
 * holds the placeholder, and the activity puts the value in only while sending.
 */
export type SendTimeValues = Record<string, string>;

export function sendTimePlaceholder(name: string): string {
  return `[[${name}]]`;
}

export type Outbox = ReturnType<typeof createOutbox>;

/**
 * The outbox: the row is written first (ON CONFLICT: the intent exists already), then sent, then marked. A retry
 * after a crash finds the row; once marked sent, it never sends again. The Message-ID comes from the intent, so
 * even the one send a crash can repeat (after SMTP accepted, before the mark) is the same message to every client.
 */
export function createOutbox({ orm, mailer, mailFrom }: Pick<ActivityDeps, 'orm' | 'mailer' | 'mailFrom'>) {
  const domain = mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'bankkoppeling.localhost';
  return async function send(
    intent: EmailIntent,
    sendTime: SendTimeValues = {},
  ): Promise<{ status: 'sent' | 'already_sent'; messageId: string }> {
    const em = orm.em.fork();
    const placeholders = Object.fromEntries(Object.keys(sendTime).map((name) => [name, sendTimePlaceholder(name)]));
    const data = { ...intent.data, ...placeholders };
    const links = Object.keys(sendTime)
      .filter((name) => /^https?:\/\//.test(sendTime[name]!))
      .map(sendTimePlaceholder);
    const rendered = intent.source
      ? renderEmailSource(intent.template, intent.language, intent.source, data, links)
      : renderEmail(intent.template, intent.language, data, links);
    await em.getConnection().execute(
      `INSERT INTO email_message (id, organization_id, idempotency_key, template, "to", subject, text, html, message_id, status, attempts, created_at)
       VALUES (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, now()) ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        intent.organizationId,
        intent.idempotencyKey,
        intent.template,
        intent.to,
        rendered.subject,
        rendered.text,
        rendered.html,
        messageIdFor(intent.idempotencyKey, domain),
      ],
    );
    const fill = (text: string, escape: (value: string) => string) =>
      Object.entries(sendTime).reduce(
        (out, [name, value]) => out.split(sendTimePlaceholder(name)).join(escape(value)),
        text,
      );
    // The row stays locked while SMTP is asked, so a second sender of the same intent (two fetches ending the same
    // consent at once) waits and then finds it sent, instead of sending it too.
    const outcome = await em.transactional(async (tx) => {
      const message = await tx.findOneOrFail(
        EmailMessage,
        { idempotencyKey: intent.idempotencyKey },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (message.status === 'sent') return { status: 'already_sent' as const, message };
      try {
        await mailer.sendMail({
          from: mailFrom,
          to: message.to,
          subject: message.subject,
          text: fill(message.text, (value) => value),
          html: message.html ? fill(message.html, escapeHtml) : undefined,
          messageId: message.messageId,
        });
      } catch (error) {
        return { status: 'failed' as const, message, error };
      }
      await tx.nativeUpdate(
        EmailMessage,
        { id: message.id },
        { status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null },
      );
      return { status: 'sent' as const, message };
    });
    const { message } = outcome;
    if (outcome.status !== 'failed') return { status: outcome.status, messageId: message.messageId };
    await em.nativeUpdate(
      EmailMessage,
      { id: message.id },
      { attempts: message.attempts + 1, lastError: String(outcome.error).slice(0, 1000) },
    );
    throw ApplicationFailure.retryable(
      `SMTP refused or unreachable: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
      'SmtpError',
    );
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createEmailActivities(deps: Pick<ActivityDeps, 'orm' | 'mailer' | 'mailFrom'>) {
  const send = createOutbox(deps);
  return {
    async sendEmail(intent: EmailIntent): Promise<{ status: 'sent' | 'already_sent'; messageId: string }> {
      return send(intent);
    },
  };
}
