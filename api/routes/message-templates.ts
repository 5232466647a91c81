import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  BANK_ACTIVATION_VARIABLES,
  MESSAGE_TEMPLATE_BODY_MAX,
  MESSAGE_TEMPLATE_KINDS,
  MESSAGE_TEMPLATE_SUBJECT_MAX,
  type MessageTemplateKind,
} from '../../domain/message-template';
import { MessageTemplate } from '../../db/entities';
import { bankActivationTemplateProblems } from '../../templates/message-template';
import { emailTemplateSource, LANGUAGES, type Language } from '../../templates/render';
import { recordAudit } from '../audit';
import { Problem } from '../problem';
import { defineRoute } from '../route';

/*
 * Message templates (R-A6): the "bank activation message" that carries the activation link. An organization can
 * make its own per language; without one the built-in message (templates/emails/onboarding-activation.*.hbs)
 * is used. Reminders repeat the same message with "Herinnering: " / "Reminder: " before the subject.
 */

/** Each kind's built-in template file. */
const BUILT_IN: Record<MessageTemplateKind, string> = { 'bank-activation': 'onboarding-activation' };

const KindParams = z.object({
  kind: z.enum(MESSAGE_TEMPLATE_KINDS, { error: `must be one of ${MESSAGE_TEMPLATE_KINDS.join(', ')}` }),
});

const PutTemplate = z
  .object({
    language: z.enum(LANGUAGES),
    subject: z
      .string()
      .min(1)
      .max(MESSAGE_TEMPLATE_SUBJECT_MAX)
      .describe('one line; may use the variables, not {{activationUrl}}'),
    body: z.string().min(1).max(MESSAGE_TEMPLATE_BODY_MAX).describe('plain text; must contain {{activationUrl}}'),
  })
  .strict()
  .meta({ id: 'PutMessageTemplate' });

const TemplateView = z
  .object({
    language: z.enum(LANGUAGES),
    subject: z.string(),
    body: z.string(),
    isDefault: z
      .boolean()
      .describe('true: the built-in message, used because the organization has none of its own in this language'),
    updatedAt: z.iso.datetime().nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'MessageTemplate' });

const TemplateSet = z
  .object({
    kind: z.enum(MESSAGE_TEMPLATE_KINDS),
    variables: z
      .array(z.string())
      .describe('what a template may use, as {{name}}; {{#if name}} and {{#unless name}} are allowed too'),
    templates: z.array(TemplateView),
  })
  .meta({ id: 'MessageTemplateSet' });

const DeleteQuery = z.object({
  language: z.enum(LANGUAGES).optional().describe('only this language; both when left out'),
});

async function templateSet(
  em: EntityManager,
  organizationId: string,
  kind: MessageTemplateKind,
): Promise<z.infer<typeof TemplateSet>> {
  const own = await em.find(MessageTemplate, { organization: organizationId, kind });
  return {
    kind,
    variables: [...BANK_ACTIVATION_VARIABLES],
    templates: LANGUAGES.map((language: Language) => {
      const row = own.find((t) => t.language === language);
      if (row)
        return {
          language,
          subject: row.subject,
          body: row.body,
          isDefault: false,
          updatedAt: row.updatedAt.toISOString(),
          updatedBy: row.updatedBy,
        };
      return {
        language,
        ...emailTemplateSource(BUILT_IN[kind], language),
        isDefault: true,
        updatedAt: null,
        updatedBy: null,
      };
    }),
  };
}

export const messageTemplateRoutes = [
  defineRoute({
    method: 'get',
    path: '/message-templates/{kind}',
    summary: "The bank activation message (R-A6) per language: the organization's own, or the built-in default",
    tag: 'Message templates',
    permission: 'read',
    params: KindParams,
    responses: { 200: { description: 'Both languages', schema: TemplateSet } },
    handler: async ({ em, auth, params }) => ({
      status: 200,
      body: await templateSet(em, auth.organizationId, params.kind),
    }),
  }),
  defineRoute({
    method: 'put',
    path: '/message-templates/{kind}',
    summary: "Set the organization's own bank activation message in one language (admin); checked before it is stored",
    tag: 'Message templates',
    permission: 'admin',
    params: KindParams,
    body: PutTemplate,
    responses: {
      200: { description: 'Stored; both languages as they now apply', schema: TemplateSet },
      400: { description: 'The template names the fields it cannot use' },
    },
    handler: async ({ em, auth, params, body }) => {
      const problems = bankActivationTemplateProblems(body);
      if (problems.length) throw Problem.validation(problems);
      const existing = await em.findOne(MessageTemplate, {
        organization: auth.organizationId,
        kind: params.kind,
        language: body.language,
      });
      const by = `api-key:${auth.apiKeyId}`;
      const row =
        existing ??
        em.create(MessageTemplate, {
          organization: auth.organizationId,
          kind: params.kind,
          language: body.language,
          subject: body.subject,
          body: body.body,
          updatedBy: by,
        });
      row.subject = body.subject;
      row.body = body.body;
      row.updatedBy = by;
      recordAudit(
        em,
        auth,
        existing ? 'message-template.updated' : 'message-template.created',
        { type: 'MessageTemplate', entity: row },
        { kind: params.kind, language: body.language },
      );
      await em.flush();
      return { status: 200, body: await templateSet(em.fork(), auth.organizationId, params.kind) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/message-templates/{kind}',
    summary: 'Go back to the built-in bank activation message (admin), in one language or both',
    tag: 'Message templates',
    permission: 'admin',
    params: KindParams,
    query: DeleteQuery,
    responses: { 200: { description: 'Both languages as they now apply', schema: TemplateSet } },
    handler: async ({ em, auth, params, query }) => {
      const rows = await em.find(MessageTemplate, {
        organization: auth.organizationId,
        kind: params.kind,
        ...(query.language ? { language: query.language } : {}),
      });
      for (const row of rows) {
        recordAudit(
          em,
          auth,
          'message-template.deleted',
          { type: 'MessageTemplate', entity: row },
          { kind: params.kind, language: row.language },
        );
        em.remove(row);
      }
      await em.flush();
      return { status: 200, body: await templateSet(em.fork(), auth.organizationId, params.kind) };
    },
  }),
];
