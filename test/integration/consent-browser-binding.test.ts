import { ActivationLink, Consent, ConsentAttempt, Onboarding } from '../../db/entities';
import { createTenant } from '../support/api-fixture';
import { eventually } from '../support/eventually';
import { serialMailedTo } from '../support/mail';
import { onboardingState, startActivationLinkOnboarding } from '../support/onboarding';
import { consentAtBank } from '../support/sandbox-consent';
import { hiddenField, Visitor } from '../support/visitor';
import { startWorld, type World } from '../support/world';

/**
 * RFC 9700 section 2.1 (issue 12 item 1): the bank's way back links only in the browser that went to the bank. An
 * attacker holding a link or serial number starts the consent (visitor A) and sends the bank's page to a victim,
 * whose browser (visitor B, its own cookies) comes back with the code: refused, nothing linked, for both flavours.
 */
const IBAN = 'NL69INGB0123456789';

let world: World;

beforeAll(async () => {
  world = await startWorld({ seed: 12 });
});

afterAll(async () => {
  await world?.stop();
});

/** What a refused callback must leave as it was: the attempt unclaimed, no consent stored, the onboarding waiting. */
async function nothingLinked(onboardingId: string, organizationId: string): Promise<void> {
  const em = world.db.orm.em.fork();
  const attempt = await em.findOneOrFail(ConsentAttempt, { onboarding: onboardingId });
  expect([attempt.returnedAt, attempt.codeEncrypted, attempt.error]).toEqual([null, null, null]);
  expect(await em.count(Consent, { organization: organizationId })).toBe(0);
  const onboarding = await em.findOneOrFail(Onboarding, { id: onboardingId });
  expect([onboarding.status, onboarding.connection]).toEqual(['consent_in_progress', null]);
}

const REFUSAL = {
  nl: (bank: string, office: string) => [
    '<h1>Ga verder in de browser waarin u begon</h1>',
    `U bent teruggekomen van ${bank} in een andere browser dan die waarin de koppeling is gestart. Er is niets gekoppeld.`,
    `Ga verder in de browser (op het apparaat) waarin u de koppeling voor ${office} begon`,
  ],
  en: (bank: string, office: string) => [
    '<h1>Continue in the browser where you started</h1>',
    `You came back from ${bank} in a different browser from the one in which the connection was started. Nothing was linked.`,
    `Continue in the browser (on the device) where you started the connection for ${office}`,
  ],
};

function expectRefusalPage(html: string, sentences: string[]): void {
  for (const sentence of sentences) expect(html).toContain(sentence);
}

test('activation link: refused in another browser, nothing linked; the browser that started goes on', async () => {
  const office = await createTenant(world.db.orm, 'Administratiekantoor Eigen Browser');
  const { onboardingId, workflowId, link } = await startActivationLinkOnboarding(world, office, {
    email: 'eigenaar@binding.test',
  });
  await eventually(
    async () => (await onboardingState(world, workflowId)).status === 'waiting_for_consent' || undefined,
  );
  const starter = new Visitor(world.baseUrl);
  const toBank = await starter.post(link, { csrf: await starter.csrf(link) });
  expect(toBank.status).toBe(303);
  expect(toBank.headers.getSetCookie().find((c) => c.startsWith('bk_consent='))).toMatch(
    /^bk_consent=[A-Za-z0-9_-]{43}; Max-Age=1800; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
  );
  const callback = await consentAtBank(new URL(toBank.headers.get('location')!), 'ing-owner', [IBAN]);

  const victim = await new Visitor(world.baseUrl).follow(callback.toString());
  expect(victim.response.status).toBe(403);
  expectRefusalPage(await victim.response.text(), REFUSAL.nl('ING', 'Administratiekantoor Eigen Browser'));
  await nothingLinked(onboardingId, office.organizationId);
  expect((await onboardingState(world, workflowId)).status).toBe('consent_in_progress');
  expect((await world.db.orm.em.fork().findOneOrFail(ActivationLink, { onboarding: onboardingId })).usedAt).toBeNull();

  const own = await starter.follow(callback.toString());
  expect(own.response.status).toBe(200);
  expect(await own.response.text()).toContain('<h1>Gelukt</h1>');
  expect(await world.db.orm.em.fork().count(Consent, { organization: office.organizationId })).toBe(1);
});

test('wizard: refused in another browser, nothing linked; the browser that started goes on to Accounts', async () => {
  const office = await createTenant(world.db.orm, 'Administratiekantoor Eigen Wizard');
  const answer = await fetch(`${world.baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      flavour: 'serial',
      environmentId: office.mainEnvironmentId,
      bank: 'INGB',
      client: { kvkNumber: '68750110', email: 'wizard@binding.test' },
    }),
  });
  expect(answer.status).toBe(201);
  const { id: onboardingId } = (await answer.json()) as { id: string };
  const { serial } = await serialMailedTo(world, 'wizard@binding.test');

  const starter = new Visitor(world.baseUrl);
  const steps: Array<[string, Record<string, string>, string]> = [
    ['/wizard/details', { kvkNumber: '68750110', serial, action: 'next' }, '/wizard/terms?lang=nl'],
    ['/wizard/terms', { insideBusiness: 'no', acceptTerms: 'yes', acceptPrivacy: 'yes' }, '/wizard/connection?lang=nl'],
    ['/wizard/connection', { name: 'Anna de Vries', email: 'anna@boekhouder.test' }, '/wizard/consent?lang=nl'],
  ];
  for (const [path, fields, next] of steps) {
    const csrf = hiddenField(await (await starter.get(path)).text(), 'csrf');
    const posted = await starter.post(path, { csrf, ...fields });
    expect([path, posted.status, posted.headers.get('location')]).toEqual([path, 303, next]);
  }
  const toBank = await starter.post('/wizard/consent', { csrf: await starter.csrf('/wizard/consent') });
  expect(toBank.status).toBe(303);
  const callback = await consentAtBank(new URL(toBank.headers.get('location')!), 'ing-owner', [IBAN]);

  const victim = await new Visitor(world.baseUrl, { 'accept-language': 'en-GB,en;q=0.9' }).follow(callback.toString());
  expect(victim.response.status).toBe(403);
  expectRefusalPage(await victim.response.text(), REFUSAL.en('ING', 'Administratiekantoor Eigen Wizard'));
  await nothingLinked(onboardingId, office.organizationId);

  const own = await starter.get(callback.toString());
  expect([own.status, own.headers.get('location')]).toEqual([303, '/wizard/accounts?lang=nl']);
  expect(await world.db.orm.em.fork().count(Consent, { organization: office.organizationId })).toBe(1);
});
