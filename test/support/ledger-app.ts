import { must } from '@ledger/invariant';
import type { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadAppConfig } from '@ledger/config';
import type { SqlDatabase } from '@ledger/database';
import { SqlEventStore } from '@ledger/event-store/sql';
import { READ_MODELS_PROJECTOR, waitForPosition } from '@ledger/read-models';
import type { Runtime } from '@ledger/runtime';
import { lastCommittedPosition, type DatabaseFactory } from '@ledger/testing';
import { grantRoles, isRejected, totpCode, type Clock, type Role } from '@ledger/identity';
import { NOTIFIER, codeInMessage, type EmailMessage, type Notifier } from '@ledger/notifications';
import { createApp, startServing, type CreateAppOptions } from '../../apps/api/src/app.factory';

export const PASSWORD = 'correct horse battery staple 42';

export interface LedgerTestApp {
  readonly app: INestApplication;
  readonly db: SqlDatabase;
  readonly store: SqlEventStore;
  /** The service's environment; the two secrets are always set. */
  readonly env: Readonly<Record<string, string>> & {
    readonly LEDGER_JWT_SECRET: string;
    readonly LEDGER_IDENTITY_DATA_KEY: string;
  };
  /** Every e-mail the service sent, oldest first: verification codes are read here. */
  readonly emails: EmailMessage[];
  http(): ReturnType<typeof request>;
  /** Waits until the read models have applied everything in the log. */
  settle(): Promise<void>;
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole service (API, worker loops, identity) in one process, as
 * `npm start` runs it, on a fresh database from `factory`.
 */
export async function startLedgerApp(
  factory: DatabaseFactory,
  extraEnv: Record<string, string> = {},
  clock?: Clock,
  options: Pick<CreateAppOptions, 'logDestination'> = {},
): Promise<LedgerTestApp> {
  const database = await factory.create();
  const store = new SqlEventStore(database.db);
  const env = {
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-')),
    LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    HTTP_BODY_LIMIT_BYTES: '16384',
    ...extraEnv,
  };
  const runtime: Runtime = {
    config: loadAppConfig(env),
    db: database.db,
    store,
    close: async () => undefined,
  };
  const app = await createApp(runtime, { logger: false, env, clock, ...options });
  await startServing(app);
  const http = () => request(app.getHttpServer());
  return {
    app,
    db: database.db,
    store,
    env,
    emails: captureEmails(app.get<Notifier>(NOTIFIER)),
    http,
    settle: async () => {
      const last = await lastCommittedPosition(database.db);
      if (!last) return;
      if (!(await waitForPosition(database.db, READ_MODELS_PROJECTOR, last, 10_000))) {
        throw new Error('Read models did not catch up');
      }
    },
    eventCount: async () =>
      Number(
        must(
          (await database.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0],
          'count row',
        ).n,
      ),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

export interface TestUser {
  readonly userId: string;
  readonly email: string;
  readonly token: string;
  readonly auth: string;
}

export async function signUp(
  t: LedgerTestApp,
  options: { email?: string; currency?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `user-${randomUUID()}@example.com`;
  const res = await t
    .http()
    .post('/auth/signup')
    .send({ email, password: PASSWORD, name: 'Test User', currency: options.currency ?? 'EUR' });
  if (res.status !== 201)
    throw new Error(`Sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    userId: res.body.userId,
    email,
    token: res.body.accessToken,
    auth: `Bearer ${res.body.accessToken}`,
  };
}

/** Records each e-mail on its way out; the service's own notifier still renders it. */
export function captureEmails(notifier: Notifier): EmailMessage[] {
  const sent: EmailMessage[] = [];
  const send = notifier.sendEmail.bind(notifier);
  notifier.sendEmail = (message) => {
    sent.push(message);
    return send(message);
  };
  return sent;
}

/**
 * Verifies the user's e-mail as they would: asks for a code and types back
 * the one e-mailed. An address already verified (an admin) stays as it is.
 */
export async function verifyEmail(t: LedgerTestApp, user: TestUser): Promise<void> {
  const asked = await t.http().post('/me/email/verification').set('Authorization', user.auth);
  if (asked.status === 409 && asked.body.error === 'email_already_verified') return;
  if (asked.status !== 204)
    throw new Error(`Verification request failed: ${asked.status} ${JSON.stringify(asked.body)}`);
  // The newest e-mail with a code: a movement's notification may arrive in between.
  const code = [...t.emails]
    .reverse()
    .filter((m) => m.to === user.email)
    .map((m) => codeInMessage(m.text))
    .find((c) => c !== undefined);
  await t
    .http()
    .post('/me/email/verify')
    .set('Authorization', user.auth)
    .send({ code })
    .expect(204);
}

/** A clock the test moves by hand, as `ManualClock` does. */
interface SteppedClock extends Clock {
  advanceSeconds(seconds: number): void;
}

/**
 * Enrols the user in TOTP 2FA and confirms it with the first code, as the
 * app does. Answers the code of the clock's current 30-second window: a
 * code is good once, so a test advances the clock before it needs the next.
 */
export async function enrolTwoFactor(
  t: Pick<LedgerTestApp, 'http'>,
  user: TestUser,
  clock: SteppedClock,
): Promise<() => Promise<string>> {
  const enrolment = await t.http().post('/me/2fa/enrol').set('Authorization', user.auth);
  if (enrolment.status !== 200) throw new Error(`2FA enrolment failed: ${enrolment.status}`);
  const secret = enrolment.body.secret as string;
  const code = () => totpCode(secret, Math.floor(clock.now() / 1000));
  const confirmed = await t
    .http()
    .post('/me/2fa/confirm')
    .set('Authorization', user.auth)
    .send({ code: await code() });
  if (confirmed.status !== 200) throw new Error(`2FA confirm failed: ${confirmed.status}`);
  return code;
}

/** Links a bank account as a payout destination with a fresh 2FA code; answers the response. */
export async function linkBankAccount(
  t: Pick<LedgerTestApp, 'http'>,
  user: TestUser,
  code: string,
  account: { providerRef: string; label: string } = {
    providerRef: 'ba_test_123',
    label: 'Main account',
  },
) {
  return t
    .http()
    .post('/payout-destinations')
    .set('Authorization', user.auth)
    .set('Idempotency-Key', key())
    .set('X-2FA-Code', code)
    .send({ type: 'bank_account', ...account });
}

/**
 * A verified user made admin the way the operator does it (the function
 * behind `npm run admin:grant`), logged in again so the session is fresh.
 */
export async function adminUser(t: LedgerTestApp, roles: Role[] = ['admin']): Promise<TestUser> {
  const user = await signUp(t);
  await verifyEmail(t, user);
  const dataKey = Buffer.from(t.env.LEDGER_IDENTITY_DATA_KEY, 'base64');
  const granted = await grantRoles({ db: t.db, store: t.store, dataKey }, user.email, roles);
  if (isRejected(granted)) throw new Error(`Grant refused: ${granted.rejected}`);
  return logIn(t, user);
}

async function logIn(t: LedgerTestApp, user: TestUser): Promise<TestUser> {
  const login = await t.http().post('/auth/login').send({ email: user.email, password: PASSWORD });
  return { ...user, token: login.body.accessToken, auth: `Bearer ${login.body.accessToken}` };
}

/** A verified user with the given roles, granted by an admin; logs in again so the token carries them. */
export async function staffUser(
  t: LedgerTestApp,
  admin: TestUser,
  roles: string[],
): Promise<TestUser> {
  const user = await signUp(t);
  await verifyEmail(t, user);
  const res = await t
    .http()
    .put(`/admin/users/${user.userId}/roles`)
    .set('Authorization', admin.auth)
    .send({ roles });
  if (res.status >= 300)
    throw new Error(`Role change failed: ${res.status} ${JSON.stringify(res.body)}`);
  return logIn(t, user);
}

export const key = () => randomUUID();
