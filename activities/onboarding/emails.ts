import type { EntityManager } from '@mikro-orm/postgresql';
import { ActivationLink, MessageTemplate, SerialNumber, type IOnboarding } from '../../db/entities';
import { issuedToken } from '../../domain/activation-token';
import { bankName } from '../../domain/bank';
import { formatSerialNumber } from '../../domain/serial-number';
import type { EmailSource, Language } from '../../templates/render';
import { createOutbox } from '../email';
import type { ActivityDeps } from '..';
import { loadOnboarding } from './shared';

export type OnboardingEmailKind =
  'activation' | 'reminder' | 'connected' | 'first-transaction-tip' | 'expired' | 'consent-refused';

export interface OnboardingEmailInput {
  onboardingId: string;
  kind: OnboardingEmailKind;
  linkId: string | null;
  serialNumberId?: string | null;
  sequence: number;
  reason?: string | null;
}

/** E-mails that carry the activation link: the client must be able to open it from each of them. */
const CARRIES_LINK: readonly OnboardingEmailKind[] = ['activation', 'reminder', 'consent-refused'];
/** E-mails built from the organization's "bank activation message" when it has its own (R-A6). */
const ORGANIZATION_MESSAGE: readonly string[] = ['onboarding-activation', 'onboarding-reminder'];
/** R-V6: the serial flavour's e-mails that speak of the wizard and the serial number instead of a link. */
const SERIAL_TEMPLATES: Partial<Record<OnboardingEmailKind, string>> = {
  activation: 'onboarding-serial',
  reminder: 'onboarding-serial',
  'consent-refused': 'onboarding-serial-consent-refused',
};
const REMINDER_PREFIX: Record<Language, string> = { nl: 'Herinnering: ', en: 'Reminder: ' };

export function createEmailsActivities(
  deps: Pick<ActivityDeps, 'orm' | 'mailer' | 'mailFrom' | 'publicBaseUrl' | 'activationLinkKeys' | 'tokenCipher'>,
) {
  const { orm } = deps;
  const send = createOutbox(deps);

  /**
   * What is put in only while sending and never rests in the outbox (R-V6): the activation link, or the serial
   * number of the e-mails that send the client to the wizard (the newest open one where none is named).
   */
  const sendTimeValues = async (
    em: EntityManager,
    onboarding: IOnboarding,
    input: OnboardingEmailInput,
    language: Language,
  ): Promise<Record<string, string>> => {
    if (!CARRIES_LINK.includes(input.kind)) return {};
    if (onboarding.flavour !== 'serial') {
      if (!input.linkId) return {};
      const link = await em.findOneOrFail(ActivationLink, { id: input.linkId, onboarding });
      const token = issuedToken(deps.activationLinkKeys, link.id, link.tokenHash);
      // Issued under a key no longer in the ring: its address cannot be rebuilt, and a wrong one must not go out.
      if (!token) throw new Error(`activation link ${link.id} was issued under a key that is no longer configured`);
      return { activationUrl: `${deps.publicBaseUrl}/connect/${token}?lang=${language}` };
    }
    const open = { onboarding, usedAt: null, revokedAt: null, lockedAt: null };
    const row = input.serialNumberId
      ? await em.findOneOrFail(SerialNumber, { id: input.serialNumberId, onboarding })
      : await em.findOne(SerialNumber, open, { orderBy: { createdAt: 'desc' } });
    return row ? { serialNumber: formatSerialNumber(deps.tokenCipher.decrypt(row.numberEncrypted)) } : {};
  };

  return {
    /** E-mails of the onboarding (R-A6, R-A10, R-V13, R-V6), exactly once per intent through the outbox. */
    async sendOnboardingEmail(input: OnboardingEmailInput): Promise<{ status: string }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
      const organization = onboarding.organization;
      const toStaff = input.kind === 'expired';
      const to = toStaff
        ? (organization.staffEmail ?? onboarding.accountManagerEmail ?? onboarding.clientEmail)
        : onboarding.clientEmail;
      const language: Language = onboarding.language === 'en' ? 'en' : 'nl';
      const serial = onboarding.flavour === 'serial';
      const template = (serial && SERIAL_TEMPLATES[input.kind]) || `onboarding-${input.kind}`;
      const reason = input.reason ?? '';
      const issued = input.linkId ?? input.serialNumberId ?? '-';
      const result = await send(
        {
          organizationId: organization.id,
          idempotencyKey: `onboarding:${onboarding.id}:${input.kind}:${issued}:${input.sequence}`,
          template,
          language,
          to,
          data: {
            companyName: onboarding.clientCompany?.name ?? onboarding.kvkNumber,
            kvkNumber: onboarding.kvkNumber,
            bankName: bankName(onboarding.bankCode),
            officeName: organization.name,
            deadline: onboarding.consentDeadline ? formatDeadline(onboarding.consentDeadline, language) : '',
            accountManagerName: onboarding.accountManagerName ?? '',
            accountManagerEmail: onboarding.accountManagerEmail ?? '',
            // Whom the client can ask: the account manager where there is one, else the office.
            contactEmail: onboarding.accountManagerEmail ?? organization.staffEmail ?? '',
            clientEmail: onboarding.clientEmail,
            onboardingId: onboarding.id,
            reason,
            // R-A3: the refusal banks give most often; the e-mail then states the rule instead of only quoting the
            // bank.
            roleRefused: /\brole\b|owner|administratorplus/i.test(reason),
            // The client's language goes with every link, so the page opens in the language of the e-mail.
            ...(serial ? { wizardUrl: `${deps.publicBaseUrl}/wizard?lang=${language}` } : {}),
            reminder: input.kind === 'reminder',
          },
          source: ORGANIZATION_MESSAGE.includes(template)
            ? await organizationSource(em, organization.id, language, input.kind)
            : undefined,
        },
        await sendTimeValues(em, onboarding, input, language),
      );
      return { status: result.status };
    },
  };
}

/**
 * The organization's own bank activation message in this language, if it has one (R-A6); a reminder is the same
 * message.
 */
async function organizationSource(
  em: EntityManager,
  organizationId: string,
  language: Language,
  kind: OnboardingEmailKind,
): Promise<EmailSource | undefined> {
  const own = await em.findOne(MessageTemplate, { organization: organizationId, kind: 'bank-activation', language });
  if (!own) return undefined;
  return { subject: kind === 'reminder' ? `${REMINDER_PREFIX[language]}${own.subject}` : own.subject, body: own.body };
}

function formatDeadline(deadline: Date, language: 'nl' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: 'Europe/Amsterdam',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(deadline);
}
