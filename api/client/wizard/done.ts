import type { Router } from 'express';
import { extraMonthlyCostCents, isLinked } from '../../../domain/account-choice';
import { bankName } from '../../../domain/bank';
import { formatIban } from '../../../domain/iban';
import { pageLanguage, sendPage } from '../pages';
import { formatEuro, progress } from '../wizard-text';
import { isPastConsent } from '../../../domain/onboarding';
import type { WizardContext } from './context';

/** Step 5 (R-V13): what was linked, what it costs, and whether the first transactions are in. */
export function doneStep(router: Router, { limits, sessionOnboarding }: WizardContext) {
  router.get('/done', limits.read, async (req, res) => {
    const lang = pageLanguage(req);
    const found = await sessionOnboarding(req, res);
    if (!found) return;
    const { session, onboarding } = found;
    if (!isPastConsent(onboarding.status)) return void res.redirect(303, `/wizard/consent?lang=${lang}`);
    if (onboarding.status === 'choosing_accounts') return void res.redirect(303, `/wizard/accounts?lang=${lang}`);
    const linked = (onboarding.accountChoice ?? session.chosen ?? []).filter(isLinked);
    const names = new Map((onboarding.offeredAccounts ?? []).map((a) => [a.iban, a.name]));
    sendPage(req, res, 200, 'wizard-done', {
      steps: progress('done', lang),
      companyName: session.companyName,
      bankName: bankName(onboarding.bankCode),
      officeName: onboarding.organization.name,
      accounts: linked.map((a) => ({
        name: names.get(a.iban) ?? '',
        iban: formatIban(a.iban),
        transactions: a.importTransactions,
        payments: a.payments,
        directDebit: a.directDebit,
      })),
      count: linked.length,
      extraCost:
        extraMonthlyCostCents(linked.length) > 0 ? formatEuro(extraMonthlyCostCents(linked.length), lang) : null,
      active: onboarding.status === 'active',
    });
  });
}
