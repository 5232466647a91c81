/**
 * The KvK test environment's fictitious registrations, served by the sandbox KvK API (R-V3, R-V9: the wizard fills
 * in the company name from the KvK number).
 *
 * Which numbers exist and their legal forms come from KvK's own test-data table:
 *   https://developers.kvk.nl/documentation/testing (also /get-started/try-it-out and
 *   /nl/documentation/testing/swagger-basisprofiel-api).
 * The names, branch numbers and addresses do not appear on those pages except in the documentation's two response
 * examples (https://developers.kvk.nl/nl/documentation: 69599068 and 68750110). The rest was taken from answers of
 * the real test environment (https://api.kvk.nl/test/api/...) that other projects recorded; a comment above each
 * record names its source. Where no such record was found, the field is left out rather than made up: the sandbox then
 * answers without it, as the real API does for a registration that lacks it.
 *
 * 90004973 and 90002903 are listed by KvK only as "Foutmelding" / "Error message", without the answer they give. A
 * client's integration test run against the test environment (app-vise/kvk-api, tests/ClientTest.php) expects HTTP
 * 404 from Zoeken for both, so they are deliberately absent here: the sandbox answers them like any unregistered
 * number, with the codes the test environment was recorded giving for one (IPD5200 on Zoeken, IPD0005 on
 * Basisprofiel).
 */

export interface TestAddress {
  type: 'bezoekadres' | 'correspondentieadres';
  straatnaam: string;
  huisnummer?: number;
  huisletter?: string;
  huisnummerToevoeging?: string;
  postbusnummer?: number;
  postcode?: string;
  plaats: string;
}

export interface TestBranch {
  vestigingsnummer: string;
  type: 'hoofdvestiging' | 'nevenvestiging';
  naam: string;
  adressen: TestAddress[];
}

export interface TestSbiActivity {
  sbiCode: string;
  sbiOmschrijving: string;
  indHoofdactiviteit: 'Ja' | 'Nee';
}

export interface TestRegistration {
  kvkNummer: string;
  naam: string;
  statutaireNaam?: string;
  /** Basisprofiel `_embedded.eigenaar.rechtsvorm` where a recorded answer showed it; else the table's legal form. */
  rechtsvorm: string;
  rsin?: string;
  formeleRegistratiedatum?: string;
  datumAanvang?: string;
  totaalWerkzamePersonen?: number;
  handelsnamen: string[];
  sbiActiviteiten: TestSbiActivity[];
  /** Legal persons appear in Zoeken as a `rechtspersoon` result of their own; sole traders and partnerships do not. */
  isRechtspersoon: boolean;
  /** Addresses of the owner, shown when there is no branch (Basisprofiel release 1.2). */
  eigenaarAdressen: TestAddress[];
  /** In the order the real Zoeken answer lists them. */
  vestigingen: TestBranch[];
}

// Sources named below:
// - open-forms: open-formulieren/open-forms, src/openforms/contrib/kvk/tests/vcr_cassettes, Zoeken and Basisprofiel
//   answers recorded from api.kvk.nl/test in 2026.
// - python mocks: Zoeken and Basisprofiel answers of api.kvk.nl/test kept as test mocks by a third-party Python KvK
//   client (tests/mocks.py).

export const TEST_REGISTRATIONS: readonly TestRegistration[] = [
  // Source: KvK documentation example (name, main branch 000037178598, street and town); python mocks.
  {
    kvkNummer: '68750110',
    naam: 'Test BV Donald',
    statutaireNaam: 'Test BV Donald',
    rechtsvorm: 'Besloten vennootschap met gewone structuur',
    rsin: '857587973',
    formeleRegistratiedatum: '20170519',
    datumAanvang: '20170519',
    totaalWerkzamePersonen: 1,
    handelsnamen: ['Test BV Donald'],
    sbiActiviteiten: [{ sbiCode: '01241', sbiOmschrijving: 'Teelt van appels en peren', indHoofdactiviteit: 'Ja' }],
    isRechtspersoon: true,
    eigenaarAdressen: [],
    vestigingen: [
      {
        vestigingsnummer: '000037178598',
        type: 'hoofdvestiging',
        naam: 'Test BV Donald',
        adressen: [
          {
            type: 'correspondentieadres',
            straatnaam: 'Postbus',
            postbusnummer: 200,
            postcode: '1000AE',
            plaats: 'Rommeldam',
          },
          {
            type: 'bezoekadres',
            straatnaam: 'Hizzaarderlaan',
            huisnummer: 3,
            huisnummerToevoeging: 'A',
            postcode: '8823SJ',
            plaats: 'Lollum',
          },
        ],
      },
      {
        vestigingsnummer: '000037178601',
        type: 'nevenvestiging',
        naam: 'Test BV Donald Nevenvestiging',
        adressen: [{ type: 'bezoekadres', straatnaam: 'Brinkerinckbaan', plaats: 'Diepenveen' }],
      },
    ],
  },
  // Source: open-forms.
  {
    kvkNummer: '69599084',
    naam: 'Test EMZ Dagobert',
    rechtsvorm: 'Eenmanszaak',
    formeleRegistratiedatum: '20170710',
    datumAanvang: '20170108',
    totaalWerkzamePersonen: 1,
    handelsnamen: [
      'Test EMZ Dagobert',
      'Tweede handelsnaam 1MZ',
      'Derde handelsnaam 1MZ',
      'Vierde handelsnaam 1MZ',
      'Test EMZ Nevenvestiging Govert',
      'Tweede handelsnaam Vestiging2',
      'Derde handelsnaam Vestiging2',
      'Vierde handelsnaam Vestiging2',
    ],
    sbiActiviteiten: [
      {
        sbiCode: '10110',
        sbiOmschrijving: 'Verwerking en conservering van vlees, met uitzondering van vlees van gevogelte',
        indHoofdactiviteit: 'Ja',
      },
      {
        sbiCode: '10120',
        sbiOmschrijving: 'Verwerking en conservering van vlees van gevogelte',
        indHoofdactiviteit: 'Nee',
      },
      { sbiCode: '10130', sbiOmschrijving: 'Vervaardiging van vleesproducten', indHoofdactiviteit: 'Nee' },
    ],
    isRechtspersoon: false,
    eigenaarAdressen: [],
    vestigingen: [
      {
        vestigingsnummer: '000038509520',
        type: 'nevenvestiging',
        naam: 'Test EMZ Nevenvestiging Govert',
        adressen: [{ type: 'bezoekadres', straatnaam: 'Geneinde', plaats: 'Maastricht' }],
      },
      {
        vestigingsnummer: '000038509504',
        type: 'hoofdvestiging',
        naam: 'Test EMZ Dagobert',
        adressen: [
          {
            type: 'bezoekadres',
            straatnaam: 'Abebe Bikilalaan',
            huisnummer: 17,
            huisletter: 'M',
            postcode: '1034WL',
            plaats: 'Amsterdam',
          },
        ],
      },
    ],
  },
  // Source: name from OCA l10n_nl_kvk tests run against the test environment; branch 000037143557 from KvK's
  // Vestigingsprofiel test-data table (NV).
  {
    kvkNummer: '68727720',
    naam: 'Test NV Katrien',
    rechtsvorm: 'NV',
    handelsnamen: ['Test NV Katrien'],
    sbiActiviteiten: [],
    isRechtspersoon: true,
    eigenaarAdressen: [],
    // No recorded address was found for this registration, so none is served.
    vestigingen: [{ vestigingsnummer: '000037143557', type: 'hoofdvestiging', naam: 'Test NV Katrien', adressen: [] }],
  },
  // Source: KvK documentation example, https://developers.kvk.nl/nl/documentation (Zoeken answer for 69599068).
  {
    kvkNummer: '69599068',
    naam: 'Test Stichting Bolderbast',
    rechtsvorm: 'Stichting',
    handelsnamen: ['Test Stichting Bolderbast'],
    sbiActiviteiten: [],
    isRechtspersoon: true,
    // The documentation's example gives only street and town; house number and postcode are unknown.
    eigenaarAdressen: [{ type: 'bezoekadres', straatnaam: 'Oosterwal', plaats: 'Lochem' }],
    vestigingen: [],
  },
  // Source: name from several projects citing the test environment; branch number from KvK's Vestigingsprofiel
  // test-data table (VoF).
  {
    kvkNummer: '69599076',
    naam: 'Test VOF Guus',
    rechtsvorm: 'VoF',
    handelsnamen: ['Test VOF Guus'],
    sbiActiviteiten: [],
    isRechtspersoon: false,
    eigenaarAdressen: [],
    // KvK's Vestigingsprofiel table lists 000038509474 and 000038509490 for the VoF; which one is the main branch is
    // not published, and no recorded address was found. The first is served as the main branch, as for the EMZ and BV.
    vestigingen: [{ vestigingsnummer: '000038509474', type: 'hoofdvestiging', naam: 'Test VOF Guus', adressen: [] }],
  },
  // Source: name only, from two third-party projects seeded from the test environment (ConductionNL/openregister
  // KVK mock register; a reseller seed table); not confirmed by a recorded answer. No address is served.
  {
    kvkNummer: '55344526',
    naam: 'Regional Stimflex Coöperatie',
    rechtsvorm: 'Coöperatie',
    handelsnamen: ['Regional Stimflex Coöperatie'],
    sbiActiviteiten: [],
    isRechtspersoon: true,
    eigenaarAdressen: [],
    vestigingen: [],
  },
  // Source: python mocks (the Zoeken answer only: street and town).
  {
    kvkNummer: '55505201',
    naam: 'Company Newtex',
    rechtsvorm: 'Overige Privaatrechtelijke Rechtspersoon',
    handelsnamen: ['Company Newtex'],
    sbiActiviteiten: [],
    isRechtspersoon: true,
    eigenaarAdressen: [{ type: 'bezoekadres', straatnaam: 'Japiksestraat', plaats: 'Eindhoven' }],
    vestigingen: [],
  },
];

/**
 * Error answers, with the texts of KvK's status-code table (https://developers.kvk.nl/nl/documentation#status-codes,
 * as quoted in the recorded answers above). `{0}` is the number asked for.
 */
export const KVK_ERRORS = {
  invalidKvkNumber: { status: 400, code: 'IPD0004', omschrijving: 'Het KvK nummer {0} is niet valide.' },
  productNotDeliverable: {
    status: 404,
    code: 'IPD0005',
    omschrijving: 'Op basis van het KVK-nummer {0} kan het product niet worden geleverd.',
  },
  invalidParameters: {
    status: 400,
    code: 'IPD1999',
    omschrijving: 'De volgende opgegeven parameter(s) is(zijn) ongeldig: {0}',
  },
  noSearchResults: {
    status: 404,
    code: 'IPD5200',
    omschrijving: 'Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.',
  },
  // KvK does not document the body of its 401; the code is the sandbox's own, so no client should match on it.
  missingApiKey: { status: 401, code: 'SANDBOX-APIKEY', omschrijving: 'Geen API-key meegegeven in de header apikey.' },
} as const;
