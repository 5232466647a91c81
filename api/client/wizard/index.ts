import { Router } from 'express';
import type { Logger } from 'pino';
import type { ApiServices } from '../../services';
import { accountsStep } from './accounts';
import { connectionStep } from './connection';
import { consentStep } from './consent';
import { createWizardContext, type Limits } from './context';
import { detailsStep } from './details';
import { doneStep } from './done';
import { startStep } from './start';
import { termsStep } from './terms';

/**
 * The serial-number wizard (R-V6, R-V8..R-V13; DESIGN.md "Client pages"): five server-rendered steps that work
 * without JavaScript. Every POST answers 303: to the next step, or back to its own page, which shows the refused
 * form's messages (api/client/form-flash.ts); so a reload or Back never sends a form again. The side effects go
 * through the onboarding workflow's Updates, whose validators have the last word.
 */
export function createWizardRouter(services: ApiServices, log: Logger, limits: Limits): Router {
  const router = Router();
  const wizard = createWizardContext(services, log, limits);

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });

  startStep(router, wizard);
  detailsStep(router, wizard);
  termsStep(router, wizard);
  connectionStep(router, wizard);
  consentStep(router, wizard);
  accountsStep(router, wizard);
  doneStep(router, wizard);
  return router;
}
