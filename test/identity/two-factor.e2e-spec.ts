import { must } from '@ledger/invariant';
import request from 'supertest';
import { totpCode } from '@ledger/identity';
import { databaseFactories } from '@ledger/testing';
import { count, startIdentityApp, verifyEmail, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
let sequence = 0;
const newEmail = () => `twofactor${++sequence}.${Date.now()}@example.com`;

describe.each(databaseFactories())('two-factor authentication on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());
  /** The code for the test clock's current time step. */
  const code = (secret: string) => totpCode(secret, Math.floor(t.clock.now() / 1000));
  /** Moves to the next time step, where a fresh code exists. */
  const nextStep = () => t.clock.advanceSeconds(30);

  beforeAll(async () => {
    t = await startIdentityApp(factory);
  });
  afterAll(() => t?.close());

  async function enrolledUser() {
    const email = newEmail();
    const session = (await http().post('/auth/signup').send({ email, password: PASSWORD })).body;
    const auth = `Bearer ${session.accessToken}`;
    await verifyEmail(t, auth, email);
    const enrolment = await http().post('/me/2fa/enrol').set('Authorization', auth);
    expect(enrolment.status).toBe(200);
    expect(enrolment.body.otpauthUri).toContain(`secret=${enrolment.body.secret}`);
    const confirm = await http()
      .post('/me/2fa/confirm')
      .set('Authorization', auth)
      .send({ code: await code(enrolment.body.secret) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    nextStep();
    return {
      email,
      auth,
      userId: session.userId as string,
      secret: enrolment.body.secret as string,
      recoveryCodes: confirm.body.recoveryCodes as string[],
    };
  }

  it('stores the secret encrypted and the recovery codes hashed', async () => {
    const user = await enrolledUser();
    const stored = JSON.stringify(
      (await t.db.query('SELECT * FROM identity_two_factor WHERE user_id = $1', [user.userId]))
        .rows,
    );
    expect(stored).not.toContain(user.secret);
    const codes = JSON.stringify(
      (await t.db.query('SELECT * FROM identity_recovery_codes WHERE user_id = $1', [user.userId]))
        .rows,
    );
    for (const recovery of user.recoveryCodes)
      expect(codes).not.toContain(recovery.replace('-', ''));
    expect((await http().get('/me').set('Authorization', user.auth)).body.twoFactorEnabled).toBe(
      true,
    );
  });

  it('refuses a wrong first code and keeps the factor off', async () => {
    const session = (
      await http().post('/auth/signup').send({ email: newEmail(), password: PASSWORD })
    ).body;
    const auth = `Bearer ${session.accessToken}`;
    expect(
      (await http().post('/me/2fa/confirm').set('Authorization', auth).send({ code: '123456' }))
        .body.error,
    ).toBe('two_factor_not_enrolled');
    await http().post('/me/2fa/enrol').set('Authorization', auth).expect(200);
    for (const body of [{ code: '000000' }, { code: 'abc' }]) {
      const res = await http().post('/me/2fa/confirm').set('Authorization', auth).send(body);
      expect([res.status, res.body.error]).toEqual([403, 'two_factor_code_invalid']);
    }
    expect(
      (await http().post('/me/2fa/confirm').set('Authorization', auth).send({})).body.error,
    ).toBe('validation_failed');
    expect((await http().get('/me').set('Authorization', auth)).body.twoFactorEnabled).toBe(false);
  });

  it('asks for the second factor at login and accepts each code once', async () => {
    const user = await enrolledUser();
    const first = await http().post('/auth/login').send({ email: user.email, password: PASSWORD });
    expect(first.body).toEqual({
      twoFactorRequired: true,
      challengeToken: expect.any(String),
      expiresIn: 300,
    });
    // The challenge is not an access token.
    expect(
      (await http().get('/me').set('Authorization', `Bearer ${first.body.challengeToken}`)).body
        .error,
    ).toBe('access_token_invalid');

    const current = await code(user.secret);
    const ok = await http()
      .post('/auth/login/2fa')
      .send({ challengeToken: first.body.challengeToken, code: current });
    expect(ok.status).toBe(200);
    expect(ok.body.tokenType).toBe('Bearer');
    const replay = await http()
      .post('/auth/login/2fa')
      .send({ challengeToken: first.body.challengeToken, code: current });
    expect([replay.status, replay.body.error]).toEqual([403, 'two_factor_code_reused']);
    const forged = await http()
      .post('/auth/login/2fa')
      .send({ challengeToken: ok.body.accessToken, code: current });
    expect(forged.body.error).toBe('challenge_invalid');
  });

  it('lets a recovery code in once', async () => {
    const user = await enrolledUser();
    const challenge = async () =>
      (await http().post('/auth/login').send({ email: user.email, password: PASSWORD })).body
        .challengeToken;
    const recovery = must(user.recoveryCodes[0], 'a recovery code').toUpperCase();
    expect(
      (
        await http()
          .post('/auth/login/2fa')
          .send({ challengeToken: await challenge(), code: recovery })
      ).status,
    ).toBe(200);
    const again = await http()
      .post('/auth/login/2fa')
      .send({ challengeToken: await challenge(), code: recovery });
    expect(again.body.error).toBe('two_factor_code_invalid');
  });

  it('guards sensitive routes with a fresh code in X-2FA-Code', async () => {
    const user = await enrolledUser();
    const withdraw = (header?: string) => {
      const req = http().post('/probe/withdraw').set('Authorization', user.auth);
      return header === undefined ? req : req.set('X-2FA-Code', header);
    };
    expect((await withdraw()).body.error).toBe('two_factor_code_required');
    expect((await withdraw('000000')).body.error).toBe('two_factor_code_invalid');
    expect((await withdraw(user.recoveryCodes[1])).body.error).toBe('two_factor_code_invalid');
    const current = await code(user.secret);
    expect((await withdraw(current)).status).toBe(201);
    expect((await withdraw(current)).body.error).toBe('two_factor_code_reused');

    const plainEmail = newEmail();
    const plain = (
      await http().post('/auth/signup').send({ email: plainEmail, password: PASSWORD })
    ).body;
    const plainWithdraw = () =>
      http()
        .post('/probe/withdraw')
        .set('Authorization', `Bearer ${plain.accessToken}`)
        .set('X-2FA-Code', '123456');
    // The address is checked first: an unproven one is refused before any code is looked at.
    const unverified = await plainWithdraw();
    expect([unverified.status, unverified.body.error]).toEqual([403, 'email_not_verified']);
    await verifyEmail(t, `Bearer ${plain.accessToken}`, plainEmail);
    const res = await plainWithdraw();
    expect([res.status, res.body.error]).toEqual([403, 'two_factor_not_enabled']);
  });

  it('backs off after repeated wrong codes', async () => {
    const user = await enrolledUser();
    for (let i = 0; i < 5; i++) {
      await http()
        .post('/probe/withdraw')
        .set('Authorization', user.auth)
        .set('X-2FA-Code', '000000')
        .expect(403);
    }
    const locked = await http()
      .post('/probe/withdraw')
      .set('Authorization', user.auth)
      .set('X-2FA-Code', await code(user.secret));
    expect([locked.status, locked.body.error]).toEqual([429, 'too_many_attempts']);
  });

  it('disables with a code and records enable and disable', async () => {
    const user = await enrolledUser();
    const disable = (body: object) =>
      http().post('/me/2fa/disable').set('Authorization', user.auth).send(body);
    expect((await disable({ code: '000000' })).body.error).toBe('two_factor_code_invalid');
    expect(await count(t.db, `identity_two_factor WHERE user_id = '${user.userId}'`)).toBe(1);
    await disable({ code: await code(user.secret) }).expect(204);
    expect((await http().get('/me').set('Authorization', user.auth)).body.twoFactorEnabled).toBe(
      false,
    );
    expect(
      (await http().post('/auth/login').send({ email: user.email, password: PASSWORD })).body
        .twoFactorRequired,
    ).toBe(false);
    const events = await t.store.readStream(`identity-${user.userId}`);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['TwoFactorEnabled', 'TwoFactorDisabled']),
    );
  });
});
