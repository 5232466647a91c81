import {
  type BankError,
  type BankErrorDetails,
  BankRequestError,
  BankUnavailableError,
  ConsentInvalidError,
  RateLimitedError,
  TokenExpiredError,
} from '../errors';
import type { HttpAnswer } from './http';
import { oauthErrorSchema, tppMessagesSchema } from './schemas';

/**
 * The bank's error answers, read into the error types of banks/errors.ts. `secrets` are what the request carried
 * (token, code, verifier, client secret): they are cut out of the bank's text, in case the bank echoes one back.
 */

const CONSENT_CODES = new Set(['CONSENT_INVALID', 'CONSENT_EXPIRED', 'CONSENT_UNKNOWN']);
const TOKEN_CODES = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_UNKNOWN']);

interface BankMessage {
  code: string | null;
  text: string | null;
}

/** An error answer of the XS2A API (consents, accounts, transactions). */
export function xs2aError(bankCode: string, answer: HttpAnswer, secrets: readonly string[], now: Date): BankError {
  const messages = bankMessages(answer.json);
  const pick = (codes?: ReadonlySet<string>): BankErrorDetails =>
    details(bankCode, answer.status, pickMessage(messages, codes), secrets);
  if (answer.status === 429) {
    return new RateLimitedError('the bank allows no more calls for now', {
      ...pick(),
      retryAfterSeconds: retryAfterSeconds(answer.headers, now),
    });
  }
  if (answer.status >= 500 || answer.status === 408)
    return new BankUnavailableError('the bank could not answer', pick());
  // A dead consent outranks a dead token: refreshing would not help, the client has to consent again.
  if (hasCode(messages, CONSENT_CODES)) {
    return new ConsentInvalidError('the consent no longer grants access', pick(CONSENT_CODES));
  }
  if (hasCode(messages, TOKEN_CODES) || (answer.status === 401 && messages.length === 0)) {
    return new TokenExpiredError('the access token was not accepted', pick(TOKEN_CODES));
  }
  return new BankRequestError('the bank refused the request', pick());
}

/** An error answer of the token endpoint: RFC 6749 §5.2 JSON, except when the bank is unavailable or throttles. */
export function tokenError(bankCode: string, answer: HttpAnswer, secrets: readonly string[], now: Date): BankError {
  if (answer.status === 429 || answer.status >= 500 || answer.status === 408)
    return xs2aError(bankCode, answer, secrets, now);
  const parsed = oauthErrorSchema.safeParse(answer.json);
  if (!parsed.success)
    return new BankRequestError('the token request was refused', { bankCode, status: answer.status });
  const message = { code: parsed.data.error, text: parsed.data.error_description ?? null };
  // invalid_grant: the code or refresh token is spent, expired or revoked, or its consent is gone; only a new
  // authorisation by the client helps. Every other OAuth error is a mistake in our request or registration.
  if (message.code === 'invalid_grant') {
    return new ConsentInvalidError(
      'the bank refused the grant; the client has to authorise again',
      details(bankCode, answer.status, message, secrets),
    );
  }
  return new BankRequestError('the token request was refused', details(bankCode, answer.status, message, secrets));
}

/** For answers without an error body we can read, such as the OAuth metadata. */
export function statusError(bankCode: string, status: number, summary: string): BankError {
  return status >= 500
    ? new BankUnavailableError(summary, { bankCode, status })
    : new BankRequestError(summary, { bankCode, status });
}

/** Banks send tppMessages or the RFC 7807 flavour of Berlin Group errors (Error_NG); either is read. */
function bankMessages(json: unknown): BankMessage[] {
  const parsed = tppMessagesSchema.safeParse(json);
  if (!parsed.success) return [];
  const { tppMessages, code, detail, additionalErrors } = parsed.data;
  return [
    ...(tppMessages ?? []).map((m) => ({ code: m.code, text: m.text ?? null })),
    ...(code ? [{ code, text: detail ?? null }] : []),
    ...(additionalErrors ?? []).map((m) => ({ code: m.code, text: m.detail ?? null })),
  ];
}

function hasCode(messages: readonly BankMessage[], codes: ReadonlySet<string>): boolean {
  return messages.some((m) => m.code !== null && codes.has(m.code));
}

/** The message that explains the error we chose, where the bank sent several; else the first. */
function pickMessage(messages: readonly BankMessage[], codes?: ReadonlySet<string>): BankMessage | undefined {
  return (codes ? messages.find((m) => m.code !== null && codes.has(m.code)) : undefined) ?? messages[0];
}

function details(
  bankCode: string,
  status: number,
  message: BankMessage | undefined,
  secrets: readonly string[],
): BankErrorDetails {
  return { bankCode, status, code: message?.code ?? null, text: redact(message?.text ?? null, secrets) };
}

function redact(text: string | null, secrets: readonly string[]): string | null {
  if (text === null) return null;
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.replaceAll(secret, '[redacted]'), text);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterSeconds(headers: Headers, now: Date): number | null {
  const value = headers.get('Retry-After')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
