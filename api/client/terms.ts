import { type RequestHandler, Router } from 'express';
import { EXTRA_ACCOUNT_MONTHLY_CENTS, FREE_LINKED_ACCOUNTS } from '../../domain/account-choice';
import { pageLanguage, sendPage } from './pages';
import { formatEuro } from './wizard-text';

/**
 * Our terms of service and privacy statement, in Dutch and English: what the wizard links when an office has none
 * of its own (organization.terms_url, organization.privacy_url).
 */
export function termsPages(limit: RequestHandler): Router {
  const router = Router();
  router.get('/terms', limit, (req, res) => {
    const extraAccountCost = formatEuro(EXTRA_ACCOUNT_MONTHLY_CENTS, pageLanguage(req));
    sendPage(req, res, 200, 'terms', { freeAccounts: FREE_LINKED_ACCOUNTS, extraAccountCost });
  });
  router.get('/privacy', limit, (req, res) => {
    sendPage(req, res, 200, 'privacy', {});
  });
  return router;
}
