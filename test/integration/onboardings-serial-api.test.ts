import { EmailMessage, SerialNumber } from '../../db/entities';
import { parseSerialNumber } from '../../domain/serial-number';
import { reportSerialLocked, verifySerial } from '../../api/client/serial-check';
import { claimSerialUpdate } from '../../workflows/onboarding/contract';
import { callApi, createTenant, type ApiAnswer, type Tenant } from '../support/api-fixture';
import { startWorld, type World } from '../support/world';
import { serialMailedTo } from '../support/mail';
import { eventually } from '../support/eventually';
import { decodedHistory, historyText } from '../support/history';

/**
 * The serial flavour through the staff API (issue 7 item 1; R-V6, R-V7, R-V9) with the real worker, PostgreSQL,
 * the SMTP sink and the sandbox KvK; the wizard's serial + KvK check (api/client/serial-check.ts) against the
 * same database.
 */
let world: World;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld({ seed: 12 });
  office = await createTenant(world.db.orm, 'Administratiekantoor Serienummer');
});

afterAll(async () => {
  await world?.stop();
});

function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
  return callApi(world.baseUrl, method, path, office.keys.staff, body);
}

async function startSerial(kvkNumber: string, email: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await call('POST', '/api/onboardings', {
    flavour: 'serial',
    environmentId: office.mainEnvironmentId,
    bank: 'INGB',
    client: { kvkNumber, email },
    language: 'nl',
    ...extra,
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ flavour: 'serial', status: 'preparing', currentStep: 'prepare' });
  return created.body.id;
}

async function detailWhen(
  id: string,
  predicate: (body: { [key: string]: unknown }) => boolean,
): Promise<ApiAnswer['body']> {
  return eventually(async () => {
    const answer = await call('GET', `/api/onboardings/${id}`);
    expect(answer.status).toBe(200);
    return predicate(answer.body) ? answer.body : undefined;
  });
}

const check = (serial: string, kvkNumber: string) =>
  verifySerial(world.db.orm.em.fork(), world.deps.tokenCipher, { serial, kvkNumber });

test('R-V6, R-V7: POST with flavour "serial" answers 201 preparing; the e-mail carries the serial number and the wizard link; GET reads it back; it rests nowhere in plain text', async () => {
  const id = await startSerial('68750110', 'eigenaar@donald.test');
  const mail = await serialMailedTo(world, 'eigenaar@donald.test');
  expect(mail.text).toContain(`${world.baseUrl}/wizard`);
  expect(mail.text).toContain('Test BV Donald');
  expect(mail.text).toContain('68750110');
  expect(mail.text).toContain('ongeveer 2 minuten');
  expect(mail.text).toContain('Administratiekantoor Serienummer');

  const detail = await detailWhen(
    id,
    (body) =>
      body.status === 'waiting_for_consent' && (body.emails as { status: string }[]).every((e) => e.status === 'sent'),
  );
  expect(detail).toMatchObject({
    flavour: 'serial',
    serialNumber: mail.serial,
    serialNumberLocked: false,
    currentStep: 'wait_for_consent',
  });
  expect(detail.emails).toEqual([
    { template: 'onboarding-serial', to: 'eigenaar@donald.test', status: 'sent', sentAt: expect.any(String) },
  ]);

  const em = world.db.orm.em.fork();
  const [row] = await em.find(SerialNumber, { onboarding: id });
  expect(row!.numberHash).toMatch(/^[0-9a-f]{64}$/);
  expect(row!.numberEncrypted).not.toContain(parseSerialNumber(mail.serial));
  expect(row!.expiresAt.toISOString()).toBe(detail.consentDeadline);
  const outbox = await em.find(EmailMessage, { idempotencyKey: { $like: `onboarding:${id}:%` } });
  expect(outbox).toHaveLength(1);
  expect(outbox[0]!.text).toContain('[[serialNumber]]');
  expect(outbox[0]!.text + outbox[0]!.html).not.toContain(mail.serial);
  // The workflow's history holds ids only, even decoded (its payloads are encrypted: test/support/history.ts).
  const history = historyText(
    await decodedHistory(await world.env.client.workflow.getHandle(`onboarding:${id}`).fetchHistory()),
  );
  expect(history).toContain(`"onboardingId":"${id}"`);
  expect(history).not.toContain(mail.serial);
  expect(history).not.toContain(parseSerialNumber(mail.serial));

  // The wizard's check: only together with the matching KvK number; typed loosely is fine.
  expect(await check(mail.serial.toLowerCase().replace(/-/g, ' '), '68750110')).toEqual({
    ok: true,
    serialNumberId: row!.id,
    onboardingId: id,
    organizationId: office.organizationId,
  });
  expect(await check('ABCD-EFGH-JKMN', '68750110')).toEqual({ ok: false, reason: 'unknown' });
});

test("R-V9: the bank account's detail shows the serial number of its open serial onboarding", async () => {
  const account = await call('POST', '/api/bank-accounts', {
    environmentId: office.mainEnvironmentId,
    journalId: office.journalId,
    name: 'ABN AMRO zakelijk',
    type: 'current',
    iban: 'NL91ABNA0417164300',
    ledgerAccount: '1100',
  });
  expect(account.status).toBe(201);
  // The ING serial onboarding of the first test (no bankAccountIds: the whole environment at ING) is not this account's.
  expect((await call('GET', `/api/bank-accounts/${account.body.id}`)).body.serialNumber).toBeNull();
  const id = await startSerial('69599084', 'boekhouding@huttenkloas.test', {
    bank: 'ABNA',
    bankAccountIds: [account.body.id],
  });
  const mail = await serialMailedTo(world, 'boekhouding@huttenkloas.test');
  await detailWhen(id, (body) => body.serialNumber === mail.serial);
  const shown = await call('GET', `/api/bank-accounts/${account.body.id}`);
  expect(shown.status).toBe(200);
  expect(shown.body).toMatchObject({ name: 'ABN AMRO zakelijk', serialNumber: mail.serial });
  // The list stays as it was.
  const list = await call('GET', '/api/bank-accounts');
  expect(list.body.items[0]).not.toHaveProperty('serialNumber');
});

test('R-V7: five wrong KvK numbers lock the serial number, the sixth try is refused even with the right one, the claim is refused; staff resend a new one that works', async () => {
  const id = await startSerial('68727720', 'directie@mickey.test');
  const first = await serialMailedTo(world, 'directie@mickey.test');
  await detailWhen(id, (body) => body.status === 'waiting_for_consent');

  const tries = [];
  for (const [i, wrong] of ['68750110', '69599084', '69599068', '69599076', '55344526'].entries()) {
    tries.push(await check(first.serial, wrong));
    // The same wrong number again (a double click, a resubmitted form) is not counted twice; the fifth locks anyway.
    if (i < 4) expect(await check(first.serial, wrong)).toMatchObject({ reason: 'kvk_mismatch', attemptsLeft: 4 - i });
  }
  expect(tries.map((t) => (t.ok ? 'ok' : `${t.reason}:${t.attemptsLeft}`))).toEqual([
    'kvk_mismatch:4',
    'kvk_mismatch:3',
    'kvk_mismatch:2',
    'kvk_mismatch:1',
    'kvk_mismatch:0',
  ]);
  expect(tries[4]).toMatchObject({ lockedNow: true, onboardingId: id });
  expect(await check(first.serial, '68727720')).toMatchObject({ ok: false, reason: 'locked' });
  await reportSerialLocked(world.env.client, tries[4]!);
  const serialNumberId = (tries[4] as { serialNumberId: string }).serialNumberId;
  await expect(
    world.env.client.workflow
      .getHandle(`onboarding:${id}`)
      .executeUpdate(claimSerialUpdate, { args: [{ serialNumberId }] }),
  ).rejects.toMatchObject({
    cause: { message: 'this serial number is locked after five wrong tries; ask the accounting office for a new one' },
  });
  expect(await detailWhen(id, () => true)).toMatchObject({ serialNumber: first.serial, serialNumberLocked: true });

  const resent = await call('POST', `/api/onboardings/${id}/resend`);
  expect(resent.status).toBe(200);
  const second = await serialMailedTo(world, 'directie@mickey.test', 2);
  expect(second.serial).not.toBe(first.serial);
  expect(await detailWhen(id, () => true)).toMatchObject({
    serialNumber: second.serial,
    serialNumberLocked: false,
    status: 'waiting_for_consent',
  });
  expect(await check(first.serial, '68727720')).toMatchObject({ ok: false, reason: 'locked' });
  const fresh = await check(second.serial, '68727720');
  expect(fresh).toMatchObject({ ok: true, onboardingId: id });
  const claimed = await world.env.client.workflow.getHandle(`onboarding:${id}`).executeUpdate(claimSerialUpdate, {
    args: [{ serialNumberId: (fresh as { serialNumberId: string }).serialNumberId }],
  });
  expect(claimed.onboardingId).toBe(id);
});

test('parallel wrong tries cannot pass the limit: ten at once count five and lock it', async () => {
  const id = await startSerial('69599068', 'info@goofy.test');
  const mail = await serialMailedTo(world, 'info@goofy.test');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => check(mail.serial, String(10_000_001 + i))));
  expect(results.filter((r) => !r.ok && r.reason === 'kvk_mismatch')).toHaveLength(5);
  expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(5);
  expect(results.filter((r) => !r.ok && r.lockedNow)).toHaveLength(1);
  const [row] = await world.db.orm.em.fork().find(SerialNumber, { onboarding: id });
  expect(row!.failedAttempts).toBe(5);
  expect(row!.lockedAt).not.toBeNull();
});

test("a cancelled onboarding's serial number no longer works and no longer shows", async () => {
  const id = await startSerial('69599076', 'eigenaar@donaldduck.test');
  const mail = await serialMailedTo(world, 'eigenaar@donaldduck.test');
  await detailWhen(id, (body) => body.status === 'waiting_for_consent');
  expect((await call('POST', `/api/onboardings/${id}/cancel`)).status).toBe(200);
  expect(await check(mail.serial, '69599076')).toMatchObject({ ok: false, reason: 'expired' });
  expect(await detailWhen(id, (body) => body.status === 'cancelled')).toMatchObject({
    serialNumber: null,
    serialNumberLocked: false,
  });
});
