import type { Request, Response, Router } from 'express';
import type { IOnboarding } from '../../../db/entities';
import {
  accountChoiceProblems,
  EXTRA_ACCOUNT_MONTHLY_CENTS,
  FREE_LINKED_ACCOUNTS,
  isLinked,
  type AccountOptions,
} from '../../../domain/account-choice';
import { bankName } from '../../../domain/bank';
import { formatIban } from '../../../domain/iban';
import { chooseAccountsUpdate } from '../../../workflows/onboarding/contract';
import { csrfField, ensureCsrfSecret } from '../csrf';
import { clearFormFlash, readFormFlash, writeFormFlash } from '../form-flash';
import { pageLanguage, sendPage } from '../pages';
import { fieldMessage, formatEuro, progress, type FieldMessage } from '../wizard-text';
import { writeWizardSession, type WizardSession } from '../wizard-session';
import { refusalReason, type WizardContext } from './context';

/** Step 4 (R-V12, R-V1): which of the consented accounts to link, and with which options. */
export function accountsStep(
  router: Router,
  { services, log, limits, secure, cipher, accountsForm, sessionOnboarding }: WizardContext,
) {
  router.get('/accounts', limits.read, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res);
    if (!found) return;
    const { session, onboarding } = found;
    if (onboarding.status === 'waiting_for_consent') return void res.redirect(303, `/wizard/consent?lang=${lang}`);
    if (onboarding.status === 'consent_in_progress') {
      // The bank's answer is being processed and the accounts listed; the page looks again by itself.
      res.setHeader('Refresh', `2; url=/wizard/accounts?lang=${lang}`);
      return sendPage(req, res, 200, 'wizard-accounts-wait', {
        steps: progress('accounts', lang),
        refreshUrl: `/wizard/accounts?lang=${lang}`,
      });
    }
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const flash = readFormFlash(req, cipher, secure, 'accounts');
    renderAccounts(req, res, session, onboarding, flash?.choice ?? session.chosen, flash?.errors.accounts ?? null);
  });

  router.post('/accounts', limits.write, accountsForm, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res, 'wizard-accounts');
    if (!found) return;
    const { session, onboarding } = found;
    if (onboarding.status !== 'choosing_accounts') return void res.redirect(303, `/wizard/done?lang=${lang}`);
    const offered = onboarding.offeredAccounts ?? [];
    const ticked = (name: string) =>
      new Set(([] as unknown[]).concat(req.body?.[name] ?? []).filter((v): v is string => typeof v === 'string'));
    const [tx, pay, dd] = [ticked('tx'), ticked('pay'), ticked('dd')];
    const choice: AccountOptions[] = offered
      .filter((a) => !a.notLinkable)
      .map((a) => ({
        iban: a.iban,
        importTransactions: tx.has(a.iban),
        payments: pay.has(a.iban),
        directDebit: dd.has(a.iban),
      }));
    const licence = {
      payments: onboarding.organization.licencePayments,
      directDebit: onboarding.organization.licenceDirectDebit,
    };
    const problems = accountChoiceProblems(choice, offered, licence);
    if (problems.length) {
      const named = problems.filter((p) => p !== 'choose at least one account to link');
      const error: FieldMessage = { code: 'accounts', problems: named };
      writeFormFlash(res, cipher, secure, { form: 'accounts', fields: {}, choice, errors: { accounts: error } });
      return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
    }
    const linked = choice.filter(isLinked);
    try {
      await services.temporal.workflow
        .getHandle(onboarding.workflowId)
        .executeUpdate(chooseAccountsUpdate, { args: [{ serialNumberId: session.serialNumberId, accounts: linked }] });
    } catch (error) {
      // Chosen already (a second tab, a resubmitted form): the Done page tells what was linked.
      if (refusalReason(error) === null) throw error;
      return void res.redirect(303, `/wizard/done?lang=${lang}`);
    }
    writeWizardSession(res, cipher, secure, { ...session, chosen: linked });
    clearFormFlash(res, secure);
    log.info({ onboardingId: onboarding.id, accounts: linked.length }, 'wizard: accounts chosen');
    res.redirect(303, `/wizard/done?lang=${lang}`);
  });

  function renderAccounts(
    req: Request,
    res: Response,
    session: WizardSession,
    onboarding: IOnboarding,
    chosen: AccountOptions[] | null,
    error: FieldMessage | null,
  ): void {
    const lang = pageLanguage(req);
    const secret = ensureCsrfSecret(req, res, secure);
    const licence = {
      payments: onboarding.organization.licencePayments,
      directDebit: onboarding.organization.licenceDirectDebit,
    };
    sendPage(req, res, 200, 'wizard-accounts', {
      steps: progress('accounts', lang),
      companyName: session.companyName,
      bankName: bankName(onboarding.bankCode),
      officeName: onboarding.organization.name,
      accounts: (onboarding.offeredAccounts ?? []).map((account) => {
        const options = chosen?.find((c) => c.iban === account.iban);
        return {
          iban: account.iban,
          ibanFormatted: formatIban(account.iban),
          name: account.name ?? '',
          kind: account.kind,
          currency: account.currency,
          linkable: account.notLinkable === null,
          // R-V12: Transactions ticked by default; Payments and Direct debit only when asked for.
          transactions: options ? options.importTransactions : true,
          payments: options?.payments ?? false,
          directDebit: options?.directDebit ?? false,
        };
      }),
      licence,
      error: error ? fieldMessage(error, lang) : null,
      freeAccounts: FREE_LINKED_ACCOUNTS,
      extraAccountCost: formatEuro(EXTRA_ACCOUNT_MONTHLY_CENTS, lang),
      extraAccountCents: EXTRA_ACCOUNT_MONTHLY_CENTS,
      csrf: csrfField(secret, session.serialNumberId, 'wizard-accounts'),
      action: `/wizard/accounts?lang=${lang}`,
    });
  }
}
