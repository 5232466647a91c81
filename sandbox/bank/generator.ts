import { createHash } from 'node:crypto';
import { dutchMonthName } from '../../domain/amsterdam-time';
import { ibanCheckDigits } from '../../domain/iban';
import { addDays, isWeekend } from './calendar';
import { AccountBook, type EntryDraft, Ledgers } from './ledger';
import { dutchIban, type SandboxAccount, type SandboxCompany } from './test-users';

/**
 * A deterministic history of Dutch business banking, so demos look real and tests can name exact values.
 *
 * Every booking day of a company comes from its own pseudo-random stream keyed by (seed, company, date). The
 * same day therefore always holds the same entries with the same ids, whatever the history window: a sandbox
 * restarted a day later agrees with what a platform imported from it the day before.
 */

export const DEFAULT_HISTORY_DAYS = 35;

/** Weyl sequence through a murmur3-style finaliser: tiny, fast and good enough for test data. */
class Prng {
  private state: number;

  constructor(...key: ReadonlyArray<string | number>) {
    this.state = createHash('sha256').update(key.join('|')).digest().readInt32BE(0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4_294_967_296;
  }

  /** Whole number in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.int(0, 9));
    return out;
  }
}

const COUNTERPARTY_BANKS = ['RABO', 'ABNA', 'INGB', 'TRIO', 'BUNQ', 'KNAB', 'SNSB', 'ASNB', 'RBRB'] as const;
const FIRST_NAMES = [
  'Anouk',
  'Bram',
  'Daan',
  'Emma',
  'Femke',
  'Joris',
  'Lieke',
  'Milan',
  'Noa',
  'Ruben',
  'Sem',
  'Tess',
  'Yara',
  'Wouter',
];
const LAST_NAMES = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'van Dijk',
  'Bakker',
  'Janssen',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
  'Vos',
];
const CUSTOMERS = [
  'Bouwbedrijf Van Leeuwen B.V.',
  'Tandartspraktijk Zuid',
  'Gemeente Utrecht',
  'Hoveniersbedrijf Groen V.O.F.',
  'Installatietechniek Brabant B.V.',
  'Stichting Welzijn Oost',
  'Autobedrijf Kramer',
  'Fysiotherapie De Linde',
];
const SUPPLIERS = [
  'Makro Nederland B.V.',
  'Coolblue B.V.',
  'Staples Nederland B.V.',
  'Sligro Food Group',
  'Bol.com B.V.',
];
const CARD_SHOPS: ReadonlyArray<{ name: string; city: string; min: number; max: number }> = [
  { name: 'ALBERT HEIJN 1403', city: 'AMSTERDAM', min: 450, max: 6_500 },
  { name: 'ALBERT HEIJN 8610', city: 'UTRECHT', min: 300, max: 4_800 },
  { name: 'SHELL A2 HOOGLAND', city: 'AMERSFOORT', min: 5_500, max: 11_000 },
  { name: 'NS GROEP IZ NS REIZIGERS', city: 'UTRECHT', min: 480, max: 3_900 },
  { name: 'HEMA 0188', city: 'DEN HAAG', min: 250, max: 3_000 },
];

/** A fixed party with an IBAN and, where it collects by direct debit, a SEPA creditor id. */
interface Party {
  name: string;
  iban: string;
  creditorId: string | null;
}

/** SEPA creditor id for a Dutch KvK number: the check digits cover the national id, not the business code. */
function creditorIdentifier(kvkNumber: string): string {
  const nationalId = `${kvkNumber}0000`;
  return `NL${ibanCheckDigits('NL', nationalId)}ZZZ${nationalId}`;
}

const BELASTINGDIENST: Party = { name: 'Belastingdienst', iban: 'NL86INGB0002445588', creditorId: null };
const KPN: Party = {
  name: 'KPN B.V.',
  iban: dutchIban('ABNA', '0442061290'),
  creditorId: creditorIdentifier('27124701'),
};
const ENECO: Party = {
  name: 'Eneco Zakelijk B.V.',
  iban: dutchIban('RABO', '0131405227'),
  creditorId: creditorIdentifier('24355672'),
};
const INSURER: Party = {
  name: 'Centraal Beheer',
  iban: dutchIban('INGB', '0000069970'),
  creditorId: creditorIdentifier('08053410'),
};

function randomIban(rng: Prng): string {
  return dutchIban(rng.pick(COUNTERPARTY_BANKS), rng.digits(10));
}

function personName(rng: Prng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

/** A 16-digit Dutch betalingskenmerk: a weighted mod-11 check digit in front of 15 digits. */
function betalingskenmerk(body15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const digitFromRight = Number(body15[14 - i]);
    sum += digitFromRight * (2 ** (i + 1) % 11);
  }
  const check = 11 - (sum % 11);
  return `${check === 11 ? 0 : check === 10 ? 1 : check}${body15}`;
}

/** ISO 11649 creditor reference: the same mod-97 as an IBAN, with RF as the "country". */
function rfCreditorReference(reference: string): string {
  return `RF${ibanCheckDigits('RF', reference)}${reference}`;
}

/** January, April, July, October: when quarterly interest is paid and the quarter's VAT is due. */
function isQuarterStart(date: string): boolean {
  return Number(date.slice(5, 7)) % 3 === 1;
}

function dayOfMonth(date: string): number {
  return Number(date.slice(8, 10));
}

/** Banks collect and pay scheduled items on business days: a weekend date moves to Monday. */
function collectionDay(date: string, scheduledDay: number): boolean {
  for (let back = 0; back < 3; back++) {
    const candidate = addDays(date, -back);
    if (back > 0 && !isWeekend(candidate)) return false;
    if (dayOfMonth(candidate) === scheduledDay) return !isWeekend(date);
  }
  return false;
}

/** Salaries must arrive before the 25th, so a weekend 24th moves back to Friday. */
function salaryDay(date: string): boolean {
  if (isWeekend(date)) return false;
  for (let ahead = 0; ahead < 3; ahead++) {
    const candidate = addDays(date, ahead);
    if (ahead > 0 && !isWeekend(candidate)) return false;
    if (dayOfMonth(candidate) === 24) return true;
  }
  return false;
}

function lastBusinessDayOfMonth(date: string): boolean {
  if (isWeekend(date)) return false;
  let next = addDays(date, 1);
  while (isWeekend(next)) next = addDays(next, 1);
  return next.slice(5, 7) !== date.slice(5, 7);
}

/** What stays the same for a company across days: its staff, customers and regular bills. */
interface CompanyProfile {
  company: SandboxCompany;
  main: SandboxAccount;
  secondCurrent: SandboxAccount | null;
  savings: SandboxAccount | null;
  employees: ReadonlyArray<{ name: string; iban: string; netCents: number }>;
  customers: readonly Party[];
  suppliers: readonly Party[];
  mandates: { kpn: string; eneco: string; insurer: string };
  taxNumber: string;
}

function profileOf(seed: number, company: SandboxCompany): CompanyProfile {
  const rng = new Prng(seed, company.key, 'profile');
  const main = company.accounts.find((a) => a.kind === 'current');
  if (!main) throw new Error(`sandbox company ${company.key} has no current account`);
  return {
    company,
    main,
    secondCurrent: company.accounts.find((a) => a.kind === 'current' && a !== main) ?? null,
    savings: company.accounts.find((a) => a.kind === 'savings') ?? null,
    employees: Array.from({ length: company.employees }, () => ({
      name: personName(rng),
      iban: randomIban(rng),
      netCents: rng.int(2_100, 4_300) * 100 + rng.int(0, 99),
    })),
    customers: CUSTOMERS.map((name) => ({ name, iban: randomIban(rng), creditorId: null })),
    suppliers: SUPPLIERS.map((name) => ({ name, iban: randomIban(rng), creditorId: null })),
    mandates: {
      kpn: `KPN${rng.digits(9)}`,
      eneco: `ENZ-${rng.digits(8)}`,
      insurer: `CB${rng.digits(7)}`,
    },
    taxNumber: rng.digits(15),
  };
}

type Draft = Omit<EntryDraft, 'idKey'>;

function base(date: string): Pick<Draft, 'status' | 'bookingDate' | 'valueDate' | 'currency'> {
  return { status: 'booked', bookingDate: date, valueDate: date, currency: 'EUR' };
}

function bankItem(date: string, amountCents: number, text: string, bankTransactionCode: string): Draft {
  return {
    ...base(date),
    amountCents,
    counterpartyName: null,
    counterpartyIban: null,
    remittanceInformationUnstructured: text,
    remittanceInformationStructured: null,
    endToEndId: null,
    mandateId: null,
    creditorId: null,
    bankTransactionCode,
  };
}

const TAX_KIND_PAYROLL = '70';
const TAX_KIND_VAT = '60';

/** Tax number, tax kind and period, so each assessment carries its own betalingskenmerk as the tax office asks. */
function taxReference(profile: CompanyProfile, kind: string, date: string): string {
  return betalingskenmerk(`${profile.taxNumber.slice(0, 9)}${kind}${date.slice(2, 4)}${date.slice(5, 7)}`);
}

function cardPayment(date: string, shop: { name: string; city: string }, cents: number): Draft {
  return {
    ...base(date),
    amountCents: -cents,
    counterpartyName: shop.name,
    counterpartyIban: null,
    remittanceInformationUnstructured: `Betaalpas ${shop.name}, ${shop.city}`,
    remittanceInformationStructured: null,
    endToEndId: null,
    mandateId: null,
    creditorId: null,
    bankTransactionCode: 'PMNT-CCRD-POSD',
  };
}

function directDebit(date: string, party: Party, mandateId: string, cents: number, text: string, rng: Prng): Draft {
  return {
    ...base(date),
    amountCents: -cents,
    counterpartyName: party.name,
    counterpartyIban: party.iban,
    remittanceInformationUnstructured: text,
    remittanceInformationStructured: null,
    endToEndId: `${mandateId}-${date.replace(/-/g, '')}-${rng.digits(4)}`,
    mandateId,
    creditorId: party.creditorId,
    bankTransactionCode: 'PMNT-RDDT-ESDD',
  };
}

function transfer(
  date: string,
  amountCents: number,
  party: { name: string; iban: string },
  text: string | null,
  structured: string | null,
  endToEndId: string | null,
  bankTransactionCode: string,
): Draft {
  return {
    ...base(date),
    amountCents,
    counterpartyName: party.name,
    counterpartyIban: party.iban,
    remittanceInformationUnstructured: text,
    remittanceInformationStructured: structured,
    endToEndId,
    mandateId: null,
    creditorId: null,
    bankTransactionCode,
  };
}

/** One booking day of one company, as drafts per IBAN in the order the bank books them. */
function companyDay(seed: number, profile: CompanyProfile, date: string): Map<string, Draft[]> {
  const rng = new Prng(seed, profile.company.key, date);
  const month = new Prng(seed, profile.company.key, date.slice(0, 7));
  const out = new Map<string, Draft[]>(profile.company.accounts.map((a) => [a.iban, []]));
  const book = (account: SandboxAccount, draft: Draft): void => void out.get(account.iban)?.push(draft);
  const { main } = profile;
  const weekday = !isWeekend(date);
  const period = `${dutchMonthName(date)} ${date.slice(0, 4)}`;

  if (collectionDay(date, 1)) {
    book(
      main,
      bankItem(date, -month.int(1_150, 1_895), `Kosten zakelijk betalingsverkeer ${period}`, 'ACMT-MDOP-CHRG'),
    );
    if (profile.company.trade === 'webshop') {
      book(main, bankItem(date, -month.int(2_400, 9_800), `Kosten iDEAL-transacties ${period}`, 'ACMT-MDOP-CHRG'));
    }
    if (profile.savings && isQuarterStart(date)) {
      book(
        profile.savings,
        bankItem(date, month.int(150, 4_800), 'Rente spaarrekening vorig kwartaal', 'ACMT-MDOP-INTR'),
      );
    }
  }
  if (collectionDay(date, 5)) {
    const invoice = month.digits(10);
    book(
      main,
      directDebit(
        date,
        KPN,
        profile.mandates.kpn,
        month.int(8_995, 14_900),
        `Factuur ${invoice} KPN Zakelijk Mobiel en Internet ${period}`,
        rng,
      ),
    );
  }
  if (collectionDay(date, 12)) {
    book(
      main,
      directDebit(
        date,
        ENECO,
        profile.mandates.eneco,
        month.int(18_000, 46_000),
        `Termijnbedrag energie ${period} klantnr ${profile.mandates.eneco.slice(4)}`,
        rng,
      ),
    );
  }
  if (collectionDay(date, 20)) {
    book(
      main,
      directDebit(
        date,
        INSURER,
        profile.mandates.insurer,
        21_450,
        `Premie bedrijfsaansprakelijkheid ${period} polis ${profile.mandates.insurer}`,
        rng,
      ),
    );
  }
  if (salaryDay(date) && profile.employees.length > 0) {
    for (const employee of profile.employees) {
      book(
        main,
        transfer(
          date,
          -employee.netCents,
          employee,
          `Salaris ${period}`,
          null,
          `SAL-${date.slice(0, 7).replace('-', '')}-${rng.digits(6)}`,
          'PMNT-ICDT-SALA',
        ),
      );
    }
  }
  if (lastBusinessDayOfMonth(date) && profile.employees.length > 0) {
    // Payroll tax over a month is due at the end of the next one.
    const taxMonth = addDays(`${date.slice(0, 7)}-01`, -1);
    const wages = profile.employees.reduce((sum, e) => sum + e.netCents, 0);
    book(
      main,
      transfer(
        date,
        -Math.round(wages * 0.38),
        BELASTINGDIENST,
        `Loonheffingen ${dutchMonthName(taxMonth)} ${taxMonth.slice(0, 4)}`,
        taxReference(profile, TAX_KIND_PAYROLL, taxMonth),
        null,
        'PMNT-ICDT-ESCT',
      ),
    );
  }
  if (lastBusinessDayOfMonth(date) && isQuarterStart(date)) {
    book(
      main,
      transfer(
        date,
        -rng.int(120_000, 940_000),
        BELASTINGDIENST,
        'Omzetbelasting vorig kwartaal',
        taxReference(profile, TAX_KIND_VAT, date),
        null,
        'PMNT-ICDT-ESCT',
      ),
    );
  }

  const trade = profile.company.trade;
  if (weekday && (trade === 'consultancy' || trade === 'retail')) {
    const invoices = rng.int(0, trade === 'consultancy' ? 2 : 1);
    for (let i = 0; i < invoices; i++) {
      const customer = rng.pick(profile.customers);
      const number = `${date.slice(0, 4)}${rng.digits(4)}`;
      const structured = rng.chance(0.5);
      book(
        main,
        transfer(
          date,
          rng.int(45_000, 640_000),
          customer,
          structured ? null : `Factuur ${number.slice(0, 4)}-${number.slice(4)}`,
          structured ? rfCreditorReference(number) : null,
          rng.chance(0.6) ? `${customer.name.slice(0, 3).toUpperCase()}${rng.digits(12)}` : null,
          'PMNT-RCDT-ESCT',
        ),
      );
    }
  }
  if (trade === 'webshop') {
    const orders = rng.int(weekday ? 2 : 3, weekday ? 6 : 9);
    for (let i = 0; i < orders; i++) {
      const order = rng.digits(6);
      const idealId = `00${rng.digits(14)}`;
      book(
        main,
        transfer(
          date,
          rng.int(1_495, 14_995),
          { name: personName(rng), iban: randomIban(rng) },
          `${idealId} Bestelling ${order} via iDEAL`,
          null,
          idealId,
          'PMNT-RCDT-ESCT',
        ),
      );
    }
  }
  if (trade === 'retail') {
    const till = profile.secondCurrent ?? main;
    book(
      till,
      transfer(
        date,
        rng.int(38_000, 260_000),
        { name: 'Worldline Nederland', iban: dutchIban('INGB', '0006583961') },
        `Uitbetaling PIN-transacties ${addDays(date, -1)}`,
        null,
        `WL${date.replace(/-/g, '')}${rng.digits(6)}`,
        'PMNT-RCDT-ESCT',
      ),
    );
  }
  if (weekday && rng.chance(0.3)) {
    const supplier = rng.pick(profile.suppliers);
    book(
      main,
      transfer(
        date,
        -rng.int(2_500, 180_000),
        supplier,
        `Factuur ${rng.digits(8)}`,
        null,
        `BK${rng.digits(12)}`,
        'PMNT-ICDT-ESCT',
      ),
    );
  }

  const cardCount = rng.int(0, weekday ? 3 : 1);
  for (let i = 0; i < cardCount; i++) {
    const shop = rng.pick(CARD_SHOPS);
    book(main, cardPayment(date, shop, rng.int(shop.min, shop.max)));
  }
  if (weekday && rng.chance(0.25)) {
    // Two identical coffees on one day: real, distinct payments that the platform must both keep.
    const coffee = { name: 'COFFEE COMPANY', city: 'UTRECHT' };
    const cents = rng.pick([340, 360, 395]);
    book(main, cardPayment(date, coffee, cents));
    book(main, cardPayment(date, coffee, cents));
  }

  if (profile.savings && collectionDay(date, 26)) {
    const amount = month.int(5, 40) * 10_000;
    const endToEndId = `SPAAR-${date.replace(/-/g, '')}`;
    const self = { name: profile.company.name };
    book(
      main,
      transfer(
        date,
        -amount,
        { ...self, iban: profile.savings.iban },
        'Overboeking naar spaarrekening',
        null,
        endToEndId,
        'PMNT-ICDT-BOOK',
      ),
    );
    book(
      profile.savings,
      transfer(
        date,
        amount,
        { ...self, iban: main.iban },
        'Overboeking naar spaarrekening',
        null,
        endToEndId,
        'PMNT-RCDT-BOOK',
      ),
    );
  }
  if (profile.secondCurrent && trade !== 'retail' && weekday && rng.chance(0.15)) {
    const amount = rng.int(10, 60) * 5_000;
    const endToEndId = `INT-${date.replace(/-/g, '')}-${rng.digits(4)}`;
    const self = { name: profile.company.name };
    book(
      main,
      transfer(
        date,
        -amount,
        { ...self, iban: profile.secondCurrent.iban },
        'Budget projecten',
        null,
        endToEndId,
        'PMNT-ICDT-BOOK',
      ),
    );
    book(
      profile.secondCurrent,
      transfer(date, amount, { ...self, iban: main.iban }, 'Budget projecten', null, endToEndId, 'PMNT-RCDT-BOOK'),
    );
  }
  return out;
}

/** Card payments authorised today that the bank books tonight. */
function pendingToday(seed: number, profile: CompanyProfile, today: string): Draft[] {
  const rng = new Prng(seed, profile.company.key, today, 'pending');
  const count = rng.int(0, 2);
  return Array.from({ length: count }, () => {
    const shop = rng.pick(CARD_SHOPS);
    return { ...cardPayment(today, shop, rng.int(shop.min, shop.max)), status: 'pending' as const };
  });
}

export interface HistoryOptions {
  seed: number;
  /** Today in Amsterdam; history ends the day before, so nothing is booked today until someone pays. */
  today: string;
  historyDays: number;
  companies: readonly SandboxCompany[];
}

export function generateLedgers(options: HistoryOptions): Ledgers {
  const { seed, today, historyDays, companies } = options;
  const first = addDays(today, -historyDays);
  const ledgers = new Ledgers();
  for (const company of companies) {
    const profile = profileOf(seed, company);
    const openings = new Prng(seed, company.key, 'opening');
    for (const account of company.accounts) {
      const opening =
        account.kind === 'savings'
          ? openings.int(1_000_000, 8_000_000)
          : account === profile.main
            ? openings.int(800_000, 4_500_000)
            : openings.int(50_000, 500_000);
      ledgers.add(new AccountBook(account.iban, String(seed), addDays(first, -1), opening));
    }
    const append = (iban: string, drafts: readonly Draft[], keyPrefix: string): void => {
      const book = ledgers.get(iban);
      if (!book) return;
      drafts.forEach((draft, index) => book.append({ ...draft, idKey: `${keyPrefix}#${index}` }));
    };
    for (let date = first; date < today; date = addDays(date, 1)) {
      for (const [iban, drafts] of companyDay(seed, profile, date)) append(iban, drafts, date);
    }
    append(profile.main.iban, pendingToday(seed, profile, today), `${today}:pending`);
  }
  return ledgers;
}
