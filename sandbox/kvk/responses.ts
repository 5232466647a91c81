import type { TestAddress, TestBranch, TestRegistration } from './test-data';

/**
 * Shapes of the real answers, as recorded from api.kvk.nl/test in 2026: Zoeken v2 links with HAL `_links` objects,
 * Basisprofiel v1 with `links` arrays and an `_embedded` owner and main branch.
 */

export interface KvkFout {
  fout: { code: string; omschrijving: string }[];
}

export function kvkFout(error: { code: string; omschrijving: string }, value: string): KvkFout {
  return { fout: [{ code: error.code, omschrijving: error.omschrijving.replace('{0}', value) }] };
}

export function zoekenResponse(
  registration: TestRegistration,
  paging: { pagina: number; resultatenPerPagina: number },
  baseUrl: string,
): object | null {
  const basisprofiel = { href: `${baseUrl}/api/v1/basisprofielen/${registration.kvkNummer}` };
  const all = [
    ...(registration.isRechtspersoon
      ? [
          {
            kvkNummer: registration.kvkNummer,
            naam: registration.naam,
            ...zoekenAdres(registration.eigenaarAdressen),
            type: 'rechtspersoon',
            _links: { basisprofiel },
          },
        ]
      : []),
    ...registration.vestigingen.map((branch: TestBranch) => ({
      kvkNummer: registration.kvkNummer,
      vestigingsnummer: branch.vestigingsnummer,
      naam: branch.naam,
      ...zoekenAdres(branch.adressen),
      type: branch.type,
      _links: {
        basisprofiel,
        vestigingsprofiel: { href: `${baseUrl}/api/v1/vestigingsprofielen/${branch.vestigingsnummer}` },
      },
    })),
  ];
  const start = (paging.pagina - 1) * paging.resultatenPerPagina;
  const resultaten = all.slice(start, start + paging.resultatenPerPagina);
  if (resultaten.length === 0) return null;
  return {
    pagina: paging.pagina,
    resultatenPerPagina: paging.resultatenPerPagina,
    totaal: all.length,
    resultaten,
    _links: {
      self: {
        href: `${baseUrl}/api/v2/zoeken?kvknummer=${registration.kvkNummer}&pagina=${paging.pagina}&resultatenperpagina=${paging.resultatenPerPagina}`,
      },
    },
  };
}

/** Zoeken shows one address, street and town only, unless the search itself was by postcode. */
function zoekenAdres(adressen: TestAddress[]): { adres?: object } {
  const adres = adressen.find((a) => a.type === 'bezoekadres') ?? adressen[0];
  return adres
    ? { adres: { binnenlandsAdres: { type: adres.type, straatnaam: adres.straatnaam, plaats: adres.plaats } } }
    : {};
}

export function basisprofielResponse(registration: TestRegistration, baseUrl: string): object {
  const self = `${baseUrl}/api/v1/basisprofielen/${registration.kvkNummer}`;
  const vestigingen = { rel: 'vestigingen', href: `${self}/vestigingen` };
  const hoofdvestiging = registration.vestigingen.find((branch) => branch.type === 'hoofdvestiging');
  return {
    kvkNummer: registration.kvkNummer,
    naam: registration.naam,
    ...(registration.statutaireNaam ? { statutaireNaam: registration.statutaireNaam } : {}),
    ...(registration.formeleRegistratiedatum ? { formeleRegistratiedatum: registration.formeleRegistratiedatum } : {}),
    ...(registration.datumAanvang ? { materieleRegistratie: { datumAanvang: registration.datumAanvang } } : {}),
    ...(registration.totaalWerkzamePersonen !== undefined
      ? { totaalWerkzamePersonen: registration.totaalWerkzamePersonen }
      : {}),
    handelsnamen: registration.handelsnamen.map((naam, volgorde) => ({ naam, volgorde })),
    ...(registration.sbiActiviteiten.length > 0 ? { sbiActiviteiten: registration.sbiActiviteiten } : {}),
    links: [{ rel: 'self', href: self }, vestigingen],
    _embedded: {
      ...(hoofdvestiging
        ? {
            hoofdvestiging: {
              vestigingsnummer: hoofdvestiging.vestigingsnummer,
              kvkNummer: registration.kvkNummer,
              eersteHandelsnaam: hoofdvestiging.naam,
              indHoofdvestiging: 'Ja',
              indCommercieleVestiging: 'Ja',
              adressen: hoofdvestiging.adressen.map(basisprofielAdres),
              links: [
                { rel: 'self', href: `${self}/hoofdvestiging` },
                vestigingen,
                { rel: 'basisprofiel', href: self },
                {
                  rel: 'vestigingsprofiel',
                  href: `${baseUrl}/api/v1/vestigingsprofielen/${hoofdvestiging.vestigingsnummer}`,
                },
              ],
            },
          }
        : {}),
      eigenaar: {
        ...(registration.rsin ? { rsin: registration.rsin } : {}),
        rechtsvorm: registration.rechtsvorm,
        uitgebreideRechtsvorm: registration.rechtsvorm,
        ...(registration.eigenaarAdressen.length > 0
          ? { adressen: registration.eigenaarAdressen.map(basisprofielAdres) }
          : {}),
        links: [
          { rel: 'self', href: `${self}/eigenaar` },
          { rel: 'basisprofiel', href: self },
        ],
      },
    },
  };
}

function basisprofielAdres(adres: TestAddress): object {
  const firstLine = [
    adres.straatnaam,
    adres.postbusnummer ?? adres.huisnummer,
    adres.huisletter ?? adres.huisnummerToevoeging,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  const secondLine = [adres.postcode, adres.plaats].filter((part) => part !== undefined).join(' ');
  const { type, ...parts } = adres;
  return {
    type,
    indAfgeschermd: 'Nee',
    // The real API pads the two lines of volledigAdres with 33 spaces; clients must not parse it.
    volledigAdres: `${firstLine}${' '.repeat(33)}${secondLine}`,
    ...parts,
    land: 'Nederland',
  };
}
