/**
 * Failure types that a retry cannot change, named once: activities throw them (as ApplicationFailure types or as
 * errors whose name is the type, banks/errors.ts), workflows list them as non-retryable and recognise them.
 */
export const ERROR_TYPES = {
  /** The consent no longer grants access: only the client can fix it, by consenting again. */
  consentInvalid: 'ConsentInvalidError',
  /** The bank refused a request that the same call would meet again: needs a developer. */
  bankRequest: 'BankRequestError',
  /** The consent does not (or no longer) cover the account. */
  accountNotInConsent: 'AccountNotInConsent',
  /** The KvK says the number does not exist. */
  kvkRejected: 'KvkRejectedError',
  /** The bank sent a value the books cannot store (an identifier longer than its column): domain/value-limits.ts. */
  unfitBankValue: 'UnfitBankValue',
  /** A database error, said without its SQL or values (db/database-error.ts); not retried when the data was refused. */
  database: 'DatabaseError',
  /** The client consented again while a fetch used the consent it replaced: retried on the new one. */
  consentReplaced: 'ConsentReplacedError',
  /** The bank, or our count of its allowance, says to wait. */
  rateLimited: 'RateLimitedError',
} as const;
