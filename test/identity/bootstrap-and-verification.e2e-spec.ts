import request from 'supertest';
import { grantRoles, OPERATOR_CLI } from '@ledger/identity';
import { databaseFactories } from '@ledger/testing';
import { startIdentityApp, verifyEmail, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
let sequence = 0;
const newEmail = () => `verify${++sequence}.${Date.now()}@example.com`;

describe.each(databaseFactories())('first admin and e-mail verification on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());
  const grant = (email: string, roles: Array<'admin' | 'finance'> = ['admin']) =>
    grantRoles(
      { db: t.db, store: t.store, dataKey: Buffer.from(t.env.LEDGER_IDENTITY_DATA_KEY, 'base64') },
      email,
      roles,
    );
  async function newUser() {
    const email = newEmail();
    const res = await http().post('/auth/signup').send({ email, password: PASSWORD }).expect(201);
    return { email, userId: res.body.userId as string, auth: `Bearer ${res.body.accessToken}` };
  }
  const me = async (auth: string) => (await http().get('/me').set('Authorization', auth)).body;
  const sendCode = (auth: string) =>
    http().post('/me/email/verification').set('Authorization', auth);
  const verify = (auth: string, code: unknown) =>
    http().post('/me/email/verify').set('Authorization', auth).send({ code });
  const codeFor = (email: string) => t.mail.lastCode(email, /verification/);

  beforeAll(async () => {
    t = await startIdentityApp(factory);
  });
  afterAll(() => t?.close());

  describe('the first admin', () => {
    it('is not whoever signs up first: sign-up only ever makes customers', async () => {
      const user = await newUser();
      expect((await me(user.auth)).roles).toEqual(['customer']);
    });

    it('is granted by the operator to an existing user with a verified e-mail, and audited', async () => {
      expect(await grant('nobody@example.com')).toEqual({ rejected: 'user_not_found' });
      const user = await newUser();
      expect(await grant(user.email)).toEqual({ rejected: 'user_email_not_verified' });
      expect((await me(user.auth)).roles).toEqual(['customer']);

      await verifyEmail(t, user.auth, user.email);
      expect(await grant(user.email.toUpperCase())).toEqual({
        userId: user.userId,
        roles: ['admin', 'customer'],
      });
      // Granting what the user already has changes nothing but is still answered.
      expect(await grant(user.email, ['admin', 'finance'])).toEqual({
        userId: user.userId,
        roles: ['admin', 'customer', 'finance'],
      });
      expect((await me(user.auth)).roles).toEqual(['admin', 'customer', 'finance']);
      const other = await newUser();
      await verifyEmail(t, other.auth, other.email);
      const put = await http()
        .put(`/admin/users/${other.userId}/roles`)
        .set('Authorization', user.auth)
        .send({ roles: ['customer', 'auditor'] });
      expect(put.status).toBe(200);

      const events = await t.store.readStream(`identity-${user.userId}`);
      const changes = events.filter((e) => e.type === 'RolesChanged').map((e) => e.data);
      expect(changes[0]).toMatchObject({ by: OPERATOR_CLI, from: ['customer'] });
      expect(changes[0]).toMatchObject({ to: ['admin', 'customer'] });
    });
  });

  describe('e-mail verification', () => {
    it('e-mails a code, keeps only its hash and verifies the address with it, once', async () => {
      const user = await newUser();
      expect((await me(user.auth)).emailVerified).toBe(false);
      await sendCode(user.auth).expect(204);
      const code = codeFor(user.email)!;
      expect(code).toMatch(/^\d{8}$/);
      const stored = JSON.stringify(
        (await t.db.query('SELECT * FROM identity_email_codes WHERE user_id = $1', [user.userId]))
          .rows,
      );
      expect(stored).not.toContain(code);

      await verify(user.auth, code).expect(204);
      expect((await me(user.auth)).emailVerified).toBe(true);
      const again = await verify(user.auth, code);
      expect([again.status, again.body.error]).toEqual([409, 'email_already_verified']);
      expect((await sendCode(user.auth)).body.error).toBe('email_already_verified');
      const types = (await t.store.readStream(`identity-${user.userId}`)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['EmailCodeSent', 'EmailVerified']));
      // The trail names the purpose, never the code or the address.
      const trail = JSON.stringify(
        (
          await t.db.query('SELECT data FROM identity_security_events WHERE user_id = $1', [
            user.userId,
          ])
        ).rows,
      );
      expect(trail).not.toContain(code);
      expect(trail).not.toContain(user.email);
    });

    it('counts wrong codes and kills the code after five', async () => {
      const user = await newUser();
      await sendCode(user.auth).expect(204);
      const code = codeFor(user.email)!;
      const wrong = code === '00000000' ? '00000001' : '00000000';
      for (let i = 0; i < 4; i++) {
        const res = await verify(user.auth, wrong);
        expect([res.status, res.body.error]).toEqual([400, 'email_code_invalid']);
      }
      const { rows } = await t.db.query<{ attempts: number }>(
        'SELECT attempts FROM identity_email_codes WHERE user_id = $1',
        [user.userId],
      );
      expect(rows[0]?.attempts).toBe(4);
      await verify(user.auth, wrong).expect(400);
      // The fifth wrong try used the code up: the right one no longer works.
      expect((await verify(user.auth, code)).body.error).toBe('email_code_invalid');
      expect((await me(user.auth)).emailVerified).toBe(false);
      await sendCode(user.auth).expect(204);
      await verify(user.auth, codeFor(user.email)).expect(204);
    });

    it('refuses an expired code and a code replaced by a newer one', async () => {
      const user = await newUser();
      await sendCode(user.auth).expect(204);
      const first = codeFor(user.email)!;
      t.clock.advanceSeconds(31 * 60);
      const expired = await verify(user.auth, first);
      expect([expired.status, expired.body.error]).toEqual([400, 'email_code_expired']);

      await sendCode(user.auth).expect(204);
      const second = codeFor(user.email)!;
      await sendCode(user.auth).expect(204);
      const third = codeFor(user.email)!;
      if (second !== third) expect((await verify(user.auth, second)).status).toBe(400);
      await verify(user.auth, third).expect(204);
    });

    it('sends at most five codes an hour to one account', async () => {
      const user = await newUser();
      for (let i = 0; i < 5; i++) await sendCode(user.auth).expect(204);
      const sixth = await sendCode(user.auth);
      expect([sixth.status, sixth.body.error]).toEqual([429, 'too_many_requests']);
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      expect(t.mail.emails.filter((m) => m.to === user.email)).toHaveLength(5);
    });

    it('says so when the e-mail cannot be sent', async () => {
      const user = await newUser();
      t.mail.outage = true;
      try {
        const res = await sendCode(user.auth);
        expect([res.status, res.body.error]).toEqual([503, 'email_not_sent']);
      } finally {
        t.mail.outage = false;
      }
    });

    it('refuses a malformed body without writing', async () => {
      const user = await newUser();
      expect((await verify(user.auth, 12345678)).body.error).toBe('validation_failed');
      expect((await verify(user.auth, 'x'.repeat(33))).body.error).toBe('validation_failed');
      const { rows } = await t.db.query('SELECT 1 FROM identity_email_codes WHERE user_id = $1', [
        user.userId,
      ]);
      expect(rows).toHaveLength(0);
    });
  });
});
