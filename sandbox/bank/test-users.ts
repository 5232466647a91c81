import { DUTCH_BANK_CODES, type DutchBankCode, ibanCheckDigits, isValidIban } from '../../domain/iban';

/**
 * The people and companies the sandbox banks know. DEVELOPMENT ONLY: every test user's password is `sandbox`
 * (printed on the sandbox start page and by `GET /admin/users`); nothing here is a real person or account.
 *
 * Accounts belong to a company; users belong to a company with a role, the way business banking works: several
 * people see the same accounts, and only some of them may link those accounts to software (R-A3).
 *
 * | bank | username | role | may consent | company | accounts |
 * |---|---|---|---|---|---|
 * | INGB | ing-owner | Owner | yes | Test BV Donald | NL69INGB0123456789 (current), a second current, a savings |
 * | INGB | ing-admin | AdministratorPlus, link right | yes | Test BV Donald | same |
 * | INGB | ing-viewer | Viewer | no | Test BV Donald | same |
 * | INGB | ing-katrien | Owner | yes | Test NV Katrien | a current, a savings |
 * | RABO | rabo-owner | Owner | yes | Test EMZ Dagobert | two currents, a savings |
 * | RABO | rabo-admin | AdministratorPlus, link right | yes | Test EMZ Dagobert | same |
 * | RABO | rabo-admin-nolink | AdministratorPlus, no link right | no | Test EMZ Dagobert | same |
 * | RABO | rabo-employee | Employee | no | Test EMZ Dagobert | same |
 * | RABO | rabo-donald | Owner | yes | Test BV Donald (its Rabobank account) | a current |
 * | ABNA | abn-owner | Owner | yes | Test Stichting Bolderbast | a current, a savings |
 * | ABNA | abn-admin | AdministratorPlus, link right | yes | Test Stichting Bolderbast | same |
 * | ABNA | abn-viewer | Viewer | no | Test Stichting Bolderbast | same |
 */

export const SANDBOX_PASSWORD = 'sandbox';

export type SandboxBankCode = DutchBankCode;
export const SANDBOX_BANK_CODES: readonly SandboxBankCode[] = DUTCH_BANK_CODES;

export const BANK_NAMES: Readonly<Record<SandboxBankCode, string>> = {
  INGB: 'ING Bank (sandbox)',
  RABO: 'Rabobank (sandbox)',
  ABNA: 'ABN AMRO (sandbox)',
};

export type AccountKind = 'current' | 'savings';
export type BankRole = 'Owner' | 'AdministratorPlus' | 'Viewer' | 'Employee';
/** Shapes the generated history: who pays the company and how. */
export type Trade = 'consultancy' | 'webshop' | 'retail';

export interface SandboxAccount {
  bank: SandboxBankCode;
  companyKey: string;
  iban: string;
  kind: AccountKind;
  currency: 'EUR';
  name: string;
  product: string;
  ownerName: string;
}

export interface SandboxCompany {
  key: string;
  bank: SandboxBankCode;
  name: string;
  trade: Trade;
  employees: number;
  accounts: readonly SandboxAccount[];
}

export interface TestUser {
  bank: SandboxBankCode;
  username: string;
  password: string;
  displayName: string;
  role: BankRole;
  canLinkAccounts: boolean;
  companyKey: string;
}

/** Builds a Dutch IBAN from a bank code and a ten-digit account number, with the mod-97 check digits. */
export function dutchIban(bank: string, accountNumber: string): string {
  const bban = `${bank}${accountNumber.padStart(10, '0')}`;
  return `NL${ibanCheckDigits('NL', bban)}${bban}`;
}

const PRODUCTS: Readonly<Record<SandboxBankCode, Record<AccountKind, string>>> = {
  INGB: { current: 'Zakelijke Rekening', savings: 'Zakelijke Spaarrekening' },
  RABO: { current: 'Rabo BedrijfsRekening', savings: 'Rabo BedrijfsSpaarRekening' },
  ABNA: { current: 'Ondernemersrekening', savings: 'Ondernemers Spaarrekening' },
};

function company(
  bank: SandboxBankCode,
  key: string,
  name: string,
  trade: Trade,
  employees: number,
  accounts: ReadonlyArray<{ number: string; kind: AccountKind; label: string }>,
): SandboxCompany {
  return {
    key,
    bank,
    name,
    trade,
    employees,
    accounts: accounts.map((a) => ({
      bank,
      companyKey: key,
      iban: dutchIban(bank, a.number),
      kind: a.kind,
      currency: 'EUR',
      name: `${a.label} ${name}`,
      product: PRODUCTS[bank][a.kind],
      ownerName: name,
    })),
  };
}

export const SANDBOX_COMPANIES: readonly SandboxCompany[] = [
  company('INGB', 'ing-donald', 'Test BV Donald', 'consultancy', 4, [
    // NL69INGB0123456789: the platform's demo data books this account, so a demo connects end to end.
    { number: '0123456789', kind: 'current', label: 'Betaalrekening' },
    { number: '0123456797', kind: 'current', label: 'Projectrekening' },
    { number: '0987654321', kind: 'savings', label: 'Spaarrekening' },
  ]),
  company('INGB', 'ing-katrien', 'Test NV Katrien', 'webshop', 2, [
    { number: '0004455661', kind: 'current', label: 'Betaalrekening' },
    { number: '0004455688', kind: 'savings', label: 'Spaarrekening' },
  ]),
  company('RABO', 'rabo-dagobert', 'Test EMZ Dagobert', 'retail', 6, [
    { number: '0312456781', kind: 'current', label: 'Betaalrekening' },
    { number: '0312456799', kind: 'current', label: 'Kassarekening' },
    { number: '3124567811', kind: 'savings', label: 'Spaarrekening' },
  ]),
  company('RABO', 'rabo-donald', 'Test BV Donald', 'consultancy', 0, [
    { number: '0377812345', kind: 'current', label: 'Betaalrekening' },
  ]),
  company('ABNA', 'abn-bolderbast', 'Test Stichting Bolderbast', 'consultancy', 3, [
    { number: '0456123789', kind: 'current', label: 'Betaalrekening' },
    { number: '0456123797', kind: 'savings', label: 'Spaarrekening' },
  ]),
];

function user(
  bank: SandboxBankCode,
  username: string,
  displayName: string,
  role: BankRole,
  canLinkAccounts: boolean,
  companyKey: string,
): TestUser {
  return { bank, username, password: SANDBOX_PASSWORD, displayName, role, canLinkAccounts, companyKey };
}

export const TEST_USERS: readonly TestUser[] = [
  user('INGB', 'ing-owner', 'Jan Jansen', 'Owner', true, 'ing-donald'),
  user('INGB', 'ing-admin', 'Fatima el Amrani', 'AdministratorPlus', true, 'ing-donald'),
  user('INGB', 'ing-viewer', 'Pieter Bakker', 'Viewer', false, 'ing-donald'),
  user('INGB', 'ing-katrien', 'Katrien Visser', 'Owner', true, 'ing-katrien'),
  user('RABO', 'rabo-owner', 'Dagobert Smit', 'Owner', true, 'rabo-dagobert'),
  user('RABO', 'rabo-admin', 'Noor Hendriks', 'AdministratorPlus', true, 'rabo-dagobert'),
  user('RABO', 'rabo-admin-nolink', 'Kees Mulder', 'AdministratorPlus', false, 'rabo-dagobert'),
  user('RABO', 'rabo-employee', 'Lotte de Graaf', 'Employee', false, 'rabo-dagobert'),
  user('RABO', 'rabo-donald', 'Jan Jansen', 'Owner', true, 'rabo-donald'),
  user('ABNA', 'abn-owner', 'Mohammed Yilmaz', 'Owner', true, 'abn-bolderbast'),
  user('ABNA', 'abn-admin', 'Eva van Dijk', 'AdministratorPlus', true, 'abn-bolderbast'),
  user('ABNA', 'abn-viewer', 'Thomas Peters', 'Viewer', false, 'abn-bolderbast'),
];

export const SANDBOX_ACCOUNTS: readonly SandboxAccount[] = SANDBOX_COMPANIES.flatMap((c) => c.accounts);

for (const account of SANDBOX_ACCOUNTS) {
  // A typo in the table above must fail loudly at start-up, not as a confusing import mismatch later.
  if (!isValidIban(account.iban)) throw new Error(`sandbox test account ${account.iban} is not a valid IBAN`);
}

export function isSandboxBankCode(value: string): value is SandboxBankCode {
  return (SANDBOX_BANK_CODES as readonly string[]).includes(value);
}

export function findUser(bank: SandboxBankCode, username: string): TestUser | undefined {
  return TEST_USERS.find((u) => u.bank === bank && u.username === username);
}

export function findAccount(iban: string): SandboxAccount | undefined {
  return SANDBOX_ACCOUNTS.find((a) => a.iban === iban);
}

export function companyOf(user: TestUser): SandboxCompany {
  const found = SANDBOX_COMPANIES.find((c) => c.key === user.companyKey);
  if (!found) throw new Error(`test user ${user.username} names unknown company ${user.companyKey}`);
  return found;
}

/**
 * R-A3: only an Owner, or an AdministratorPlus with the right to link accounts, may give consent. Returns why
 * this user may not, in plain ASCII so it fits an OAuth `error_description`, or null when the user may.
 */
export function consentRefusal(user: TestUser): string | null {
  if (user.role === 'Owner') return null;
  if (user.role === 'AdministratorPlus' && user.canLinkAccounts) return null;
  const what = user.role === 'AdministratorPlus' ? 'AdministratorPlus without the right to link accounts' : user.role;
  return `Only an Owner, or an AdministratorPlus with the right to link accounts, may give consent; ${user.username} is ${what}`;
}
