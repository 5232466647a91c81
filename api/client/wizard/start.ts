import type { Router } from 'express';
import { pageLanguage, sendPage } from '../pages';
import { progress } from '../wizard-text';
import type { WizardContext } from './context';

/** The first page: what the wizard will ask, and the way in. */
export function startStep(router: Router, { limits }: WizardContext): void {
  router.get('/', limits.read, (req, res) => {
    const lang = pageLanguage(req);
    const startUrl = `/wizard/details?lang=${lang}`;
    sendPage(req, res, 200, 'wizard-start', { steps: progress('details', lang), startUrl });
  });
}
