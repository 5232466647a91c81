/** KvK could not answer now (network, timeout, 5xx, 429, "temporarily unavailable"): a retry may succeed. */
export class KvkUnavailableError extends Error {
  override readonly name = 'KvkUnavailableError';
}

/**
 * KvK refused the request itself (API key, a parameter, an answer this client cannot read): retrying the same call
 * will not help, so a Temporal retry policy lists this type as non-retryable.
 */
export class KvkRejectedError extends Error {
  override readonly name = 'KvkRejectedError';
}
