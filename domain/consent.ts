/** Berlin Group NextGenPSD2 consent statuses. */
export const CONSENT_STATUSES = [
  'received',
  'valid',
  'rejected',
  'expired',
  'revokedByPsu',
  'terminatedByTpp',
] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Only a valid consent lets us fetch; every other status needs the client to act (or a new onboarding). */
export function consentUsable(status: ConsentStatus, validUntil: string | null, today: string): boolean {
  return status === 'valid' && (validUntil === null || validUntil >= today);
}
