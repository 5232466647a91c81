import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createKvkClient } from '../../kvk/client';
import { KvkRejectedError, KvkUnavailableError } from '../../kvk/errors';
import { startSandboxKvk } from '../../sandbox/kvk';

const API_KEY = 'l7xx-secret-test-key-0123456789';

describe('KvK client against the sandbox KvK API (R-V3)', () => {
  let sandbox: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    sandbox = await startSandboxKvk(0);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('finds Test BV Donald with its name, legal form and visiting address', async () => {
    const client = createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY });
    await expect(client.lookup('68750110')).resolves.toEqual({
      kind: 'found',
      kvkNumber: '68750110',
      name: 'Test BV Donald',
      tradeNames: ['Test BV Donald'],
      legalForm: 'Besloten vennootschap met gewone structuur',
      address: {
        kind: 'visiting',
        street: 'Hizzaarderlaan',
        houseNumber: 3,
        houseNumberAddition: 'A',
        postalCode: '8823SJ',
        city: 'Lollum',
        country: 'Nederland',
      },
    });
  });

  it('finds a sole trader by the name KvK gives, with trade names in KvK order, tolerating spaces around the number', async () => {
    const result = await createKvkClient({ baseUrl: `${sandbox.url}/`, apiKey: API_KEY }).lookup(' 69599084 ');
    expect(result).toMatchObject({
      kind: 'found',
      kvkNumber: '69599084',
      name: 'Test EMZ Dagobert',
      legalForm: 'Eenmanszaak',
      address: {
        kind: 'visiting',
        street: 'Abebe Bikilalaan',
        houseNumber: 17,
        houseLetter: 'M',
        postalCode: '1034WL',
        city: 'Amsterdam',
      },
    });
    expect(result.kind === 'found' && result.tradeNames.slice(0, 2)).toEqual([
      'Test EMZ Dagobert',
      'Tweede handelsnaam 1MZ',
    ]);
  });

  it('takes the owner address when a registration has no main branch', async () => {
    const result = await createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY }).lookup('69599068');
    expect(result).toEqual({
      kind: 'found',
      kvkNumber: '69599068',
      name: 'Test Stichting Bolderbast',
      tradeNames: ['Test Stichting Bolderbast'],
      legalForm: 'Stichting',
      address: { kind: 'visiting', street: 'Oosterwal', city: 'Lochem', country: 'Nederland' },
    });
  });

  it('finds a registration without a known address and leaves the address out', async () => {
    const result = await createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY }).lookup('68727720');
    expect(result).toEqual({
      kind: 'found',
      kvkNumber: '68727720',
      name: 'Test NV Katrien',
      tradeNames: ['Test NV Katrien'],
      legalForm: 'NV',
    });
  });

  it.each(['12345678', '90004973', '90002903'])('reports %s as not found', async (kvkNumber) => {
    await expect(createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY }).lookup(kvkNumber)).resolves.toEqual({
      kind: 'not_found',
    });
  });

  it.each(['1234567', '123456789', '6875011O', ''])('refuses %j before calling KvK', async (input) => {
    const fetchSpy = jest.fn<ReturnType<typeof fetch>, Parameters<typeof fetch>>();
    const client = createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY, fetch: fetchSpy });
    await expect(client.lookup(input)).resolves.toEqual({ kind: 'invalid', reason: 'KvK number must be 8 digits' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends the key in the apikey header to the Basisprofiel path', async () => {
    const seen: { url: string; apikey: string | null }[] = [];
    const recordingFetch: typeof fetch = async (url, init) => {
      seen.push({ url: String(url), apikey: new Headers(init?.headers).get('apikey') });
      return fetch(url, init);
    };
    await createKvkClient({ baseUrl: sandbox.url, apiKey: API_KEY, fetch: recordingFetch }).lookup('55505201');
    expect(seen).toEqual([{ url: `${sandbox.url}/api/v1/basisprofielen/55505201`, apikey: API_KEY }]);
  });

  it('rejects without retry when KvK refuses the key, and never puts the key in the error', async () => {
    const error = await createKvkClient({ baseUrl: sandbox.url, apiKey: '' })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkRejectedError);
    expect((error as Error).message).toBe('KvK refused the API key (HTTP 401)');
  });
});

describe('KvK client when KvK misbehaves', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function fakeKvk(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler).listen(0, '127.0.0.1');
    servers.push(server);
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('throws KvkUnavailableError on a 500 answer', async () => {
    const baseUrl = await fakeKvk((_req, res) => {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"fout":[{"code":"IPD9999","omschrijving":"Algemene technische fout."}]}');
    });
    const error = await createKvkClient({ baseUrl, apiKey: API_KEY })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkUnavailableError);
    expect((error as Error).message).toBe('KvK is unavailable (HTTP 500, IPD9999)');
    expect((error as Error).message).not.toContain(API_KEY);
  });

  it('throws KvkUnavailableError when KvK says the data is temporarily unavailable, whatever the status', async () => {
    const baseUrl = await fakeKvk((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(
          '{"fout":[{"code":"IPD1003","omschrijving":"De gegevens zijn tijdelijk niet leverbaar. Probeer het over 5 minuten nog een keer."}]}',
        );
    });
    await expect(createKvkClient({ baseUrl, apiKey: API_KEY }).lookup('68750110')).rejects.toThrow(
      new KvkUnavailableError('KvK is unavailable (HTTP 404, IPD1003)'),
    );
  });

  it('does not take a bare 404 (a wrong base URL) for "no such company"', async () => {
    const baseUrl = await fakeKvk((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    const error = await createKvkClient({ baseUrl, apiKey: API_KEY })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkRejectedError);
    expect((error as Error).message).toBe(`KvK answered HTTP 404 to ${baseUrl}/api/v1/basisprofielen/{kvkNumber}`);
  });

  it('throws KvkUnavailableError within the timeout when the server never answers', async () => {
    const baseUrl = await fakeKvk(() => {
      // Accept the request and say nothing.
    });
    const started = Date.now();
    const error = await createKvkClient({ baseUrl, apiKey: API_KEY, timeoutMs: 200 })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkUnavailableError);
    expect((error as Error).message).toBe('KvK did not answer within 200 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('throws KvkUnavailableError within the timeout when the body stalls after the headers', async () => {
    const baseUrl = await fakeKvk((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/hal+json' });
      res.write('{"kvkNummer":"68750110",');
    });
    const started = Date.now();
    const error = await createKvkClient({ baseUrl, apiKey: API_KEY, timeoutMs: 200 })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('throws KvkUnavailableError when nothing listens', async () => {
    const baseUrl = await fakeKvk(() => undefined);
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const error = await createKvkClient({ baseUrl, apiKey: API_KEY })
      .lookup('68750110')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvkUnavailableError);
    expect((error as Error).message).toMatch(/^KvK could not be reached: .*ECONNREFUSED/);
  });
});
