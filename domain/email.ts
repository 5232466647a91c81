export const EMAIL_STATUSES = ['pending', 'sent'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** A stable Message-ID per intent, so a repeated send of the same intent is the same message to every client. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const local = Buffer.from(idempotencyKey, 'utf8').toString('base64url').slice(0, 120);
  return `<${local}@${domain}>`;
}

/** RFC 5321: a path is at most 256 octets with its angle brackets, so an address at most 254. */
const MAX_EMAIL_LENGTH = 254;

/**
 * Loose on purpose: mail servers are the judge; we only refuse what cannot be an address. The length is checked
 * before the pattern, and the pattern matches in linear time: the domain's first dot after its first character
 * is found without backtracking, so a long request field cannot hold the event loop.
 */
export function emailProblem(address: string): string | null {
  if (address.length > MAX_EMAIL_LENGTH) return `is longer than ${MAX_EMAIL_LENGTH} characters`;
  return /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]][^\s@<>(),;:"[\].]*\.[^\s@<>(),;:"[\]]+$/.test(address)
    ? null
    : 'is not an e-mail address';
}
