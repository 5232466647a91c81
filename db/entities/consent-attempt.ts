import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Onboarding } from './onboarding';
import { Organization } from './organization';

/**
 * One trip of the client to the bank (OAuth2 authorization code with PKCE). The `state` and the code verifier
 * are stored encrypted, the returned code too until it is exchanged; the workflow only ever sees this row's id.
 */
export const ConsentAttempt = defineEntity({
  name: 'ConsentAttempt',
  tableName: 'consent_attempt',
  properties: (p) => ({
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: p.manyToOne(Organization).deleteRule('cascade'),
    onboarding: p.manyToOne(Onboarding).deleteRule('cascade'),
    bankCode: p.string().length(4),
    bankConsentId: p.string().length(200),
    stateHash: p.string().length(64).unique(),
    stateEncrypted: p.text(),
    codeVerifierEncrypted: p.text(),
    codeEncrypted: p.text().nullable(),
    /** The bank's refusal, in its words (e.g. R-A3: the user's role may not link accounts). */
    error: p.string().length(1000).nullable(),
    redirectUri: p.string().length(500),
    /**
     * SHA-256 of the nonce in the cookie of the browser that went to the bank (api/client/browser-binding.ts). Null
     * until the client page that started the attempt sets it: a callback for such an attempt is refused.
     */
    browserHash: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    returnedAt: p.datetime().nullable(),
  }),
});
export type IConsentAttempt = InferEntity<typeof ConsentAttempt>;
