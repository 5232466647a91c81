export const EMAIL_STATUSES = ['pending', 'sent'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** A stable Message-ID per intent, so a repeated send of the same intent is the same message to every client. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const local = Buffer.from(idempotencyKey, 'utf8').toString('base64url').slice(0, 120);
  return `<${local}@${domain}>`;
}

/** Loose on purpose: mail servers are the judge; we only refuse what cannot be an address. */
export function emailProblem(address: string): string | null {
  return /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/.test(address)
    ? null
    : 'is not an e-mail address';
}
