import request from 'supertest';
import { createSandboxKvkApp } from '../../sandbox/kvk';

const app = createSandboxKvkApp();
const KEY = { apikey: 'l7xx-sandbox-test-key' };

describe('sandbox KvK API: the KvK test environment data (R-V3, R-V9)', () => {
  it.each([
    ['68750110', 'Test BV Donald'],
    ['69599084', 'Test EMZ Dagobert'],
    ['68727720', 'Test NV Katrien'],
    ['69599068', 'Test Stichting Bolderbast'],
    ['69599076', 'Test VOF Guus'],
    ['55344526', 'Regional Stimflex Coöperatie'],
    ['55505201', 'Company Newtex'],
  ])('Basisprofiel of test number %s names %s', async (kvkNummer, naam) => {
    const res = await request(app).get(`/api/v1/basisprofielen/${kvkNummer}`).set(KEY);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/hal\+json/);
    expect(res.body).toMatchObject({ kvkNummer, naam });
  });

  it('serves Test BV Donald with its main branch, addresses and legal form', async () => {
    const res = await request(app).get('/api/v1/basisprofielen/68750110').set(KEY);
    expect(res.body.statutaireNaam).toBe('Test BV Donald');
    expect(res.body._embedded.eigenaar).toMatchObject({
      rsin: '857587973',
      rechtsvorm: 'Besloten vennootschap met gewone structuur',
    });
    const hoofdvestiging = res.body._embedded.hoofdvestiging;
    expect(hoofdvestiging.vestigingsnummer).toBe('000037178598');
    expect(hoofdvestiging.adressen).toEqual([
      expect.objectContaining({
        type: 'correspondentieadres',
        straatnaam: 'Postbus',
        postbusnummer: 200,
        postcode: '1000AE',
        plaats: 'Rommeldam',
      }),
      expect.objectContaining({
        type: 'bezoekadres',
        volledigAdres: `Hizzaarderlaan 3 A${' '.repeat(33)}8823SJ Lollum`,
        straatnaam: 'Hizzaarderlaan',
        huisnummer: 3,
        huisnummerToevoeging: 'A',
        postcode: '8823SJ',
        plaats: 'Lollum',
        land: 'Nederland',
      }),
    ]);
  });

  it('answers Zoeken by KvK number in the recorded shape: branches with HAL links, street and town only', async () => {
    const res = await request(app).get('/api/v2/zoeken').query({ kvkNummer: '69599084' }).set(KEY);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pagina: 1, resultatenPerPagina: 10, totaal: 2 });
    expect(res.body.resultaten).toEqual([
      expect.objectContaining({
        vestigingsnummer: '000038509520',
        naam: 'Test EMZ Nevenvestiging Govert',
        type: 'nevenvestiging',
        adres: { binnenlandsAdres: { type: 'bezoekadres', straatnaam: 'Geneinde', plaats: 'Maastricht' } },
      }),
      expect.objectContaining({
        vestigingsnummer: '000038509504',
        naam: 'Test EMZ Dagobert',
        type: 'hoofdvestiging',
        adres: { binnenlandsAdres: { type: 'bezoekadres', straatnaam: 'Abebe Bikilalaan', plaats: 'Amsterdam' } },
      }),
    ]);
    expect(res.body.resultaten[1]._links.basisprofiel.href).toMatch(/\/api\/v1\/basisprofielen\/69599084$/);
    expect(res.body._links.self.href).toMatch(/\/api\/v2\/zoeken\?kvknummer=69599084&pagina=1&resultatenperpagina=10$/);
  });

  it('lists a legal person as a rechtspersoon result, as in the documentation example for 69599068', async () => {
    const res = await request(app).get('/api/v2/zoeken?kvknummer=69599068').set(KEY);
    expect(res.status).toBe(200);
    expect(res.body.totaal).toBe(1);
    expect(res.body.resultaten[0]).toMatchObject({
      kvkNummer: '69599068',
      naam: 'Test Stichting Bolderbast',
      type: 'rechtspersoon',
      adres: { binnenlandsAdres: { type: 'bezoekadres', straatnaam: 'Oosterwal', plaats: 'Lochem' } },
    });
  });

  it('pages Zoeken results', async () => {
    const res = await request(app).get('/api/v2/zoeken?kvkNummer=68750110&pagina=2&resultatenPerPagina=2').set(KEY);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pagina: 2, resultatenPerPagina: 2, totaal: 3 });
    expect(res.body.resultaten.map((r: { vestigingsnummer: string }) => r.vestigingsnummer)).toEqual(['000037178601']);
  });

  it.each(['90004973', '90002903'])(
    'answers the "Foutmelding" test number %s with KvK not-found errors',
    async (kvkNummer) => {
      const profiel = await request(app).get(`/api/v1/basisprofielen/${kvkNummer}`).set(KEY);
      expect(profiel.status).toBe(404);
      expect(profiel.body).toEqual({
        fout: [
          {
            code: 'IPD0005',
            omschrijving: `Op basis van het KVK-nummer ${kvkNummer} kan het product niet worden geleverd.`,
          },
        ],
      });
      const zoeken = await request(app).get(`/api/v2/zoeken?kvkNummer=${kvkNummer}`).set(KEY);
      expect(zoeken.status).toBe(404);
      expect(zoeken.body).toEqual({
        fout: [
          {
            code: 'IPD5200',
            omschrijving: 'Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.',
          },
        ],
      });
    },
  );

  it('answers an unregistered number like the real API: IPD0005 on Basisprofiel, IPD5200 on Zoeken', async () => {
    const profiel = await request(app).get('/api/v1/basisprofielen/12345678').set(KEY);
    expect(profiel.status).toBe(404);
    expect(profiel.body.fout).toEqual([
      { code: 'IPD0005', omschrijving: 'Op basis van het KVK-nummer 12345678 kan het product niet worden geleverd.' },
    ]);
    const zoeken = await request(app).get('/api/v2/zoeken?kvkNummer=12345678').set(KEY);
    expect(zoeken.status).toBe(404);
    expect(zoeken.body.fout[0].code).toBe('IPD5200');
  });

  it.each([
    ['/api/v1/basisprofielen/6875011', '6875011'],
    ['/api/v1/basisprofielen/6875011x', '6875011x'],
    ['/api/v2/zoeken?kvkNummer=687501100', '687501100'],
    ['/api/v2/zoeken', ''],
  ])('refuses a malformed KvK number: %s', async (path, echoed) => {
    const res = await request(app).get(path).set(KEY);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ fout: [{ code: 'IPD0004', omschrijving: `Het KvK nummer ${echoed} is niet valide.` }] });
  });

  it('refuses search parameters the sandbox does not serve, naming them', async () => {
    const res = await request(app).get('/api/v2/zoeken?naam=Donald&pagina=0').set(KEY);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      fout: [{ code: 'IPD1999', omschrijving: 'De volgende opgegeven parameter(s) is(zijn) ongeldig: naam, pagina' }],
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', '  '],
  ])('answers 401 in the KvK error format with %s', async (_label, apikey) => {
    const req = request(app).get('/api/v1/basisprofielen/68750110');
    const res = await (apikey === undefined ? req : req.set('apikey', apikey));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      fout: [{ code: 'SANDBOX-APIKEY', omschrijving: 'Geen API-key meegegeven in de header apikey.' }],
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
