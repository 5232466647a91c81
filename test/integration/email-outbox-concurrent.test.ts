import { setTimeout as sleep } from 'node:timers/promises';
import type { Transporter } from 'nodemailer';
import { createOutbox } from '../../activities/email';
import { EmailMessage } from '../../db/entities';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant } from '../support/tenant';

/**
 * Found by the chaos run (issue 12 item 3): two fetches of one connection (a scheduled run beside staff's fetch now)
 * both hear that the consent ended and both send the same notice. The outbox row exists once, but both senders read
 * it as pending and both hand it to SMTP: the account manager got the same e-mail twice. One intent, one send.
 */
/** What the consent-ended notice (templates/emails) needs. */
const NOTICE = {
  recipientName: 'Anna',
  companyName: 'Test BV Donald',
  kvkNumber: '68750110',
  clientEmail: 'klant@donald.test',
  bankName: 'ING',
  consentStatusText: 'niet meer geldig',
  connectionId: 'connection-1',
  reason: 'the consent no longer grants access',
};

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** An SMTP server that takes a moment to accept, as real ones do, and counts what it accepted. */
function slowMailer(sent: string[]): Transporter {
  return {
    sendMail: async (message: { messageId: string }) => {
      await sleep(300);
      sent.push(message.messageId);
      return { messageId: message.messageId };
    },
  } as unknown as Transporter;
}

test('the same intent sent by two activities at once reaches SMTP once, and both answer with its Message-ID', async () => {
  const office = await createTenant(db.orm, 'Kantoor Twee Afzenders');
  const sent: string[] = [];
  const send = createOutbox({ orm: db.orm, mailer: slowMailer(sent), mailFrom: 'Bankkoppeling <no-reply@bk.test>' });
  const intent = {
    organizationId: office.organizationId,
    idempotencyKey: `consent-ended:connection-1:consent-1:account-manager`,
    template: 'consent-ended',
    language: 'nl' as const,
    to: 'anna@kantoor.test',
    data: NOTICE,
  };

  const answers = await Promise.all([send(intent), send(intent), send(intent)]);

  expect(sent).toHaveLength(1);
  expect(new Set(answers.map((a) => a.messageId))).toEqual(new Set(sent));
  expect(answers.map((a) => a.status).sort()).toEqual(['already_sent', 'already_sent', 'sent']);
  const row = await db.orm.em.fork().findOneOrFail(EmailMessage, { idempotencyKey: intent.idempotencyKey });
  expect([row.status, row.attempts]).toEqual(['sent', 1]);
});

test('a refused send is counted with its error and stays pending for the retry', async () => {
  const office = await createTenant(db.orm, 'Kantoor Zonder SMTP');
  const refusing = {
    sendMail: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25')),
  } as unknown as Transporter;
  const send = createOutbox({ orm: db.orm, mailer: refusing, mailFrom: 'Bankkoppeling <no-reply@bk.test>' });
  const intent = {
    organizationId: office.organizationId,
    idempotencyKey: 'consent-ended:connection-2:consent-2:staff',
    template: 'consent-ended',
    language: 'nl' as const,
    to: 'staff@kantoor.test',
    data: NOTICE,
  };
  await expect(send(intent)).rejects.toMatchObject({ type: 'SmtpError' });
  const row = await db.orm.em.fork().findOneOrFail(EmailMessage, { idempotencyKey: intent.idempotencyKey });
  expect([row.status, row.attempts, row.lastError]).toEqual(['pending', 1, 'Error: connect ECONNREFUSED 127.0.0.1:25']);
});
