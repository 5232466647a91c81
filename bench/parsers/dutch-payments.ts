import { dutchMonthName } from '../../domain/amsterdam-time';
import { Random } from '../support/random';

/**
 * A deterministic stream of realistic Dutch business bookings, the same model rendered as MT940 and as camt.053:
 * an accounting office's client accounts with a day's statement each business day; customers paying invoices
 * (some with a structured betalingskenmerk), suppliers paid, SEPA direct debits of utilities and insurers, card
 * payments, salary batches and bank costs. Counterparties recur, as on real statements.
 */

export interface Party {
  /** As the bank writes it in camt (UTF-8, so `Coöperatie`); MT940 gets the SWIFT transliteration. */
  name: string;
  iban: string | null;
  bic: string | null;
  city: string;
}

export type PaymentKind = 'invoice-paid-to-us' | 'supplier' | 'direct-debit' | 'card' | 'salaries' | 'bank-costs';

export interface Payment {
  kind: PaymentKind;
  /** Signed cents: credit positive. */
  amountCents: number;
  counterparty: Party | null;
  endToEndId: string;
  /** The unstructured remittance text, or a structured creditor reference when `structuredReference`. */
  remittance: string;
  structuredReference: boolean;
  mandateId: string | null;
  creditorId: string | null;
  /** Salary batches: the number of payments booked as this one entry. */
  batchSize: number;
  /** Unique within the file, as the bank's entry id (MT940 bank reference, camt AcctSvcrRef). */
  bankReference: string;
}

export interface Account {
  iban: string;
  bic: string;
  owner: string;
  /** Average entries per business day: a web shop books hundreds, a dentist a handful. */
  volume: number;
  balanceCents: number;
  statementNumber: number;
}

export interface DayStatement {
  account: Account;
  /** `YYYY-MM-DD` */
  date: string;
  openingCents: number;
  closingCents: number;
  payments: Payment[];
}

const BANKS = [
  { code: 'INGB', bic: 'INGBNL2A' },
  { code: 'RABO', bic: 'RABONL2U' },
  { code: 'ABNA', bic: 'ABNANL2A' },
  { code: 'KNAB', bic: 'KNABNL2H' },
  { code: 'SNSB', bic: 'SNSBNL2A' },
  { code: 'TRIO', bic: 'TRIONL2U' },
  { code: 'ASNB', bic: 'ASNBNL21' },
  { code: 'BUNQ', bic: 'BUNQNL2A' },
];

const FAMILY_NAMES = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'de Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'van Leeuwen',
  'Dekker',
  'Brouwer',
  'de Wit',
  'Dijkstra',
  'Smits',
  'de Graaf',
  'van der Meer',
  'van der Linden',
  'Kok',
  'Jacobs',
  'de Haan',
  'Vermeulen',
  'van den Heuvel',
  'van der Veen',
  'van den Broek',
  'de Bruijn',
  'de Jong',
  'Janssen',
  'van Dijk',
  'Willems',
  'Schouten',
  'van Beek',
  'Hoekstra',
  'Koster',
  'Prins',
  'Yılmaz',
  'El Amrani',
  'Nguyen',
  'Gökçe',
  'Wiśniewski',
];
const TRADES = [
  'Bakkerij',
  'Installatiebedrijf',
  'Transportbedrijf',
  'Advocatenkantoor',
  'Tandartspraktijk',
  'Bouwbedrijf',
  'Autobedrijf',
  'Hoveniersbedrijf',
  'Schildersbedrijf',
  'Adviesbureau',
  'Loodgietersbedrijf',
  'Fysiotherapie',
  'Kapsalon',
  'Drukkerij',
  'Café',
  'Restaurant',
  'Webshop',
  'Architectenbureau',
  'Elektrotechniek',
  'Kinderopvang',
];
const LEGAL_FORMS = ['B.V.', 'V.O.F.', '', '& Zn.', 'Holding B.V.', 'C.V.'];
const CITIES = [
  'Amsterdam',
  'Rotterdam',
  'Utrecht',
  "'s-Hertogenbosch",
  'Zwolle',
  'Groningen',
  'Eindhoven',
  'Haarlem',
  'Leeuwarden',
  'Maastricht',
  'Den Haag',
  'Arnhem',
  'Nijmegen',
  'Enschede',
  'Breda',
  'Delft',
  'Alkmaar',
];
const INITIALS = ['J.', 'M.', 'A.', 'P.', 'H.', 'J.P.', 'M.C.', 'W.', 'E.', 'R.', 'S.', 'C.J.M.', 'L.', 'K.'];
const COLLECTORS: readonly [string, string][] = [
  ['KPN B.V.', 'Factuur {n} Zakelijk Mobiel'],
  ['Eneco Zakelijk B.V.', 'Termijnbedrag {m} klantnummer {k}'],
  ['Vattenfall Klantenservice N.V.', 'Voorschot energie {m} contract {k}'],
  ['Coöperatie VGZ U.A.', 'Premie zorgverzekering {m} relatienummer {k}'],
  ['Belastingdienst', 'Omzetbelasting betalingskenmerk {k}'],
  ['Ziggo Services B.V.', 'Zakelijk internet {m} klant {k}'],
  ['Waternet', 'Vaste kosten {m} debiteur {k}'],
  ['Achmea Schadeverzekeringen N.V.', 'Bedrijfsaansprakelijkheid polis {k}'],
  ['Gemeente Rotterdam', 'Gemeentelijke belastingen aanslag {k} termijn {t}'],
  ['NS Reizigers B.V.', 'NS Business Card {m} kaart {k}'],
];
const SHOPS = [
  'Albert Heijn 1403',
  'Jumbo Supermarkten',
  'Shell Station A12',
  'Gamma Bouwmarkt',
  'Praxis',
  'Coolblue B.V.',
  'Hornbach',
  'Action 2231',
  'Bol.com B.V.',
  'Kruidvat 7721',
  'Makro Amsterdam',
  'Sligro Zwolle',
  'Esso Express',
  'Hema Utrecht',
  'Café De Gouden Leeuw',
  'Tankstation Tinq',
  'Parkeergarage Q-Park',
  'Blokker',
];

export class DutchPayments {
  private readonly random: Random;
  private readonly customers: Party[];
  private readonly suppliers: Party[];
  private readonly collectors: (Party & { template: string; creditorId: string })[];
  private readonly shops: Party[];
  private readonly ownBank: Party;
  readonly accounts: Account[];
  private reference = 0;

  constructor(seed: number, accountCount: number) {
    this.random = new Random(seed);
    this.customers = Array.from({ length: 2500 }, () => this.party(this.random.chance(0.35)));
    this.suppliers = Array.from({ length: 400 }, () => this.party(false));
    this.collectors = COLLECTORS.map(([name, template]) => ({
      ...this.company(name),
      template,
      creditorId: `NL${this.random.digits(2)}ZZZ${this.random.digits(12)}`,
    }));
    this.shops = SHOPS.map((name) => ({ name, iban: null, bic: null, city: this.random.pick(CITIES) }));
    this.ownBank = { name: 'ING Bank N.V.', iban: null, bic: 'INGBNL2A', city: 'Amsterdam' };
    this.accounts = Array.from({ length: accountCount }, (_, i) => {
      const owner = this.party(false);
      return {
        iban: iban('INGB', this.random),
        bic: 'INGBNL2A',
        owner: owner.name,
        // A few busy accounts (web shops) among many quiet ones, as in an accounting office's portfolio.
        volume: i % 7 === 0 ? this.random.int(150, 400) : this.random.int(3, 40),
        balanceCents: this.random.int(-500_000, 5_000_000),
        statementNumber: this.random.int(1, 200),
      };
    });
  }

  /** One account's statement for one business day; the account's balance moves on with it. */
  statement(account: Account, date: string): DayStatement {
    const count = Math.max(1, Math.round(account.volume * (0.4 + 1.2 * this.random.next())));
    const payments = Array.from({ length: count }, () => this.payment(date));
    const openingCents = account.balanceCents;
    account.balanceCents += payments.reduce((sum, payment) => sum + payment.amountCents, 0);
    account.statementNumber += 1;
    return { account, date, openingCents, closingCents: account.balanceCents, payments };
  }

  private payment(date: string): Payment {
    const random = this.random;
    const roll = random.next();
    const bankReference = `${date.replace(/-/g, '').slice(2)}${String(++this.reference).padStart(10, '0')}`;
    const base = { bankReference, mandateId: null, creditorId: null, batchSize: 1, structuredReference: false };
    const month = dutchMonthName(date);
    if (roll < 0.45) {
      const customer = random.pick(this.customers);
      const invoice = `${date.slice(0, 4)}-${random.digits(5)}`;
      const structured = random.chance(0.2);
      return {
        ...base,
        kind: 'invoice-paid-to-us',
        amountCents: amount(random, 2_500, 250_000),
        counterparty: customer,
        endToEndId: random.chance(0.4) ? 'NOTPROVIDED' : `${random.digits(8)}-INV${invoice}`,
        remittance: structured ? random.digits(16) : `Factuur ${invoice} debiteurnr ${random.digits(5)}`,
        structuredReference: structured,
      };
    }
    if (roll < 0.65) {
      const supplier = random.pick(this.suppliers);
      return {
        ...base,
        kind: 'supplier',
        amountCents: -amount(random, 5_000, 1_500_000),
        counterparty: supplier,
        endToEndId: `PAY${date.replace(/-/g, '')}${random.digits(6)}`,
        remittance: `Factuur ${random.digits(6)} ${random.pick(['inkoop', 'materiaal', 'diensten', 'huur'])} ${month}`,
      };
    }
    if (roll < 0.8) {
      const collector = random.pick(this.collectors);
      const remittance = collector.template
        .replace('{n}', random.digits(10))
        .replace('{m}', `${month} ${date.slice(0, 4)}`)
        .replace('{k}', random.digits(9))
        .replace('{t}', String(random.int(1, 10)));
      return {
        ...base,
        kind: 'direct-debit',
        amountCents: -amount(random, 1_500, 350_000),
        counterparty: collector,
        endToEndId: `${random.digits(12)}${random.digits(6)}`,
        remittance,
        mandateId: `MND-${random.digits(8)}`,
        creditorId: collector.creditorId,
      };
    }
    if (roll < 0.97) {
      const shop = random.pick(this.shops);
      const time = `${String(random.int(7, 21)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}`;
      return {
        ...base,
        kind: 'card',
        amountCents: -amount(random, 150, 40_000),
        counterparty: shop,
        endToEndId: 'NOTPROVIDED',
        remittance:
          `Pasvolgnr: 00${random.int(1, 9)} ${date} ${time} ` +
          `Transactie: ${random.digits(6)} Term: ${random.digits(8)}`,
      };
    }
    if (roll < 0.99) {
      const size = random.int(3, 60);
      return {
        ...base,
        kind: 'salaries',
        amountCents: -amount(random, 250_000 * size, 450_000 * size),
        counterparty: null,
        endToEndId: `SAL${date.replace(/-/g, '')}${random.digits(4)}`,
        remittance: `Salarisbetalingen ${month} ${date.slice(0, 4)} totaal ${size} posten`,
        batchSize: size,
      };
    }
    return {
      ...base,
      kind: 'bank-costs',
      amountCents: -amount(random, 500, 6_000),
      counterparty: this.ownBank,
      endToEndId: 'NOTPROVIDED',
      remittance: `Kosten zakelijk betalingsverkeer ${month} ${date.slice(0, 4)}`,
    };
  }

  private party(person: boolean): Party {
    const family = this.random.pick(FAMILY_NAMES);
    if (person) {
      const name = `${this.random.pick(INITIALS)} ${family}`;
      return { ...this.company(name), bic: null };
    }
    const form = this.random.pick(LEGAL_FORMS);
    return this.company(`${this.random.pick(TRADES)} ${family}${form === '' ? '' : ` ${form}`}`);
  }

  private company(name: string): Party {
    const bank = this.random.pick(BANKS);
    return { name, iban: iban(bank.code, this.random), bic: bank.bic, city: this.random.pick(CITIES) };
  }
}

/** Log-uniform between the bounds: many small amounts, a few large ones. */
function amount(random: Random, minCents: number, maxCents: number): number {
  return Math.round(Math.exp(Math.log(minCents) + random.next() * (Math.log(maxCents) - Math.log(minCents))));
}

/** A Dutch IBAN with valid check digits (ISO 13616 mod 97), so no parser rejects it for its checksum. */
function iban(bankCode: string, random: Random): string {
  const bban = `${bankCode}${random.digits(10)}`;
  const numeric = `${bban}NL00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `NL${String(98 - remainder).padStart(2, '0')}${bban}`;
}

/** Business days from `start`, as `YYYY-MM-DD`. */
export function* businessDays(start: string): Generator<string> {
  for (let day = new Date(`${start}T00:00:00Z`); ; day = new Date(day.getTime() + 86_400_000)) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) yield day.toISOString().slice(0, 10);
  }
}
