import { randomBytes, randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { verifySerial } from '../../api/client/serial-check';
import { ActivationLink, Onboarding, SerialNumber } from '../../db/entities';
import { createTokenCipher } from '../../db/token-cipher';
import { tokenHash } from '../../domain/activation-token';
import { createKeyring, type Keyring } from '../../domain/secret-keys';
import { createKvkClient } from '../../kvk/client';
import { createTenant, type Tenant } from '../support/api-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Issue 12: rotating SECRETS_KEY (the old one moved to SECRETS_KEY_PREVIOUS) must not orphan what was issued under
 * the old key: a serial number a client already holds is still found with its KvK number, and a reminder for an
 * activation link already mailed carries the same address, which the client pages still find.
 */
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const KVK = '68750110';

let db: TestDatabase;
let office: Tenant;
const sent: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  office = await createTenant(db.orm, 'Kantoor Sleutelwissel');
});

afterAll(async () => {
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
