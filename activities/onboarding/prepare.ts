import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BankAccount, ClientCompany, MessageTemplate } from '../../db/entities';
import { connectabilityProblems } from '../../domain/bank-account';
import { bankActivationTemplateProblems } from '../../templates/message-template';
import { emailTemplateSource, LANGUAGES, type Language } from '../../templates/render';
import type { ActivityDeps } from '..';
import { loadOnboarding } from './shared';

export function createPrepareActivities({ orm, kvk }: Pick<ActivityDeps, 'orm' | 'kvk'>) {
  return {
    /** Step 1 (R-V7, R-A4, R-A6, R-V1, R-V3): every check, with the reason in words when one fails. */
    async prepareOnboarding(input: {
      onboardingId: string;
    }): Promise<{ ok: true; companyName: string } | { ok: false; reason: string }> {
      const em = orm.em.fork();
      const onboarding = await loadOnboarding(em, input.onboardingId);
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
      // R-A6: the activation e-mail uses the "bank activation message" template, which must exist in the client's
      // language.
      const templateProblem = await activationTemplateProblem(em, onboarding.organization.id, onboarding.language);
      if (templateProblem) problems.push(templateProblem);
      const lookup = await kvk.lookup(onboarding.kvkNumber);
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
  };
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
    const problems = bankActivationTemplateProblems(own).map((p) => `${p.field} ${p.message}`);
    return problems.length
      ? `the organization's bank activation message template (${language}) cannot be used: ${problems.join('; ')} (R-A6)`
      : null;
  }
  try {
    emailTemplateSource('onboarding-activation', language as Language);
    return null;
  } catch {
    return `there is no bank activation message template in language "${language}" (R-A6)`;
  }
}
