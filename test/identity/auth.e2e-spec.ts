/* eslint-disable max-lines -- every identity route family over one running service (starting it
   takes seconds per database). */
import request from 'supertest';
import { sign } from 'jsonwebtoken';
import { RecipientDirectory, signUpWalletCommandId } from '@ledger/identity';
import { databaseFactories } from '@ledger/testing';
import {
  count,
  openedWallets,
  staffSession,
  startIdentityApp,
  ledgerOutage,
  verifyEmail,
  type IdentityTestApp,
} from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
let sequence = 0;
/** A fresh address per test, so tests share one database without sharing accounts. */
const newEmail = () => `user${++sequence}.${Date.now()}@example.com`;

describe.each(databaseFactories())('identity over HTTP on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());
  const signUp = (body: Record<string, unknown>) => http().post('/auth/signup').send(body);
  const login = (email: string, password = PASSWORD) =>
    http().post('/auth/login').send({ email, password });

  beforeAll(async () => {
    t = await startIdentityApp(factory);
  });
  afterAll(() => t?.close());

  describe('sign-up', () => {
    it('creates the account, its wallet and a session', async () => {
      const email = newEmail();
      const res = await signUp({
        email: `  ${email.toUpperCase()} `,
        password: PASSWORD,
        name: 'Ada',
        phone: '+44 20 7946 0958',
        currency: 'EUR',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const { userId } = res.body;
      expect(openedWallets).toContainEqual({
        ownerId: userId,
        currency: 'EUR',
        commandId: signUpWalletCommandId(userId),
        correlationId: undefined,
      });
      const me = await http().get('/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.body).toMatchObject({
        id: userId,
        email,
        name: 'Ada',
        phone: '+442079460958',
        roles: ['customer'],
        defaultCurrency: 'EUR',
      });
    });

    it('retries a wallet that could not be opened at the next login, with the same command id', async () => {
      const email = newEmail();
      ledgerOutage.on = true;
      let signedUp;
      try {
        signedUp = await signUp({ email, password: PASSWORD, currency: 'JPY' });
        await login(email).expect(200);
      } finally {
        ledgerOutage.on = false;
      }
      // The outage did not cost the person their account.
      expect(signedUp.status).toBe(201);
      const { userId } = signedUp.body;
      await login(email).expect(200);
      const attempts = openedWallets.filter((w) => w.ownerId === userId);
      expect(attempts.map((w) => w.commandId)).toEqual(
        Array(3).fill(signUpWalletCommandId(userId)),
      );
      expect(attempts.every((w) => w.currency === 'JPY')).toBe(true);
      await login(email).expect(200);
      expect(openedWallets.filter((w) => w.ownerId === userId)).toHaveLength(3);
    });

    it('keeps personal data encrypted and out of the event log', async () => {
      const email = newEmail();
      const res = await signUp({
        email,
        password: PASSWORD,
        name: 'Grace Hopper',
        phone: '+15555550123',
      });
      const { rows } = await t.db.query('SELECT * FROM identity_users WHERE id = $1', [
        res.body.userId,
      ]);
      const stored = JSON.stringify(rows[0]);
      for (const secret of [email, 'Grace Hopper', '+15555550123', PASSWORD])
        expect(stored).not.toContain(secret);
      const events = JSON.stringify(
        await t.store.readStream(`identity-${res.body.userId}`),
        (_, v) => (typeof v === 'bigint' ? String(v) : v),
      );
      expect(events).toContain('UserSignedUp');
      for (const secret of [email, 'Grace', '5550123', PASSWORD])
        expect(events).not.toContain(secret);
    });

    it.each([
      [{ email: 'not-an-email', password: PASSWORD }, 400, 'email_invalid'],
      [{ email: 'a@example.com', password: 'short' }, 400, 'password_too_short'],
      [
        { email: 'longname@example.com', password: 'my longname password' },
        400,
        'password_contains_email',
      ],
      [{ email: 'a@example.com', password: PASSWORD, phone: '07946 0958' }, 400, 'phone_invalid'],
      [{ email: 'a@example.com', password: PASSWORD, currency: 'XXX' }, 422, 'unknown_currency'],
      [{ email: 'a@example.com' }, 400, 'validation_failed'],
      [{ email: 'a@example.com', password: PASSWORD, role: 'admin' }, 400, 'validation_failed'],
      [{ email: 'a@example.com', password: 12345678901234 }, 400, 'validation_failed'],
    ])('refuses %j with %i %s and writes nothing', async (body, status, error) => {
      const before = await Promise.all(
        ['identity_users', 'identity_sessions', 'identity_security_events'].map((n) =>
          count(t.db, n),
        ),
      );
      const res = await signUp(body);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(res.body.message).toEqual(expect.any(String));
      const after = await Promise.all(
        ['identity_users', 'identity_sessions', 'identity_security_events'].map((n) =>
          count(t.db, n),
        ),
      );
      expect(after).toEqual(before);
    });

    it('refuses a taken e-mail or phone, whatever the case of the e-mail', async () => {
      const email = newEmail();
      await signUp({ email, password: PASSWORD, phone: '+33123456789' }).expect(201);
      expect((await signUp({ email: email.toUpperCase(), password: PASSWORD })).body.error).toBe(
        'email_taken',
      );
      const phone = await signUp({
        email: newEmail(),
        password: PASSWORD,
        phone: '+33 1 23 45 67 89',
      });
      expect([phone.status, phone.body.error]).toEqual([409, 'phone_taken']);
    });
  });

  describe('login', () => {
    it('answers a wrong password and an unknown e-mail identically', async () => {
      const email = newEmail();
      await signUp({ email, password: PASSWORD }).expect(201);
      const wrong = await login(email, 'not the password at all');
      const unknown = await login(newEmail(), 'not the password at all');
      expect([wrong.status, wrong.body]).toEqual([unknown.status, unknown.body]);
      expect(wrong.body.error).toBe('invalid_credentials');
      const ok = await login(email.toUpperCase());
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ twoFactorRequired: false, tokenType: 'Bearer' });
    });

    it('backs off after repeated failures, even for the right password', async () => {
      const email = newEmail();
      await signUp({ email, password: PASSWORD }).expect(201);
      for (let i = 0; i < 5; i++) await login(email, 'wrong password here').expect(401);
      const locked = await login(email);
      expect(locked.status).toBe(429);
      expect(locked.body.error).toBe('too_many_attempts');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('sessions', () => {
    it('rotates refresh tokens and revokes the family when one is reused', async () => {
      const first = (await signUp({ email: newEmail(), password: PASSWORD })).body;
      const second = await http().post('/auth/refresh').send({ refreshToken: first.refreshToken });
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      const third = await http()
        .post('/auth/refresh')
        .send({ refreshToken: second.body.refreshToken });
      expect(third.status).toBe(200);

      const replay = await http().post('/auth/refresh').send({ refreshToken: first.refreshToken });
      expect([replay.status, replay.body.error]).toEqual([401, 'refresh_token_reused']);
      // The thief and the owner are both out: the newest tokens of the family no longer work.
      expect(
        (await http().post('/auth/refresh').send({ refreshToken: third.body.refreshToken })).body
          .error,
      ).toBe('refresh_token_invalid');
      expect(
        (await http().get('/probe').set('Authorization', `Bearer ${third.body.accessToken}`)).body
          .error,
      ).toBe('session_ended');
      const audit = await t.db.query(
        'SELECT type FROM identity_security_events WHERE user_id = $1',
        [first.userId],
      );
      expect(audit.rows.map((r) => r.type)).toContain('RefreshTokenReuseDetected');
    });

    it('refuses malformed and unknown refresh tokens', async () => {
      for (const refreshToken of [
        'nonsense',
        `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.${'a'.repeat(43)}`,
      ]) {
        const res = await http().post('/auth/refresh').send({ refreshToken });
        expect([res.status, res.body.error]).toEqual([401, 'refresh_token_invalid']);
      }
    });

    it('ends the session on logout', async () => {
      const session = (await signUp({ email: newEmail(), password: PASSWORD })).body;
      const auth = `Bearer ${session.accessToken}`;
      await http().post('/auth/logout').set('Authorization', auth).expect(204);
      expect((await http().get('/me').set('Authorization', auth)).body.error).toBe('session_ended');
      expect(
        (await http().post('/auth/refresh').send({ refreshToken: session.refreshToken })).body
          .error,
      ).toBe('refresh_token_invalid');
    });

    it('ends a session revoked by another writer (plain SQL), once its notification arrived', async () => {
      const email = newEmail();
      const session = (await signUp({ email, password: PASSWORD })).body;
      const me = () => http().get('/me').set('Authorization', `Bearer ${session.accessToken}`);
      // Checked live, and so possibly cached for the next requests.
      expect((await me()).status).toBe(200);
      expect((await me()).status).toBe(200);
      await t.db.query(
        `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE user_id = $1`,
        [session.userId],
      );
      const error = await eventually(
        async () => (await me()).body.error,
        (e) => e !== undefined,
      );
      expect(error).toBe('session_ended');
    });

    it('sees roles granted by another writer (plain SQL), once its notification arrived', async () => {
      const email = newEmail();
      const user = (await signUp({ email, password: PASSWORD })).body;
      const probe = () =>
        http().get('/probe/finance').set('Authorization', `Bearer ${user.accessToken}`);
      expect((await probe()).status).toBe(403);
      await t.db.query(`INSERT INTO identity_user_roles (user_id, role) VALUES ($1, 'finance')`, [
        user.userId,
      ]);
      expect(
        await eventually(
          async () => (await probe()).status,
          (status) => status !== 403,
        ),
      ).toBe(200);
    });
  });

  describe('the global guard', () => {
    const claims = (userId: string) => ({
      sub: userId,
      sid: '00000000-0000-4000-8000-000000000000',
      typ: 'access',
    });

    it('refuses anonymous, malformed, forged, unsigned and expired tokens', async () => {
      const { userId } = (await signUp({ email: newEmail(), password: PASSWORD })).body;
      const options = { issuer: 'ledger', audience: 'ledger-api' };
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'access_token_missing'],
        ['Basic abc', 'access_token_missing'],
        ['Bearer not.a.jwt', 'access_token_invalid'],
        [
          `Bearer ${sign(claims(userId), 'another secret that is long enough!!', { ...options, expiresIn: 60 })}`,
          'access_token_invalid',
        ],
        [
          `Bearer ${sign(claims(userId), '', { ...options, algorithm: 'none' })}`,
          'access_token_invalid',
        ],
        [
          `Bearer ${sign({ ...claims(userId), exp: 1 }, t.env.LEDGER_JWT_SECRET, options)}`,
          'access_token_expired',
        ],
        [
          `Bearer ${sign(claims(userId), t.env.LEDGER_JWT_SECRET, { ...options, audience: 'elsewhere' })}`,
          'access_token_invalid',
        ],
        // Well signed, but for a session that never existed.
        [
          `Bearer ${sign(claims(userId), t.env.LEDGER_JWT_SECRET, { ...options, expiresIn: 60 })}`,
          'session_ended',
        ],
      ];
      for (const [authorization, error] of cases) {
        const req = http().get('/probe');
        const res = await (authorization ? req.set('Authorization', authorization) : req);
        expect([res.status, res.body.error]).toEqual([401, error]);
      }
    });

    it('enforces roles, and role changes take effect at once', async () => {
      const admin = await staffSession(t, newEmail(), PASSWORD, ['admin']);
      const userEmail = newEmail();
      const user = (await signUp({ email: userEmail, password: PASSWORD })).body;
      const asUser = (path: string) =>
        http().get(path).set('Authorization', `Bearer ${user.accessToken}`);
      expect((await asUser('/probe/finance')).status).toBe(403);
      expect((await asUser('/audit/security-events')).body.error).toBe('role_required');

      const put = (id: string, body: object, token = admin.accessToken) =>
        http().put(`/admin/users/${id}/roles`).set('Authorization', `Bearer ${token}`).send(body);
      // Staff roles go only to a proven address.
      const unverified = await put(user.userId, { roles: ['customer', 'finance'] });
      expect([unverified.status, unverified.body.error]).toEqual([409, 'user_email_not_verified']);
      expect((await asUser('/probe/finance')).status).toBe(403);
      await verifyEmail(t, `Bearer ${user.accessToken}`, userEmail);
      expect((await put(user.userId, { roles: ['customer', 'finance'] })).body).toEqual({
        userId: user.userId,
        roles: ['customer', 'finance'],
      });
      expect((await asUser('/probe/finance')).status).toBe(200);

      expect((await put(user.userId, { roles: ['wizard'] })).body.error).toBe('validation_failed');
      expect((await put(user.userId, { roles: [] })).body.error).toBe('validation_failed');
      expect(
        (await put('00000000-0000-4000-8000-000000000000', { roles: ['customer'] })).status,
      ).toBe(404);
      expect((await put(admin.userId, { roles: ['customer'] })).body.error).toBe(
        'cannot_remove_own_admin_role',
      );
      expect((await put(admin.userId, { roles: ['admin'] }, user.accessToken)).status).toBe(403);
      expect((await asUser('/me')).body.roles).toEqual(['customer', 'finance']);
    });
  });

  describe('profile and directory', () => {
    it('updates name and phone, refusing bad or taken numbers without writing', async () => {
      const a = (await signUp({ email: newEmail(), password: PASSWORD, phone: '+61291234567' }))
        .body;
      const b = (await signUp({ email: newEmail(), password: PASSWORD })).body;
      const patch = (body: object) =>
        http().patch('/me').set('Authorization', `Bearer ${b.accessToken}`).send(body);
      expect((await patch({ phone: '+61 2 9123 4567' })).body.error).toBe('phone_taken');
      expect((await patch({ phone: '12' })).body.error).toBe('phone_invalid');
      expect((await patch({ email: 'x@example.com' })).body.error).toBe('validation_failed');
      expect((await patch({ name: '' })).body.error).toBe('validation_failed');
      expect(
        (await http().get('/me').set('Authorization', `Bearer ${b.accessToken}`)).body,
      ).toMatchObject({ name: null, phone: null });
      expect((await patch({ name: 'Bea', phone: '+61 2 9123 0000' })).body).toMatchObject({
        name: 'Bea',
        phone: '+61291230000',
      });
      expect((await patch({ phone: null })).body).toMatchObject({ name: 'Bea', phone: null });

      const directory = t.app.get(RecipientDirectory);
      expect(await directory.findUserIdByPhone('+61 (2) 9123-4567')).toBe(a.userId);
      const me = await http().get('/me').set('Authorization', `Bearer ${a.accessToken}`);
      expect(await directory.findUserIdByEmail(me.body.email.toUpperCase())).toBe(a.userId);
      expect(await directory.findUserIdByEmail('nobody@example.com')).toBeUndefined();
      expect(await directory.findUserIdByPhone('not a phone')).toBeUndefined();
    });
  });

  describe('OpenAPI', () => {
    it('documents the identity routes and their bearer auth', async () => {
      const doc = (await http().get('/openapi.json')).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/auth/signup',
          '/auth/login',
          '/auth/refresh',
          '/me',
          '/me/2fa/enrol',
          '/me/email/verification',
          '/me/email/verify',
          '/me/password',
          '/auth/password-reset',
          '/auth/password-reset/confirm',
          '/admin/users/{id}/roles',
          '/audit/security-events',
        ]),
      );
      expect(doc.paths['/me'].get.security).toEqual([{ bearer: [] }]);
      expect(doc.components.schemas.SignUpDto.required).toEqual(['email', 'password']);
    });
  });

  describe('security audit', () => {
    it('lists events for auditors and admins, newest first, in pages', async () => {
      const admin = await staffSession(t, newEmail(), PASSWORD, ['auditor']);
      const get = (query: string) =>
        http()
          .get(`/audit/security-events${query}`)
          .set('Authorization', `Bearer ${admin.accessToken}`);
      const page = await get('?limit=2&type=LoginSucceeded');
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body.items.every((e: { type: string }) => e.type === 'LoginSucceeded')).toBe(
        true,
      );
      const older = await get(`?limit=2&type=LoginSucceeded&cursor=${page.body.nextCursor}`);
      expect(Number(older.body.items[0].cursor)).toBeLessThan(Number(page.body.items[1].cursor));
      // The names before `{ items, nextCursor }`, kept for one release, answer the same page.
      const legacy = await get(`?limit=2&type=LoginSucceeded&before=${page.body.next}`);
      expect([legacy.body.events, legacy.body.items]).toEqual([older.body.items, older.body.items]);
      expect((await get('?limit=1000')).body.error).toBe('validation_failed');
      expect((await get('?type=Nope')).body.error).toBe('validation_failed');
    });
  });
});

/**
 * Reads until `done` holds of the answer (at most 100 reads, 20 ms apart): a
 * change from another writer reaches the session cache as a notification, a
 * few milliseconds after it committed.
 */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < 100 && !done(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}
