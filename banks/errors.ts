/**
 * What can go wrong talking to a bank, sorted by what the caller has to do about it. Each error's `name` equals
 * its `type`, because Temporal turns a thrown error into an ApplicationFailure whose type is the error's name:
 * a retry policy can list these types as non-retryable as they are.
 *
 * Messages name the bank, the HTTP status and the bank's own code and text; never a token, code or secret (the
 * connector redacts those from the bank's text too, in case a bank echoes one back).
 */

export interface BankErrorDetails {
  bankCode: string;
  /** HTTP status; null when no answer came (network error, timeout). */
  status?: number | null;
  /** The bank's code: a Berlin Group tppMessage code (CONSENT_EXPIRED) or an OAuth error (invalid_grant). */
  code?: string | null;
  /** The bank's own explanation, as it sent it. */
  text?: string | null;
  cause?: unknown;
}

export abstract class BankError extends Error {
  abstract readonly type: string;
  /** Whether the same call may succeed later without anyone doing anything. */
  abstract readonly retryable: boolean;
  readonly bankCode: string;
  readonly status: number | null;
  readonly code: string | null;
  readonly text: string | null;

  constructor(summary: string, details: BankErrorDetails) {
    super(describe(summary, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.bankCode = details.bankCode;
    this.status = details.status ?? null;
    this.code = details.code ?? null;
    this.text = details.text ?? null;
  }
}

function describe(summary: string, details: BankErrorDetails): string {
  const answer = [details.status ? `HTTP ${details.status}` : null, details.code].filter(Boolean).join(' ');
  const said = details.text ? `: ${details.text}` : '';
  return `${details.bankCode}: ${summary}${answer || said ? ` (${answer}${said})` : ''}`;
}

/**
 * The consent no longer grants access (CONSENT_INVALID, CONSENT_EXPIRED, CONSENT_UNKNOWN), or the bank refused the
 * grant that stands for it (OAuth `invalid_grant`: a spent or revoked refresh token, a stale authorization code).
 * Only the client can fix this, by consenting again: stop fetching and tell staff and the account manager.
 */
export class ConsentInvalidError extends BankError {
  override readonly name = 'ConsentInvalidError';
  readonly type = 'ConsentInvalidError';
  readonly retryable = false;
}

/** The access token is expired, revoked or unknown (TOKEN_*): refresh the tokens, then repeat the call. */
export class TokenExpiredError extends BankError {
  override readonly name = 'TokenExpiredError';
  readonly type = 'TokenExpiredError';
  readonly retryable = false;
}

/**
 * 429, at Berlin Group banks ACCESS_EXCEEDED: the consent's frequencyPerDay is used up, or the bank throttles.
 * Wait and retry; never read this as "no new data".
 */
export class RateLimitedError extends BankError {
  override readonly name = 'RateLimitedError';
  readonly type = 'RateLimitedError';
  readonly retryable = true;
  /** From Retry-After (seconds or an HTTP date); null when the bank did not say. */
  readonly retryAfterSeconds: number | null;

  constructor(summary: string, details: BankErrorDetails & { retryAfterSeconds: number | null }) {
    super(summary, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** 5xx, no answer, or no answer in time: the bank has a bad moment, and a retry later may succeed. */
export class BankUnavailableError extends BankError {
  override readonly name = 'BankUnavailableError';
  readonly type = 'BankUnavailableError';
  readonly retryable = true;
}

/**
 * Any other refusal (4xx), or an answer this client cannot read: a bug on our side or a change on the bank's, which
 * the same call will meet again. Needs a developer, not a retry.
 */
export class BankRequestError extends BankError {
  override readonly name = 'BankRequestError';
  readonly type = 'BankRequestError';
  readonly retryable = false;
}
