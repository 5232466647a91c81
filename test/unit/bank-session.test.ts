import type { BankConnector, BankTokens } from '../../banks/connector';
import { ConsentInvalidError } from '../../banks/errors';
import { openUnattendedSession, refreshSession, type ConsentTokens, type StoredTokens } from '../../banks/session';

const MINUTE = 60_000;

function store(stored: StoredTokens | null) {
  const saved: BankTokens[] = [];
  const tokens: ConsentTokens = {
    bankCode: 'INGB',
    bankConsentId: 'consent-1',
    read: async () => stored,
    save: async (fresh) => {
      saved.push(fresh);
    },
  };
  return { tokens, saved };
}

function bank() {
  const refreshedWith: string[] = [];
  const connector = {
    refreshTokens: async (refreshToken: string): Promise<BankTokens> => {
      refreshedWith.push(refreshToken);
      return {
        accessToken: 'access-2',
        refreshToken: 'refresh-2',
        expiresAt: new Date(Date.now() + 60 * MINUTE),
        scope: null,
      };
    },
  } as unknown as BankConnector;
  return { connector, refreshedWith };
}

describe('an unattended session on a stored consent', () => {
  it('uses the stored access token while it lives longer than a minute', async () => {
    const { tokens, saved } = store({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: new Date(Date.now() + 5 * MINUTE),
    });
    const { connector, refreshedWith } = bank();
    await expect(openUnattendedSession(tokens, connector)).resolves.toEqual({
      consentId: 'consent-1',
      accessToken: 'access-1',
      unattended: true,
    });
    expect(refreshedWith).toEqual([]);
    expect(saved).toEqual([]);
  });

  it.each([
    ['about to expire', new Date(Date.now() + 30_000)],
    ['of unknown lifetime', null],
  ])('refreshes an access token %s and stores the rotated tokens', async (_, expiresAt) => {
    const { tokens, saved } = store({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt });
    const { connector, refreshedWith } = bank();
    const session = await openUnattendedSession(tokens, connector);
    expect(session).toEqual({ consentId: 'consent-1', accessToken: 'access-2', unattended: true });
    expect(refreshedWith).toEqual(['refresh-1']);
    expect(saved.map((t) => [t.accessToken, t.refreshToken])).toEqual([['access-2', 'refresh-2']]);
  });

  it('refreshes on request, after the bank refused a living token', async () => {
    const { tokens, saved } = store({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: new Date(Date.now() + 5 * MINUTE),
    });
    const { connector, refreshedWith } = bank();
    await expect(refreshSession(tokens, connector)).resolves.toMatchObject({ accessToken: 'access-2' });
    expect(refreshedWith).toEqual(['refresh-1']);
    expect(saved).toHaveLength(1);
  });

  it('refuses a consent without tokens as invalid, without asking the bank', async () => {
    const { tokens } = store(null);
    const { connector, refreshedWith } = bank();
    await expect(openUnattendedSession(tokens, connector)).rejects.toBeInstanceOf(ConsentInvalidError);
    await expect(refreshSession(tokens, connector)).rejects.toBeInstanceOf(ConsentInvalidError);
    expect(refreshedWith).toEqual([]);
  });
});
