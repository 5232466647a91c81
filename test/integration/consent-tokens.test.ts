import { randomBytes } from 'node:crypto';
import { consentTokens } from '../../db/consent-tokens';
import { Consent } from '../../db/entities';
import { createTokenCipher } from '../../db/token-cipher';
import { createKeyring } from '../../domain/secret-keys';
import { createTenant, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let office: Tenant;
const cipher = createTokenCipher(createKeyring(randomBytes(32).toString('base64')));

beforeAll(async () => {
  db = await createTestDatabase();
  office = await createTenant(db.orm, 'Kantoor Tokens');
});

afterAll(async () => {
  await db?.drop();
});

async function storedConsent(bankConsentId: string, tokens: { access: string; refresh: string } | null) {
  const em = db.orm.em.fork();
  const consent = em.create(Consent, {
    organization: office.organizationId,
    bankCode: 'INGB',
    bankConsentId,
    status: 'valid',
    validUntil: null,
    frequencyPerDay: 4,
    accessTokenEncrypted: tokens && cipher.encrypt(tokens.access),
    refreshTokenEncrypted: tokens && cipher.encrypt(tokens.refresh),
    tokenExpiresAt: tokens && new Date('2026-12-01T10:00:00Z'),
  });
  await em.flush();
  return consent.id;
}

describe('a consent keeps its bank tokens encrypted (db/consent-tokens.ts)', () => {
  it('hands the session the decrypted tokens and stores refreshed ones encrypted', async () => {
    const id = await storedConsent('consent-tokens-1', { access: 'access-1', refresh: 'refresh-1' });
    const em = db.orm.em.fork();
    const store = consentTokens(em, await em.findOneOrFail(Consent, { id }), cipher);
    expect(store.bankConsentId).toBe('consent-tokens-1');
    await expect(store.read()).resolves.toEqual({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: new Date('2026-12-01T10:00:00Z'),
    });

    const expiresAt = new Date('2026-12-01T11:00:00Z');
    await store.save({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt });
    const row = await db.orm.em.fork().findOneOrFail(Consent, { id });
    expect(row.accessTokenEncrypted).not.toContain('access-2');
    expect(row.refreshTokenEncrypted).not.toContain('refresh-2');
    await expect(consentTokens(em, row, cipher).read()).resolves.toEqual({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
      expiresAt,
    });
  });

  it('reads nothing from a consent without tokens (undone, or never completed)', async () => {
    const id = await storedConsent('consent-tokens-2', null);
    const em = db.orm.em.fork();
    await expect(consentTokens(em, await em.findOneOrFail(Consent, { id }), cipher).read()).resolves.toBeNull();
  });
});
