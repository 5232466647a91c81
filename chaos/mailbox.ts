import { setTimeout as sleep } from 'node:timers/promises';

export interface CapturedMail {
  id: string;
  messageId: string;
  to: string[];
  subject: string;
  text: string;
}

interface MaildevMail {
  id: string;
  messageId?: string;
  headers?: Record<string, string>;
  to?: { address: string }[];
  subject?: string;
  text?: string;
}

/** maildev's inbox through its REST API (`GET /api/email`), as the clients' mailboxes of the run. */
export class Mailbox {
  constructor(private readonly url: string) {}

  /** Every e-mail maildev received; throws while maildev is down (SMTP down is one of the faults). */
  async all(): Promise<CapturedMail[]> {
    const response = await fetch(`${this.url}/email`, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`maildev answered ${response.status}`);
    const mails = (await response.json()) as MaildevMail[];
    return mails.map((mail) => ({
      id: mail.id,
      messageId: normaliseMessageId(mail.messageId ?? mail.headers?.['message-id'] ?? ''),
      to: (mail.to ?? []).map((t) => t.address.toLowerCase()),
      subject: mail.subject ?? '',
      text: mail.text ?? '',
    }));
  }

  /** The first e-mail to the address that the predicate accepts, once it has come; null after the deadline. */
  async waitFor(
    address: string,
    accept: (mail: CapturedMail) => boolean,
    deadlineMs: number,
  ): Promise<CapturedMail | null> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const found = await this.all().then(
        (mails) => mails.find((m) => m.to.includes(address.toLowerCase()) && accept(m)),
        () => undefined,
      );
      if (found) return found;
      await sleep(2_000);
    }
    return null;
  }
}

function normaliseMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}
