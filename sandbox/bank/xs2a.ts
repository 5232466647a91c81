import type { Request, Response } from 'express';

/**
 * The Berlin Group NextGenPSD2 (XS2A) conventions every API response of the sandbox shares: errors as
 * `tppMessages`, amounts as decimal strings, the request id echoed back.
 */

export type TppMessageCode =
  | 'FORMAT_ERROR'
  | 'PARAMETER_NOT_SUPPORTED'
  | 'PERIOD_INVALID'
  | 'RESOURCE_UNKNOWN'
  | 'CONSENT_UNKNOWN'
  | 'CONSENT_INVALID'
  | 'CONSENT_EXPIRED'
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_INVALID'
  | 'ACCESS_EXCEEDED'
  | 'INTERNAL_SERVER_ERROR';

export class Xs2aError extends Error {
  constructor(
    readonly status: number,
    readonly code: TppMessageCode,
    readonly text: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${code}: ${text}`);
  }
}

export function sendXs2aError(res: Response, error: Xs2aError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json({ tppMessages: [{ category: 'ERROR', code: error.code, text: error.text }] });
}

/** Berlin Group amounts: a decimal string with a dot and two decimals, minus sign for debits. */
export function formatAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function amount(cents: number): { currency: 'EUR'; amount: string } {
  return { currency: 'EUR', amount: formatAmount(cents) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every XS2A call carries a UUID `X-Request-ID`, which the bank echoes so both sides can trace the call. */
export function requireRequestId(req: Request, res: Response): void {
  const requestId = req.get('X-Request-ID');
  if (!requestId || !UUID.test(requestId)) {
    throw new Xs2aError(400, 'FORMAT_ERROR', 'Header X-Request-ID is required and must be a UUID');
  }
  res.setHeader('X-Request-ID', requestId);
}
