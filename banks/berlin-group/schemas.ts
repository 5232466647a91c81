import { z } from 'zod';
import { BankRequestError } from '../errors';

// The shapes of the bank's answers: strict where we rely on a field, tolerant of the extras and nulls banks add.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const amountSchema = z.object({ currency: z.string().min(3), amount: z.string() });
const accountReference = z.object({ iban: z.string().nullish() });
const href = z.object({ href: z.string() });
const structuredRemittance = z.union([z.string(), z.object({ reference: z.string() })]);
export type StructuredRemittance = z.infer<typeof structuredRemittance>;

export const createdConsentSchema = z.object({ consentId: z.string().min(1), consentStatus: z.string() });

export const consentSchema = z.object({
  consentStatus: z.string(),
  validUntil: isoDate,
  frequencyPerDay: z.number().int(),
  recurringIndicator: z.boolean(),
  access: z
    .object({
      accounts: z.array(accountReference).nullish(),
      balances: z.array(accountReference).nullish(),
      transactions: z.array(accountReference).nullish(),
    })
    .nullish(),
});

export const accountsSchema = z.object({
  accounts: z.array(
    z.object({
      resourceId: z.string().min(1),
      iban: z.string().nullish(),
      currency: z.string(),
      name: z.string().nullish(),
      product: z.string().nullish(),
      cashAccountType: z.string().nullish(),
    }),
  ),
});

export const balancesSchema = z.object({
  balances: z.array(
    z.object({ balanceType: z.string(), balanceAmount: amountSchema, referenceDate: isoDate.nullish() }),
  ),
});

const transactionSchema = z.object({
  transactionId: z.string().nullish(),
  entryReference: z.string().nullish(),
  endToEndId: z.string().nullish(),
  bookingDate: isoDate.nullish(),
  valueDate: isoDate.nullish(),
  transactionAmount: amountSchema,
  creditorName: z.string().nullish(),
  creditorAccount: accountReference.nullish(),
  debtorName: z.string().nullish(),
  debtorAccount: accountReference.nullish(),
  remittanceInformationUnstructured: z.string().nullish(),
  remittanceInformationUnstructuredArray: z.array(z.string()).nullish(),
  // A string from v1.3.6 on, an object with `reference` before; some banks send an array of either.
  remittanceInformationStructured: structuredRemittance.nullish(),
  remittanceInformationStructuredArray: z.array(structuredRemittance).nullish(),
  bankTransactionCode: z.string().nullish(),
  proprietaryBankTransactionCode: z.string().nullish(),
});
export type RawTransaction = z.infer<typeof transactionSchema>;

export const reportSchema = z.object({
  transactions: z.object({
    booked: z.array(transactionSchema).nullish(),
    pending: z.array(transactionSchema).nullish(),
    _links: z.object({ next: href.nullish() }).nullish(),
  }),
  _links: z.object({ next: href.nullish() }).nullish(),
});

export const metadataSchema = z.object({
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type OAuthMetadata = z.infer<typeof metadataSchema>;

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'Bearer'),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  refresh_token: z.string().min(1).nullish(),
  scope: z.string().nullish(),
});
export type GrantedTokens = z.infer<typeof tokenSchema>;

export const tppMessagesSchema = z.object({
  tppMessages: z.array(z.object({ code: z.string(), text: z.string().nullish() })).nullish(),
  // The RFC 7807 flavour of Berlin Group errors ("Error_NG").
  code: z.string().nullish(),
  detail: z.string().nullish(),
  additionalErrors: z.array(z.object({ code: z.string(), detail: z.string().nullish() })).nullish(),
});

/** Errors of the token endpoint are RFC 6749 §5.2 JSON (`error`, `error_description`), not tppMessages. */
export const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().nullish() });

/** A successful answer in an unexpected shape is the bank's mistake or ours, not a bad moment: not retryable. */
export function parseAnswer<T>(bankCode: string, schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new BankRequestError(`unexpected answer to the ${what} request: ${z.prettifyError(parsed.error)}`, {
      bankCode,
    });
  }
  return parsed.data;
}
