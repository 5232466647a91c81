import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Onboarding, SerialNumber, type IOnboarding } from '../../../db/entities';
import type { Language } from '../../../templates/render';
import type { ApiServices } from '../../services';
import { csrfValid, type CsrfPurpose } from '../csrf';
import { isPastConsent } from '../../../domain/onboarding';
import { pageLanguage, sendPage, type WizardUnusableKind } from '../pages';
import { fieldMessage, type FieldMessage } from '../wizard-text';
import { readWizardSession, type WizardSession } from '../wizard-session';

export interface Limits {
  read: RequestHandler;
  write: RequestHandler;
  lookup: RequestHandler;
}

export type WizardContext = ReturnType<typeof createWizardContext>;

/** What every step shares: the services, the cookie settings, the form parsers and the checks before a step. */
export function createWizardContext(services: ApiServices, log: Logger, limits: Limits) {
  const secure = services.publicBaseUrl.startsWith('https:');
  const cipher = services.cookieCipher;
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 });
  const accountsForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 200 });

  /** The session and its onboarding, checked for a POST's CSRF field; otherwise the page that says why not. */
  async function sessionOnboarding(
    req: Request,
    res: Response,
    purpose?: CsrfPurpose,
  ): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const session = readWizardSession(req, cipher, secure);
    if (!session) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    if (purpose && !csrfValid(req, secure, session.serialNumberId, purpose)) {
      problem(req, res, 'csrf');
      return null;
    }
    const onboarding = await services.orm.em
      .fork()
      .findOne(Onboarding, { id: session.onboardingId }, { populate: ['organization'] });
    if (!onboarding) {
      unusable(req, res, 'no-session', null);
      return null;
    }
    return { session, onboarding };
  }

  /**
   * The terms, Connection and Bank consent steps: a session whose serial number still works, before the consent;
   * after it, on to the Accounts step. `accepted`: the step comes after the terms, so sends the client back to them.
   */
  async function currentStep(
    req: Request,
    res: Response,
    options: { purpose?: CsrfPurpose; accepted: boolean },
  ): Promise<{ session: WizardSession; onboarding: IOnboarding } | null> {
    const found = await sessionOnboarding(req, res, options.purpose);
    if (!found) return null;
    const lang = pageLanguage(req);
    if (isPastConsent(found.onboarding.status)) {
      res.redirect(303, `/wizard/accounts?lang=${lang}`);
      return null;
    }
    const serial = await services.orm.em.fork().findOne(SerialNumber, { id: found.session.serialNumberId });
    const kind: WizardUnusableKind | null =
      !serial || serial.revokedAt || serial.expiresAt.getTime() <= Date.now()
        ? 'expired'
        : serial.lockedAt
          ? 'locked'
          : null;
    if (kind) {
      unusable(req, res, kind, null);
      return null;
    }
    if (options.accepted && !found.session.accepted) {
      res.redirect(303, `/wizard/terms?lang=${lang}`);
      return null;
    }
    return found;
  }

  async function pastConsent(session: WizardSession): Promise<boolean> {
    const onboarding = await services.orm.em
      .fork()
      .findOne(Onboarding, { id: session.onboardingId }, { fields: ['status'] });
    return !!onboarding && isPastConsent(onboarding.status);
  }

  return {
    services,
    log,
    limits,
    secure,
    cipher,
    form,
    accountsForm,
    sessionOnboarding,
    currentStep,
    pastConsent,
  };
}

export function unusable(req: Request, res: Response, kind: WizardUnusableKind, reason: string | null): void {
  const lang = pageLanguage(req);
  sendPage(req, res, kind === 'no-session' ? 400 : 410, 'wizard-unusable', {
    kind,
    reason,
    startUrl: `/wizard?lang=${lang}`,
  });
}

export function problem(req: Request, res: Response, kind: 'csrf'): void {
  sendPage(req, res, 403, 'problem', { kind, retryUrl: `/wizard?lang=${pageLanguage(req)}` });
}

/** Every field named, null where it is fine: the strict templates never meet a missing key. */
export function messages<F extends string>(
  fieldNames: readonly F[],
  errors: Partial<Record<F, FieldMessage>>,
  lang: Language,
): Record<F, string | null> {
  return Object.fromEntries(fieldNames.map((f) => [f, errors[f] ? fieldMessage(errors[f]!, lang) : null])) as Record<
    F,
    string | null
  >;
}

export function fields(req: Request): Record<string, string | undefined> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/** The workflow refused the Update in its validator: its reason in words; anything else is not a refusal. */
export function refusalReason(error: unknown): string | null {
  if ((error as Error)?.name === 'WorkflowNotFoundError') return 'the onboarding has ended';
  if (error instanceof WorkflowUpdateFailedError) return (error.cause as Error | undefined)?.message ?? error.message;
  return null;
}
