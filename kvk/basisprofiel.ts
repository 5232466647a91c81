import { z } from 'zod';
import { KvkRejectedError } from './errors';

/** KvK's answers as this client reads them: a Basisprofiel, or a list of `fout` codes. */

export interface KvkAddress {
  kind: 'visiting' | 'postal';
  street: string;
  houseNumber?: number;
  houseLetter?: string;
  houseNumberAddition?: string;
  poBoxNumber?: number;
  postalCode?: string;
  city: string;
  country?: string;
}

export interface KvkCompany {
  kind: 'found';
  kvkNumber: string;
  name: string;
  tradeNames: string[];
  legalForm?: string;
  address?: KvkAddress;
}

export interface KvkFout {
  code: string;
  omschrijving?: string;
}

const foutSchema = z.object({
  fout: z.array(z.object({ code: z.string(), omschrijving: z.string().optional() })),
});

const adresSchema = z.object({
  type: z.string(),
  indAfgeschermd: z.string().optional(),
  straatnaam: z.string().optional(),
  huisnummer: z.number().optional(),
  huisletter: z.string().optional(),
  huisnummerToevoeging: z.string().optional(),
  postbusnummer: z.number().optional(),
  postcode: z.string().optional(),
  plaats: z.string().optional(),
  land: z.string().optional(),
});

const basisprofielSchema = z.object({
  kvkNummer: z.string(),
  naam: z.string().optional(),
  statutaireNaam: z.string().optional(),
  handelsnamen: z.array(z.object({ naam: z.string(), volgorde: z.number() })).optional(),
  _embedded: z
    .object({
      hoofdvestiging: z.object({ adressen: z.array(adresSchema).optional() }).optional(),
      eigenaar: z.object({ rechtsvorm: z.string().optional(), adressen: z.array(adresSchema).optional() }).optional(),
    })
    .optional(),
});

export function readBasisprofiel(body: string): KvkCompany {
  const parsed = basisprofielSchema.safeParse(parseJson(body));
  if (!parsed.success)
    throw new KvkRejectedError(`KvK's Basisprofiel answer has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  const profile = parsed.data;
  const tradeNames = [...(profile.handelsnamen ?? [])].sort((a, b) => a.volgorde - b.volgorde).map((h) => h.naam);
  // KvK's `naam` is already "the statutory name or else the first trade name"; the fallbacks cover older answers.
  const name = profile.naam ?? profile.statutaireNaam ?? tradeNames[0];
  if (!name) throw new KvkRejectedError(`KvK's Basisprofiel answer for ${profile.kvkNummer} names no company`);
  const legalForm = profile._embedded?.eigenaar?.rechtsvorm;
  const address = pickAddress([
    ...(profile._embedded?.hoofdvestiging?.adressen ?? []),
    ...(profile._embedded?.eigenaar?.adressen ?? []),
  ]);
  return {
    kind: 'found',
    kvkNumber: profile.kvkNummer,
    name,
    tradeNames,
    ...(legalForm ? { legalForm } : {}),
    ...(address ? { address } : {}),
  };
}

/** The visiting address of the main branch, else of the owner, else a postal address; never a shielded one. */
function pickAddress(adressen: z.infer<typeof adresSchema>[]): KvkAddress | undefined {
  const usable = adressen.filter((a) => a.indAfgeschermd !== 'Ja' && a.straatnaam && a.plaats);
  const adres = usable.find((a) => a.type === 'bezoekadres') ?? usable.find((a) => a.type === 'correspondentieadres');
  if (!adres?.straatnaam || !adres.plaats) return undefined;
  return {
    kind: adres.type === 'bezoekadres' ? 'visiting' : 'postal',
    street: adres.straatnaam,
    city: adres.plaats,
    ...(adres.huisnummer !== undefined ? { houseNumber: adres.huisnummer } : {}),
    ...(adres.huisletter ? { houseLetter: adres.huisletter } : {}),
    ...(adres.huisnummerToevoeging ? { houseNumberAddition: adres.huisnummerToevoeging } : {}),
    ...(adres.postbusnummer !== undefined ? { poBoxNumber: adres.postbusnummer } : {}),
    ...(adres.postcode ? { postalCode: adres.postcode } : {}),
    ...(adres.land ? { country: adres.land } : {}),
  };
}

export function readFoutCodes(body: string): KvkFout[] {
  const parsed = foutSchema.safeParse(parseJson(body));
  return parsed.success ? parsed.data.fout : [];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
