import request from 'supertest';
import { databaseFactories } from '@ledger/testing';
import { resetCode, startIdentityApp, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different, longer passphrase';
let sequence = 0;
const newEmail = () => `password${++sequence}.${Date.now()}@example.com`;

describe.each(databaseFactories())('password reset and change on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());
  const login = (email: string, password: string) =>
    http().post('/auth/login').send({ email, password });
  const requestReset = (email: string) => http().post('/auth/password-reset').send({ email });
  const confirm = (body: Record<string, unknown>) =>
    http().post('/auth/password-reset/confirm').send(body);
  async function newUser() {
    const email = newEmail();
    const res = await http().post('/auth/signup').send({ email, password: PASSWORD }).expect(201);
    return { email, userId: res.body.userId as string, session: res.body };
  }

  beforeAll(async () => {
    t = await startIdentityApp(factory);
  });
  afterAll(() => t?.close());

  describe('reset', () => {
    it('answers an unknown address exactly like a known one, and e-mails only the known one', async () => {
      const user = await newUser();
      const unknown = newEmail();
      const known = await requestReset(user.email);
      const stranger = await requestReset(unknown);
      expect([known.status, known.body]).toEqual([202, {}]);
      expect([stranger.status, stranger.body]).toEqual([known.status, known.body]);
      expect(await resetCode(t, user.email)).toMatch(/^\d{8}$/);
      expect(t.mail.emails.some((m) => m.to === unknown)).toBe(false);
      expect((await requestReset('not an address')).body.error).toBe('email_invalid');
    });

    it('replaces the password with a single-use code, ends every session and verifies the address', async () => {
      const user = await newUser();
      const other = (await login(user.email, PASSWORD).expect(200)).body;
      await requestReset(user.email).expect(202);
      const code = (await resetCode(t, user.email))!;

      const weak = await confirm({ email: user.email, code, newPassword: 'short' });
      expect(weak.body.error).toBe('password_too_short');
      const stranger = await confirm({ email: newEmail(), code, newPassword: NEW_PASSWORD });
      const wrong = await confirm({
        email: user.email,
        code: code === '00000000' ? '00000001' : '00000000',
        newPassword: NEW_PASSWORD,
      });
      expect([wrong.status, wrong.body]).toEqual([stranger.status, stranger.body]);
      expect(wrong.body.error).toBe('email_code_invalid');

      // A refused new password did not spend the code.
      await confirm({ email: user.email, code, newPassword: NEW_PASSWORD }).expect(204);
      const reused = await confirm({ email: user.email, code, newPassword: `${NEW_PASSWORD}!` });
      expect([reused.status, reused.body.error]).toEqual([400, 'email_code_invalid']);

      expect((await login(user.email, PASSWORD)).body.error).toBe('invalid_credentials');
      const fresh = await login(user.email, NEW_PASSWORD).expect(200);
      for (const session of [user.session, other]) {
        const probe = await http()
          .get('/probe')
          .set('Authorization', `Bearer ${session.accessToken}`);
        expect(probe.body.error).toBe('session_ended');
        const refresh = await http()
          .post('/auth/refresh')
          .send({ refreshToken: session.refreshToken });
        expect(refresh.body.error).toBe('refresh_token_invalid');
      }
      const me = await http().get('/me').set('Authorization', `Bearer ${fresh.body.accessToken}`);
      expect(me.body.emailVerified).toBe(true);
      const reset = (await t.store.readStream(`identity-${user.userId}`)).find(
        (e) => e.type === 'PasswordReset',
      );
      expect(reset?.data).toMatchObject({ sessionsRevoked: 2 });
    });

    it('refuses a code after fifteen minutes', async () => {
      const user = await newUser();
      await requestReset(user.email).expect(202);
      const code = (await resetCode(t, user.email))!;
      t.clock.advanceSeconds(15 * 60 + 1);
      const late = await confirm({ email: user.email, code, newPassword: NEW_PASSWORD });
      expect([late.status, late.body.error]).toEqual([400, 'email_code_expired']);
      await login(user.email, PASSWORD).expect(200);
    });

    it('lets the owner of a locked account back in', async () => {
      const user = await newUser();
      for (let i = 0; i < 5; i++) await login(user.email, 'not the password at all').expect(401);
      expect((await login(user.email, PASSWORD)).status).toBe(429);
      await requestReset(user.email).expect(202);
      const code = await resetCode(t, user.email);
      await confirm({ email: user.email, code, newPassword: NEW_PASSWORD }).expect(204);
      await login(user.email, NEW_PASSWORD).expect(200);
    });
  });

  describe('change', () => {
    it('needs the current password and ends every other session', async () => {
      const user = await newUser();
      const other = (await login(user.email, PASSWORD).expect(200)).body;
      const auth = `Bearer ${user.session.accessToken}`;
      const change = (body: Record<string, unknown>) =>
        http().post('/me/password').set('Authorization', auth).send(body);

      const wrong = await change({
        currentPassword: 'not the password',
        newPassword: NEW_PASSWORD,
      });
      expect([wrong.status, wrong.body.error]).toEqual([403, 'current_password_invalid']);
      expect((await change({ newPassword: NEW_PASSWORD })).body.error).toBe('validation_failed');
      const weak = await change({ currentPassword: PASSWORD, newPassword: 'short' });
      expect(weak.body.error).toBe('password_too_short');
      await login(user.email, PASSWORD).expect(200);

      await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }).expect(204);
      expect((await login(user.email, PASSWORD)).body.error).toBe('invalid_credentials');
      await login(user.email, NEW_PASSWORD).expect(200);
      // The caller's own session goes on; the others end.
      await http().get('/probe').set('Authorization', auth).expect(200);
      const ended = await http().get('/probe').set('Authorization', `Bearer ${other.accessToken}`);
      expect(ended.body.error).toBe('session_ended');
      const types = (await t.store.readStream(`identity-${user.userId}`)).map((e) => e.type);
      expect(types).toContain('PasswordChanged');
    });

    it('backs off repeated wrong current passwords', async () => {
      const user = await newUser();
      const auth = `Bearer ${user.session.accessToken}`;
      const change = (currentPassword: string) =>
        http()
          .post('/me/password')
          .set('Authorization', auth)
          .send({ currentPassword, newPassword: NEW_PASSWORD });
      for (let i = 0; i < 5; i++) await change('not the password').expect(403);
      const locked = await change(PASSWORD);
      expect([locked.status, locked.body.error]).toEqual([429, 'too_many_attempts']);
    });
  });
});
