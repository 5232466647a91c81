import type { Language } from '../../templates/render';

/**
 * The wizard's words that code chooses (step names, the message next to a field); the page text itself
 * is in templates/pages/wizard-*.<language>.hbs.
 */

/** R-V8: the five steps, in the seed's order. */
export const WIZARD_STEPS = ['details', 'connection', 'consent', 'accounts', 'done'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

const STEP_LABELS: Record<Language, Record<WizardStep, string>> = {
  nl: { details: 'Gegevens', connection: 'Koppeling', consent: 'Bankconsent', accounts: 'Rekeningen', done: 'Klaar' },
  en: { details: 'Details', connection: 'Connection', consent: 'Bank consent', accounts: 'Accounts', done: 'Done' },
};

export interface ProgressStep {
  label: string;
  number: number;
  state: 'done' | 'current' | 'todo';
}

/** The progress bar: steps before the current one are done. */
export function progress(current: WizardStep, lang: Language): ProgressStep[] {
  const at = WIZARD_STEPS.indexOf(current);
  return WIZARD_STEPS.map((step, index) => ({
    label: STEP_LABELS[lang][step],
    number: index + 1,
    state: index < at ? 'done' : index === at ? 'current' : 'todo',
  }));
}

/** Why a field was refused, in the page's language; some carry a detail (tries left, the problems in words). */
export type FieldMessage =
  | { code: 'required' }
  | { code: 'kvk-format' }
  | { code: 'kvk-unknown' }
  | { code: 'kvk-unavailable' }
  | { code: 'kvk-mismatch'; attemptsLeft: number }
  | { code: 'serial-format'; problem: string }
  | { code: 'serial-unknown' }
  | { code: 'serial-locked' }
  | { code: 'serial-expired' }
  | { code: 'serial-used' }
  | { code: 'accept-terms' }
  | { code: 'accept-privacy' }
  | { code: 'name' }
  | { code: 'email' }
  | { code: 'accounts'; problems: string[] };

const SERIAL_FORMAT_NL: Record<string, string> = {
  'is empty': 'Vul het serienummer in.',
  'must be 12 characters': 'Een serienummer heeft 12 tekens, bijvoorbeeld ABCD-EFGH-JKMN.',
  'contains characters a serial number never has (0, O, 1, I, L)':
    'Een serienummer bevat nooit 0, O, 1, I of L. Controleer wat u hebt overgenomen.',
  'has a typing error': 'Dit serienummer bevat een tikfout. Controleer het met de e-mail.',
};
const SERIAL_FORMAT_EN: Record<string, string> = {
  'is empty': 'Enter the serial number.',
  'must be 12 characters': 'A serial number has 12 characters, for example ABCD-EFGH-JKMN.',
  'contains characters a serial number never has (0, O, 1, I, L)':
    'A serial number never contains 0, O, 1, I or L. Check what you copied.',
  'has a typing error': 'This serial number has a typing error. Check it against the e-mail.',
};

export function fieldMessage(message: FieldMessage, lang: Language): string {
  const nl = lang === 'nl';
  switch (message.code) {
    case 'required':
      return nl ? 'Dit veld is verplicht.' : 'This field is required.';
    case 'kvk-format':
      return nl ? 'Een KvK-nummer heeft 8 cijfers.' : 'A KvK number has 8 digits.';
    case 'kvk-unknown':
      return nl
        ? 'Dit KvK-nummer staat niet in het Handelsregister.'
        : 'This KvK number is not in the Business Register.';
    case 'kvk-unavailable':
      return nl
        ? 'De KvK is nu niet bereikbaar. Probeer het over een minuut opnieuw.'
        : 'The KvK cannot be reached right now. Try again in a minute.';
    case 'kvk-mismatch':
      if (message.attemptsLeft === 0) {
        return nl
          ? 'Dit KvK-nummer hoort niet bij dit serienummer. Het serienummer is nu geblokkeerd; vraag uw administratiekantoor om een nieuw serienummer.'
          : 'This KvK number does not belong to this serial number. The serial number is now locked; ask your accounting office for a new one.';
      }
      return nl
        ? `Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog ${message.attemptsLeft} keer proberen.`
        : `This KvK number does not belong to this serial number. You have ${message.attemptsLeft} ${message.attemptsLeft === 1 ? 'try' : 'tries'} left.`;
    case 'serial-format':
      return (
        (nl ? SERIAL_FORMAT_NL : SERIAL_FORMAT_EN)[message.problem] ??
        (nl ? 'Dit is geen geldig serienummer.' : 'This is not a valid serial number.')
      );
    case 'serial-unknown':
      return nl
        ? 'Dit serienummer kennen wij niet. Controleer het met de e-mail van uw administratiekantoor.'
        : 'We do not know this serial number. Check it against the e-mail from your accounting office.';
    case 'serial-locked':
      return nl
        ? 'Dit serienummer is geblokkeerd na vijf verkeerde pogingen. Vraag uw administratiekantoor om een nieuw serienummer.'
        : 'This serial number is locked after five wrong tries. Ask your accounting office for a new one.';
    case 'serial-expired':
      return nl
        ? 'Dit serienummer is verlopen of vervangen. Gebruik het serienummer uit de nieuwste e-mail, of vraag uw administratiekantoor om een nieuw.'
        : 'This serial number has expired or was replaced. Use the serial number in the most recent e-mail, or ask your accounting office for a new one.';
    case 'serial-used':
      return nl
        ? 'Met dit serienummer is de koppeling al gemaakt.'
        : 'This serial number has already been used to make the connection.';
    case 'accept-terms':
      return nl
        ? 'Ga akkoord met de algemene voorwaarden om verder te gaan.'
        : 'Accept the terms of service to continue.';
    case 'accept-privacy':
      return nl
        ? 'Ga akkoord met de privacyverklaring om verder te gaan.'
        : 'Accept the privacy statement to continue.';
    case 'name':
      return nl
        ? 'Vul de naam van de accountmanager in (hoogstens 200 tekens).'
        : "Enter the account manager's name (at most 200 characters).";
    case 'email':
      return nl
        ? 'Vul een geldig e-mailadres in, bijvoorbeeld naam@bedrijf.nl.'
        : 'Enter a valid e-mail address, for example name@company.com.';
    case 'accounts':
      return nl
        ? `Kies ten minste één rekening met Transacties, Betalingen of Incasso${message.problems.length ? ` (${message.problems.join('; ')})` : ''}.`
        : `Choose at least one account with Transactions, Payments or Direct debit${message.problems.length ? ` (${message.problems.join('; ')})` : ''}.`;
  }
}

/** "€ 2,25" / "€2.25": amounts as the page's language writes them. */
export function formatEuro(cents: number, lang: Language): string {
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(
    cents / 100,
  );
}
