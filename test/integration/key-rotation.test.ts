import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { verifySerial } from '../../api/client/serial-check';
import { resealSecrets } from '../../bin/commands/secrets-reseal';
import { productDataConverter } from '../../bin/stack/data-converter';
import { ActivationLink, Consent, Onboarding, SerialNumber } from '../../db/entities';
import { createTokenCipher } from '../../db/token-cipher';
import { tokenHash } from '../../domain/activation-token';
import { createKeyring, type Keyring } from '../../domain/secret-keys';
import { createKvkClient } from '../../kvk/client';
import { createTenant, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { devServerEnvironment } from '../support/temporal';

/**
 * Issue 12: rotating SECRETS_KEY (the old one moved to SECRETS_KEY_PREVIOUS) must not orphan what was issued under
 * the old key: a serial number a client already holds is still found with its KvK number, and a reminder for an
 * activation link already mailed carries the same address, which the client pages still find.
 */
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const KVK = '68750110';

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let office: Tenant;
const sent: string[] = [];

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), devServerEnvironment()]);
  office = await createTenant(db.orm, 'Kantoor Sleutelwissel');
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

function activitiesUnder(keys: Keyring) {
  const mailer = nodemailer.createTransport({ jsonTransport: true });
  const deps = {
    orm: db.orm,
    mailer: { sendMail: async (message: object) => (sent.push(JSON.stringify(message)), mailer.sendMail(message)) },
    mailFrom: 'Bankkoppeling <no-reply@bankkoppeling.test>',
    log: pino({ level: 'silent' }),
    tokenCipher: createTokenCipher(keys),
    activationLinkKeys: keys.derived('activation link').map(({ key }) => key),
    publicBaseUrl: 'http://localhost:3000',
    kvk: createKvkClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sandbox' }),
  } as unknown as ActivityDeps;
  return createActivities(deps);
}

async function onboarding(flavour: 'activation-link' | 'serial'): Promise<string> {
  const em = db.orm.em.fork();
  const id = randomUUID();
  em.create(Onboarding, {
    id,
    organization: office.organizationId,
    flavour,
    bankCode: 'INGB',
    environment: office.mainEnvironmentId,
    kvkNumber: KVK,
    clientEmail: 'eigenaar@donald.test',
    language: 'nl',
    clientCompany: null,
    accountManagerName: null,
    accountManagerEmail: null,
    bankAccountIds: [],
    status: 'waiting_for_consent',
    statusReason: null,
    workflowId: `onboarding:${id}`,
    connection: null,
    consentDeadline: null,
    firstTransactionDeadline: null,
    restartOf: null,
    createdBy: 'test',
    completedAt: null,
  });
  await em.flush();
  return id;
}

const deadline = () => new Date(Date.now() + 86_400_000).toISOString();

test('a serial number issued under the previous key is found, with its KvK number, after the rotation', async () => {
  const onboardingId = await onboarding('serial');
  const { serialNumberId } = await activitiesUnder(createKeyring(OLD)).issueSerialNumber({
    onboardingId,
    deadline: deadline(),
  });
  const row = await db.orm.em.fork().findOneOrFail(SerialNumber, { id: serialNumberId });
  const rotated = createTokenCipher(createKeyring(NEW, OLD));
  const serial = rotated.decrypt(row.numberEncrypted);
  const check = await verifySerial(db.orm.em.fork(), rotated, { serial, kvkNumber: KVK });
  expect(check).toMatchObject({ ok: true, serialNumberId });
  // Once the old key is gone, it is not: the rotation procedure waits until such serial numbers have expired.
  const after = await verifySerial(db.orm.em.fork(), createTokenCipher(createKeyring(NEW)), { serial, kvkNumber: KVK });
  expect(after).toEqual({ ok: false, reason: 'unknown' });
});

test('a reminder for a link issued under the previous key carries the address the client already has', async () => {
  const onboardingId = await onboarding('activation-link');
  const { linkId } = await activitiesUnder(createKeyring(OLD)).issueActivationLink({
    onboardingId,
    deadline: deadline(),
  });
  const stored = await db.orm.em.fork().findOneOrFail(ActivationLink, { id: linkId });
  sent.length = 0;
  await activitiesUnder(createKeyring(NEW, OLD)).sendOnboardingEmail({
    onboardingId,
    kind: 'reminder',
    linkId,
    sequence: 1,
  });
  const token = sent.join('\n').match(/\/connect\/([A-Za-z0-9_-]{43})/)?.[1];
  expect(token && tokenHash(token)).toBe(stored.tokenHash);
});

/** A Temporal client of the product under these keys, beside the test's own. */
function clientUnder(keys: Keyring): Client {
  return new Client({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter: productDataConverter(keys),
  });
}

/** A bank token as sealed before keys were derived: `v1`, AES-256-GCM under the raw SECRETS_KEY. */
function sealedV1(base64Key: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    nonce.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

test('`cli secrets reseal` moves bank tokens, serial numbers and fetch schedules to the current key', async () => {
  const old = createKeyring(OLD);
  const em = db.orm.em.fork();
  const consent = em.create(Consent, {
    organization: office.organizationId,
    bankCode: 'INGB',
    bankConsentId: `reseal-${randomUUID()}`,
    status: 'valid',
    validUntil: null,
    frequencyPerDay: 4,
    accessTokenEncrypted: sealedV1(OLD, 'access-before-derived-keys'),
    refreshTokenEncrypted: createTokenCipher(old).encrypt('refresh-under-old-key'),
    tokenExpiresAt: null,
  });
  await em.flush();
  const onboardingId = await onboarding('serial');
  const { serialNumberId } = await activitiesUnder(old).issueSerialNumber({ onboardingId, deadline: deadline() });
  const serial = createTokenCipher(old).decrypt(
    (await db.orm.em.fork().findOneOrFail(SerialNumber, { id: serialNumberId })).numberEncrypted,
  );
  const scheduleId = `connection:${randomUUID()}:fetch`;
  const input = { connectionId: scheduleId.split(':')[1], trigger: 'schedule' };
  await clientUnder(old).schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'fetchTransactionsWorkflow',
      taskQueue: 'nobody-polls',
      args: [input],
    },
    state: { paused: true },
  });
  const onlyNew = createKeyring(NEW);
  await expect(clientUnder(onlyNew).schedule.getHandle(scheduleId).describe()).rejects.toThrow();

  const said: string[] = [];
  const rotated = createKeyring(NEW, OLD);
  await resealSecrets({ orm: db.orm, temporal: clientUnder(rotated), keys: rotated }, (line) => said.push(line));
  // Two serial numbers: this one and the one the first test issued under the old key.
  expect(said[0]).toMatch(/: 2 bank tokens, 0 consent attempt values, 2 serial numbers\.$/);
  expect(said[1]).toBe('Fetch schedules written again: 1.');

  // Now the old key can go: everything above reads under the new key alone.
  const stored = await db.orm.em.fork().findOneOrFail(Consent, { id: consent.id });
  const cipher = createTokenCipher(onlyNew);
  expect([cipher.decrypt(stored.accessTokenEncrypted!), cipher.decrypt(stored.refreshTokenEncrypted!)]).toEqual([
    'access-before-derived-keys',
    'refresh-under-old-key',
  ]);
  const check = await verifySerial(db.orm.em.fork(), cipher, { serial, kvkNumber: KVK });
  expect(check).toMatchObject({ ok: true, serialNumberId });
  const schedule = await clientUnder(onlyNew).schedule.getHandle(scheduleId).describe();
  expect(schedule.action.type === 'startWorkflow' && schedule.action.args).toEqual([input]);

  // A second run finds nothing left to do.
  said.length = 0;
  await resealSecrets({ orm: db.orm, temporal: clientUnder(rotated), keys: rotated }, (line) => said.push(line));
  expect(said[0]).toMatch(/: 0 bank tokens, 0 consent attempt values, 0 serial numbers\.$/);
});
