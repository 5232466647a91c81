import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConsentInvalidError } from '../banks/errors';
import { ACCOUNT_LIST_CALL } from '../domain/bank-allowance';
import { countCalls } from '../db/bank-call-counts';
import { activationToken } from '../domain/activation-token';
import { connectabilityProblems } from '../domain/bank-account';
import { fetchesPerDay } from '../domain/connection';
import { communicationEnvironmentId } from '../domain/environment';
import { amsterdamDate } from '../domain/amsterdam-time';
import { normaliseIban } from '../domain/iban';
import {
  defaultChoice,
  isLinked,
  offeredAccount,
  type AccountOptions,
  type Licence,
  type OfferedAccount,
} from '../domain/account-choice';
import type { OnboardingStatus, WizardDetails } from '../domain/onboarding';
import { bankActivationTemplateProblems } from '../templates/message-template';
import { createOAuthState, createPkcePair } from '../domain/pkce';
import { formatSerialNumber, generateSerialNumber, serialNumberHash } from '../domain/serial-number';
import {
  ActivationLink,
  BankAccount,
  BankJournal,
  ClientCompany,
  ConnectedAccount,
  Connection,
  Consent,
  ConsentAttempt,
  Environment,
  MessageTemplate,
  Onboarding,
  SerialNumber,
} from '../db/entities';
import type { IOnboarding } from '../db/entities';
import { emailTemplateSource, LANGUAGES, type EmailSource, type Language } from '../templates/render';
import { createOutbox } from './email';
import type { ActivityDeps } from '.';

export type OnboardingEmailKind =
  'activation' | 'reminder' | 'connected' | 'first-transaction-tip' | 'expired' | 'consent-refused';

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

const BANK_NAMES: Record<string, string> = { INGB: 'ING', RABO: 'Rabobank', ABNA: 'ABN AMRO' };

export interface OnboardingEmailInput {
  onboardingId: string;
  kind: OnboardingEmailKind;
  linkId: string | null;
  serialNumberId?: string | null;
  sequence: number;
  reason?: string | null;
}

export function callbackUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}/connect/callback`;
}

/** Activities of the onboarding workflow; each records what it did on the Onboarding row, which the API reads. */
export function createOnboardingActivities(
  deps: Pick<
    ActivityDeps,
    'orm' | 'mailer' | 'mailFrom' | 'kvk' | 'bankConnector' | 'tokenCipher' | 'publicBaseUrl' | 'activationLinkKey'
  >,
) {
  const { orm } = deps;
  const send = createOutbox(deps);
  const load = (em: EntityManager, onboardingId: string) =>
    em.findOneOrFail(Onboarding, { id: onboardingId }, { populate: ['environment', 'clientCompany', 'organization'] });

  /**
   * The accounts the consent covers, straight from the bank; an invalid consent is not worth retrying. The list
   * is an unattended call like every other (the client has left our page), so it is counted against the allowance.
   */
  const consentedAccounts = async (em: EntityManager, bankCode: string, consentId: string) => {
    const consent = await em.findOneOrFail(Consent, { id: consentId });
    const verdict = await countCalls(em, consent, [ACCOUNT_LIST_CALL], new Date());
    if (!verdict.allowed) {
      const wait = Math.max(1, Math.ceil((Date.parse(verdict.nextRunAt) - Date.now()) / 1000));
      throw ApplicationFailure.create({
        message: verdict.reason,
        type: 'RateLimitedError',
        nextRetryDelay: `${wait} seconds`,
      });
    }
    const accessToken = deps.tokenCipher.decrypt(consent.accessTokenEncrypted ?? '');
    const session = { consentId: consent.bankConsentId, accessToken, unattended: true as const };
    return deps
      .bankConnector(bankCode)
      .listAccounts(session)
      .catch((error: unknown) => {
        if (error instanceof ConsentInvalidError) throw ApplicationFailure.nonRetryable(error.message, error.type);
        throw error;
      });
  };

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
      const token = activationToken(deps.activationLinkKey, input.linkId);
      return { activationUrl: `${deps.publicBaseUrl}/connect/${token}?lang=${language}` };
    }
    const open = { onboarding, usedAt: null, revokedAt: null, lockedAt: null };
    const row = input.serialNumberId
      ? await em.findOneOrFail(SerialNumber, { id: input.serialNumberId, onboarding })
      : await em.findOne(SerialNumber, open, { orderBy: { createdAt: 'desc' } });
    return row ? { serialNumber: formatSerialNumber(deps.tokenCipher.decrypt(row.numberEncrypted)) } : {};
  };

  return {
    async recordOnboardingStatus(input: {
      onboardingId: string;
      status: OnboardingStatus;
      reason: string | null;
      consentDeadline?: string;
      connectionId?: string;
    }): Promise<void> {
      const final = ['rejected', 'active', 'active_awaiting_first_transaction', 'expired', 'cancelled'].includes(
        input.status,
      );
      await orm.em.fork().nativeUpdate(
        Onboarding,
        { id: input.onboardingId },
        {
          status: input.status,
          statusReason: input.reason,
          ...(input.consentDeadline ? { consentDeadline: new Date(input.consentDeadline) } : {}),
          ...(input.connectionId ? { connection: input.connectionId } : {}),
          ...(final ? { completedAt: new Date() } : {}),
        },
      );
      if (input.status === 'cancelled' || input.status === 'expired') {
        await orm.em
          .fork()
          .nativeUpdate(
            ActivationLink,
            { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
            { revokedAt: new Date() },
          );
        await orm.em
          .fork()
          .nativeUpdate(
            SerialNumber,
            { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
            { revokedAt: new Date() },
          );
      }
    },

    /** Step 1 (R-V7, R-A4, R-A6, R-V1, R-V3): every check, with the reason in words when one fails. */
    async prepareOnboarding(input: {
      onboardingId: string;
    }): Promise<{ ok: true; companyName: string } | { ok: false; reason: string }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      const problems: string[] = [];
      for (const accountId of onboarding.bankAccountIds) {
        const account = await em.findOne(BankAccount, { id: accountId, organization: onboarding.organization });
        if (!account) {
          problems.push(`bank account ${accountId} does not exist`);
          continue;
        }
        const accountProblems = connectabilityProblems({
          type: account.type,
          iban: account.iban ?? null,
          journalId: account.journal?.id ?? null,
          currency: account.currency,
        });
        problems.push(...accountProblems.map((p) => `${account.name}: ${p}`));
      }
      // R-A6: the activation e-mail uses the "bank activation message" template, which must exist in the client's language.
      const templateProblem = await activationTemplateProblem(em, onboarding.organization.id, onboarding.language);
      if (templateProblem) problems.push(templateProblem);
      const lookup = await deps.kvk.lookup(onboarding.kvkNumber);
      if (lookup.kind === 'not_found')
        problems.push(`KvK number ${onboarding.kvkNumber} is not registered at the KvK (R-V3)`);
      if (lookup.kind === 'invalid') problems.push(`KvK number ${onboarding.kvkNumber}: ${lookup.reason} (R-V3)`);
      if (problems.length || lookup.kind !== 'found') return { ok: false, reason: problems.join('; ') };
      // One statement, so two onboardings of the same client prepared at once (ING and Rabobank) cannot collide.
      const company = await em.upsert(
        ClientCompany,
        // upsert skips onCreate hooks: the id and time are given here and kept by an existing row.
        {
          id: randomUUID(),
          createdAt: new Date(),
          organization: onboarding.organization,
          kvkNumber: onboarding.kvkNumber,
          name: lookup.name,
        },
        { onConflictFields: ['organization', 'kvkNumber'], onConflictAction: 'merge', onConflictMergeFields: ['name'] },
      );
      onboarding.clientCompany = company;
      await em.flush();
      return { ok: true, companyName: lookup.name };
    },

    /** Step 2 (R-A9, R-A10): a new single-use link; earlier open links of this onboarding stop working. */
    async issueActivationLink(input: { onboardingId: string; deadline: string }): Promise<{ linkId: string }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      await em.nativeUpdate(ActivationLink, { onboarding, usedAt: null, revokedAt: null }, { revokedAt: new Date() });
      const link = em.create(ActivationLink, {
        organization: onboarding.organization,
        onboarding,
        tokenHash: '',
        expiresAt: new Date(input.deadline),
        usedAt: null,
        revokedAt: null,
      });
      link.id = randomUUID();
      link.tokenHash = hash(activationToken(deps.activationLinkKey, link.id));
      await em.flush();
      return { linkId: link.id };
    },

    /**
     * Step 2 of the serial flavour (R-V6, R-V7): a new serial number, valid until the consent deadline; earlier
     * open ones of this onboarding stop working (a resend, or staff replacing a locked one). Answers only its id.
     */
    async issueSerialNumber(input: { onboardingId: string; deadline: string }): Promise<{ serialNumberId: string }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      await em.nativeUpdate(SerialNumber, { onboarding, usedAt: null, revokedAt: null }, { revokedAt: new Date() });
      const serial = generateSerialNumber();
      const row = em.create(SerialNumber, {
        organization: onboarding.organization,
        onboarding,
        numberHash: serialNumberHash(deps.tokenCipher, serial),
        numberEncrypted: deps.tokenCipher.encrypt(serial),
        expiresAt: new Date(input.deadline),
        failedAttempts: 0,
        lockedAt: null,
        usedAt: null,
        revokedAt: null,
      });
      // 54 random bits: a clash with an existing hash fails the unique index, and the retried activity draws anew.
      await em.flush();
      return { serialNumberId: row.id };
    },

    /** E-mails of the onboarding (R-A6, R-A10, R-V13, R-V6), exactly once per intent through the outbox. */
    async sendOnboardingEmail(input: OnboardingEmailInput): Promise<{ status: string }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      const organization = onboarding.organization;
      const toStaff = input.kind === 'expired';
      const to = toStaff
        ? (organization.staffEmail ?? onboarding.accountManagerEmail ?? onboarding.clientEmail)
        : onboarding.clientEmail;
      const language: Language = onboarding.language === 'en' ? 'en' : 'nl';
      const serial = onboarding.flavour === 'serial';
      const template = (serial && SERIAL_TEMPLATES[input.kind]) || `onboarding-${input.kind}`;
      const reason = input.reason ?? '';
      const result = await send(
        {
          organizationId: organization.id,
          idempotencyKey: `onboarding:${onboarding.id}:${input.kind}:${input.linkId ?? input.serialNumberId ?? '-'}:${input.sequence}`,
          template,
          language,
          to,
          data: {
            companyName: onboarding.clientCompany?.name ?? onboarding.kvkNumber,
            kvkNumber: onboarding.kvkNumber,
            bankName: BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode,
            officeName: organization.name,
            deadline: onboarding.consentDeadline ? formatDeadline(onboarding.consentDeadline, language) : '',
            accountManagerName: onboarding.accountManagerName ?? '',
            accountManagerEmail: onboarding.accountManagerEmail ?? '',
            // Whom the client can ask: the account manager where there is one, else the office.
            contactEmail: onboarding.accountManagerEmail ?? organization.staffEmail ?? '',
            clientEmail: onboarding.clientEmail,
            onboardingId: onboarding.id,
            reason,
            // R-A3: the refusal banks give most often; the e-mail then states the rule instead of only quoting the bank.
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

    /** Step 4a: the bank consent and the client's trip there (OAuth2 authorization code, state, PKCE S256). */
    async beginConsent(input: { onboardingId: string; linkId: string }): Promise<{ attemptId: string }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      const connector = deps.bankConnector(onboarding.bankCode);
      const validUntil = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
      const consent = await connector.createConsent({ validUntil, frequencyPerDay: 6, recurringIndicator: true });
      const state = createOAuthState();
      const pkce = createPkcePair();
      const attempt = em.create(ConsentAttempt, {
        organization: onboarding.organization,
        onboarding,
        bankCode: onboarding.bankCode,
        bankConsentId: consent.consentId,
        stateHash: hash(state),
        stateEncrypted: deps.tokenCipher.encrypt(state),
        codeVerifierEncrypted: deps.tokenCipher.encrypt(pkce.verifier),
        codeEncrypted: null,
        error: null,
        redirectUri: callbackUrl(deps.publicBaseUrl),
        returnedAt: null,
      });
      await em.flush();
      return { attemptId: attempt.id };
    },

    /** Step 4b: exchange the code the bank returned, store the consent with its tokens encrypted (R-A3 refusals pass through). */
    async exchangeConsentCode(input: {
      onboardingId: string;
      attemptId: string;
    }): Promise<{ outcome: 'consented'; consentId: string } | { outcome: 'refused'; reason: string }> {
      const em = orm.em.fork();
      const attempt = await em.findOneOrFail(ConsentAttempt, { id: input.attemptId, onboarding: input.onboardingId });
      if (attempt.error) return { outcome: 'refused', reason: attempt.error };
      if (!attempt.codeEncrypted)
        throw ApplicationFailure.nonRetryable('the bank returned neither a code nor an error', 'ConsentInvalidError');
      const connector = deps.bankConnector(attempt.bankCode);
      const tokens = await connector.exchangeCode({
        code: deps.tokenCipher.decrypt(attempt.codeEncrypted),
        codeVerifier: deps.tokenCipher.decrypt(attempt.codeVerifierEncrypted),
        redirectUri: attempt.redirectUri,
      });
      const bankConsent = await connector.getConsent(attempt.bankConsentId, {
        consentId: attempt.bankConsentId,
        accessToken: tokens.accessToken,
        unattended: true,
      });
      if (bankConsent.status !== 'valid')
        return { outcome: 'refused', reason: `the bank reports the consent as ${bankConsent.status}` };
      const consent = em.create(Consent, {
        organization: attempt.organization,
        bankCode: attempt.bankCode,
        bankConsentId: attempt.bankConsentId,
        status: 'valid',
        validUntil: bankConsent.validUntil,
        frequencyPerDay: bankConsent.frequencyPerDay,
        accessTokenEncrypted: deps.tokenCipher.encrypt(tokens.accessToken),
        refreshTokenEncrypted: deps.tokenCipher.encrypt(tokens.refreshToken),
        tokenExpiresAt: tokens.expiresAt,
      });
      attempt.codeEncrypted = null;
      await em.flush();
      await em.nativeUpdate(
        ActivationLink,
        { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
        { usedAt: new Date() },
      );
      await em.nativeUpdate(
        SerialNumber,
        { onboarding: input.onboardingId, usedAt: null, revokedAt: null },
        { usedAt: new Date() },
      );
      return { outcome: 'consented', consentId: consent.id };
    },

    /** The wizard's answers (R-V9 details with the moment the terms were accepted, R-V10 account manager). */
    async recordWizardAnswers(input: {
      onboardingId: string;
      details?: WizardDetails;
      accountManager?: { name: string; email: string };
    }): Promise<void> {
      await orm.em.fork().nativeUpdate(
        Onboarding,
        { id: input.onboardingId },
        {
          ...(input.details ? { wizardDetails: input.details } : {}),
          ...(input.accountManager
            ? { accountManagerName: input.accountManager.name, accountManagerEmail: input.accountManager.email }
            : {}),
        },
      );
    },

    /**
     * Serial flavour, after the consent (R-V12, R-V1): the consented accounts as the wizard's Accounts step lists
     * them, recorded on the onboarding for the page; the workflow keeps only IBANs, linkability and the licence.
     */
    async offerConsentedAccounts(input: {
      onboardingId: string;
      consentId: string;
    }): Promise<{ accounts: Pick<OfferedAccount, 'iban' | 'notLinkable'>[]; licence: Licence }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      const offered = (await consentedAccounts(em, onboarding.bankCode, input.consentId)).map((a) =>
        offeredAccount({ ...a, iban: normaliseIban(a.iban) }),
      );
      onboarding.offeredAccounts = offered;
      await em.flush();
      return {
        accounts: offered.map(({ iban, notLinkable }) => ({ iban, notLinkable })),
        licence: {
          payments: onboarding.organization.licencePayments,
          directDebit: onboarding.organization.licenceDirectDebit,
        },
      };
    },

    /**
     * Step 5 (R-A12, R-A8, R-A11, R-A7): the consented accounts, matched by IBAN, join the connection of this
     * environment and bank agreement; accounts already connected stay as they are. Only linkable accounts (R-V1),
     * and of those the wizard's choice with its options (R-V12), or all of them with Transactions.
     */
    async syncProfile(input: {
      onboardingId: string;
      consentId: string;
      choice?: AccountOptions[] | null;
    }): Promise<{ connectionId: string; added: string[]; kept: string[] }> {
      const em = orm.em.fork();
      const onboarding = await load(em, input.onboardingId);
      const consent = await em.findOneOrFail(Consent, { id: input.consentId });
      const consented = await consentedAccounts(em, onboarding.bankCode, input.consentId);
      const offered = consented.map((a) => offeredAccount({ ...a, iban: normaliseIban(a.iban) }));
      const choice = (input.choice ?? defaultChoice(offered)).filter(isLinked);
      const bankAccounts = consented.filter((a) => choice.some((c) => c.iban === normaliseIban(a.iban)));
      const environment = onboarding.environment;
      const mainId = communicationEnvironmentId({
        id: environment.id,
        kind: environment.kind,
        parentId: environment.parent?.id ?? null,
      });
      const bankAgreement = `${onboarding.kvkNumber}`;
      const connection =
        (await em.findOne(Connection, {
          communicationEnvironment: mainId,
          bankCode: onboarding.bankCode,
          bankAgreement,
        })) ??
        em.create(Connection, {
          organization: onboarding.organization,
          communicationEnvironment: mainId,
          clientCompany: onboarding.clientCompany ?? null,
          bankCode: onboarding.bankCode,
          bankAgreement,
          consent,
          state: 'active',
          syncProfileBlocked: false,
          fetchesPerDay: fetchesPerDay(consent.frequencyPerDay, false),
          stateReason: null,
          accountManagerName: onboarding.accountManagerName ?? null,
          accountManagerEmail: onboarding.accountManagerEmail ?? null,
          lastFetchAt: null,
        });
      connection.consent = consent;
      connection.state = 'active';
      connection.stateReason = null;
      connection.fetchesPerDay = fetchesPerDay(consent.frequencyPerDay, false);
      if (onboarding.accountManagerEmail) {
        connection.accountManagerName = onboarding.accountManagerName ?? null;
        connection.accountManagerEmail = onboarding.accountManagerEmail;
      }
      const existing = await em.find(ConnectedAccount, { connection });
      // The bank's ids are per consent: the new consent's replace the old ones; nothing else of an account changes.
      for (const account of existing) {
        account.bankResourceId = consented.find((a) => normaliseIban(a.iban) === account.iban)?.resourceId ?? null;
      }
      const added: string[] = [];
      const kept: string[] = [];
      const journal = await em.findOne(BankJournal, { environment }, { orderBy: { createdAt: 'asc' } });
      for (const bankAccount of bankAccounts) {
        const iban = normaliseIban(bankAccount.iban);
        if (existing.some((a) => a.iban === iban)) {
          kept.push(iban);
          continue;
        }
        const environments = await em.find(Environment, { $or: [{ id: mainId }, { parent: mainId }] });
        const recorded =
          (await em.findOne(BankAccount, {
            organization: onboarding.organization,
            iban,
            environment: { $in: environments.map((e) => e.id) },
          })) ??
          em.create(BankAccount, {
            organization: onboarding.organization,
            environment,
            journal,
            name: bankAccount.name ?? `${BANK_NAMES[onboarding.bankCode] ?? onboarding.bankCode} ${iban}`,
            type: bankAccount.cashAccountType === 'SVGS' ? 'savings' : 'current',
            iban,
            currency: bankAccount.currency,
            ledgerAccount: '1100',
            lastCheck: null,
          });
        const options = choice.find((c) => c.iban === iban)!;
        em.create(ConnectedAccount, {
          organization: onboarding.organization,
          connection,
          bankAccount: recorded,
          environment: recorded.environment,
          iban,
          currency: bankAccount.currency,
          bankResourceId: bankAccount.resourceId,
          importTransactions: options.importTransactions,
          payments: options.payments,
          directDebit: options.directDebit,
          // R-A5, R-A14: from 00:00 of the activation day; nothing older.
          switchOverDate: amsterdamDate(new Date()),
          firstTransactionAt: null,
          lastFetchAt: null,
          lastFetchResult: null,
        });
        added.push(iban);
      }
      onboarding.connection = connection;
      onboarding.accountChoice = choice;
      await em.flush();
      return { connectionId: connection.id, added, kept };
    },

    /** R-A13: statement import switches on with the first imported transactions. */
    async firstTransactionImported(input: { connectionId: string }): Promise<boolean> {
      return (
        (await orm.em
          .fork()
          .count(ConnectedAccount, { connection: input.connectionId, statementImportEnabled: true })) > 0
      );
    },
  };
}

/** The organization's own bank activation message in this language, if it has one (R-A6); a reminder is the same message. */
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

/** R-A6: why no usable bank activation message exists for this language, or null when one does. */
async function activationTemplateProblem(
  em: EntityManager,
  organizationId: string,
  language: string,
): Promise<string | null> {
  if (!(LANGUAGES as readonly string[]).includes(language))
    return `there is no bank activation message template in language "${language}" (R-A6)`;
  const own = await em.findOne(MessageTemplate, { organization: organizationId, kind: 'bank-activation', language });
  if (own) {
    const problems = bankActivationTemplateProblems(own);
    return problems.length
      ? `the organization's bank activation message template (${language}) cannot be used: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')} (R-A6)`
      : null;
  }
  try {
    emailTemplateSource('onboarding-activation', language as Language);
    return null;
  } catch {
    return `there is no bank activation message template in language "${language}" (R-A6)`;
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function formatDeadline(deadline: Date, language: 'nl' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: 'Europe/Amsterdam',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(deadline);
}
