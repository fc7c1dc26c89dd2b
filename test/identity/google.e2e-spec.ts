import { must } from '@ledger/invariant';
import request from 'supertest';
import { databaseFactories } from '@ledger/testing';
import { GoogleStandIn, type StandInProfile } from './google-stand-in';
import { startIdentityApp, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
let sequence = 0;
const newEmail = () => `google${++sequence}.${Date.now()}@example.com`;
const newSubject = () => `1000${++sequence}${Date.now()}`;

describe.each(databaseFactories())('Google sign-in on $name', (factory) => {
  let t: IdentityTestApp;
  const google = new GoogleStandIn();
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    const base = await google.start();
    t = await startIdentityApp(factory, {
      LEDGER_GOOGLE_CLIENT_ID: 'test-client',
      LEDGER_GOOGLE_CLIENT_SECRET: 'test-secret',
      LEDGER_GOOGLE_CALLBACK_URL: 'http://localhost/auth/google/callback',
      LEDGER_GOOGLE_AUTHORIZATION_URL: `${base}/authorize`,
      LEDGER_GOOGLE_TOKEN_URL: `${base}/token`,
      LEDGER_GOOGLE_USERINFO_URL: `${base}/userinfo`,
    });
  });
  afterAll(async () => {
    await t?.close();
    await google.stop();
  });

  /** The browser's round trip: start, "consent" at Google, come back with code, state and cookie. */
  async function signInWithGoogle(profile: StandInProfile, headers: Record<string, string> = {}) {
    const start = await http().get('/auth/google');
    expect(start.status).toBe(302);
    const location = new URL(must(start.headers.location, 'a Location header'));
    const cookie = firstCookie(start);
    const code = google.codeFor(profile);
    return http()
      .get(
        `/auth/google/callback?code=${encodeURIComponent(code)}&state=${location.searchParams.get('state')}`,
      )
      .set('Cookie', cookie)
      .set(headers);
  }

  it('redirects to Google with the client, scopes, callback and a state bound to a cookie', async () => {
    const start = await http().get('/auth/google');
    const location = new URL(must(start.headers.location, 'a Location header'));
    expect(location.pathname).toBe('/authorize');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: 'test-client',
      response_type: 'code',
      redirect_uri: 'http://localhost/auth/google/callback',
      scope: 'openid email profile',
    });
    const cookie = (start.headers['set-cookie'] as unknown as string[])[0];
    expect(cookie).toContain(`ledger_google_state=${location.searchParams.get('state')}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('creates an account for a new verified address, then signs the same Google account in again', async () => {
    const profile = {
      sub: newSubject(),
      email: newEmail(),
      email_verified: true,
      name: 'Ada Google',
    };
    const first = await signInWithGoogle(profile);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ twoFactorRequired: false, tokenType: 'Bearer' });
    const me = await http().get('/me').set('Authorization', `Bearer ${first.body.accessToken}`);
    expect(me.body).toMatchObject({
      email: profile.email,
      emailVerified: true,
      googleLinked: true,
      hasPassword: false,
      name: 'Ada Google',
    });
    // Google-only accounts have no password to guess.
    expect(
      (await http().post('/auth/login').send({ email: profile.email, password: PASSWORD })).body
        .error,
    ).toBe('invalid_credentials');
    const again = await signInWithGoogle({ ...profile, email: 'changed-at-google@example.com' });
    expect(again.body.userId).toBe(first.body.userId);
  });

  it('puts the refresh token of a browser session in an HttpOnly cookie, as password login does', async () => {
    const profile = { sub: newSubject(), email: newEmail(), email_verified: true };
    const res = await signInWithGoogle(profile, { 'X-Ledger-Session': 'cookie' });
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.refreshToken).toBeUndefined();
    const setCookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('ledger_refresh='),
    );
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\/auth\/session/);
    // A reload: the page has no token in memory, only the cookie.
    const refreshed = await http()
      .post('/auth/session/refresh')
      .set('X-Ledger-Session', 'cookie')
      .set('Cookie', must(setCookie, 'a refresh cookie').split(';')[0] ?? '');
    expect(refreshed.status).toBe(200);
    const me = await http().get('/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`);
    expect(me.body).toMatchObject({ email: profile.email, googleLinked: true });
    // Without the opt-in header the answer stays as before: the token in the body, no cookie.
    const plain = await signInWithGoogle({ ...profile });
    expect(plain.body.refreshToken).toEqual(expect.any(String));
    expect(
      ((plain.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((c) =>
        c.startsWith('ledger_refresh='),
      ),
    ).toBe(false);
  });

  it('refuses an address Google has not verified, and creates nothing', async () => {
    const email = newEmail();
    const res = await signInWithGoogle({ sub: newSubject(), email, email_verified: false });
    expect([res.status, res.body.error]).toEqual([403, 'google_email_not_verified']);
    const { rows } = await t.db.query(
      'SELECT count(*) AS n FROM identity_users WHERE google_subject IS NOT NULL AND email_verified_at IS NULL',
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('does not link an unverified address to an existing account', async () => {
    const email = newEmail();
    const owner = (await http().post('/auth/signup').send({ email, password: PASSWORD })).body;
    const res = await signInWithGoogle({ sub: newSubject(), email, email_verified: 'false' });
    expect(res.body.error).toBe('google_email_not_verified');
    expect(
      (await http().get('/me').set('Authorization', `Bearer ${owner.accessToken}`)).body
        .googleLinked,
    ).toBe(false);
  });

  it('links a verified address to the existing account and resets what a squatter could have set', async () => {
    const email = newEmail();
    // Someone registered this address with a password before its owner came.
    const squatter = (await http().post('/auth/signup').send({ email, password: PASSWORD })).body;
    const res = await signInWithGoogle({ sub: newSubject(), email, email_verified: true });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(squatter.userId);
    expect(
      (await http().get('/me').set('Authorization', `Bearer ${squatter.accessToken}`)).body.error,
    ).toBe('session_ended');
    expect((await http().post('/auth/login').send({ email, password: PASSWORD })).body.error).toBe(
      'invalid_credentials',
    );
    const me = await http().get('/me').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(me.body).toMatchObject({ googleLinked: true, emailVerified: true, hasPassword: false });
    const events = await t.store.readStream(`identity-${squatter.userId}`);
    expect(events.find((e) => e.type === 'GoogleAccountLinked')?.data).toMatchObject({
      credentialsReset: true,
    });
  });

  it('does not move an address from one Google account to another', async () => {
    const email = newEmail();
    await signInWithGoogle({ sub: newSubject(), email, email_verified: true });
    const res = await signInWithGoogle({ sub: newSubject(), email, email_verified: true });
    expect([res.status, res.body.error]).toEqual([409, 'google_account_mismatch']);
  });

  it('refuses a callback without the matching state cookie, before asking Google for tokens', async () => {
    const start = await http().get('/auth/google');
    const state = new URL(must(start.headers.location, 'a Location header')).searchParams.get(
      'state',
    );
    const code = google.codeFor({ sub: newSubject(), email: newEmail(), email_verified: true });
    const requestsBefore = google.tokenRequests.length;
    const noCookie = await http().get(`/auth/google/callback?code=${code}&state=${state}`);
    expect([noCookie.status, noCookie.body.error]).toEqual([401, 'google_sign_in_failed']);
    const wrongCookie = await http()
      .get(`/auth/google/callback?code=${code}&state=${state}`)
      .set('Cookie', 'ledger_google_state=forged');
    expect(wrongCookie.body.error).toBe('google_sign_in_failed');
    expect(google.tokenRequests.length).toBe(requestsBefore);
  });

  it('refuses a code Google does not recognise', async () => {
    const start = await http().get('/auth/google');
    const state = new URL(must(start.headers.location, 'a Location header')).searchParams.get(
      'state',
    );
    const cookie = firstCookie(start);
    const res = await http()
      .get(`/auth/google/callback?code=made-up&state=${state}`)
      .set('Cookie', cookie);
    expect([res.status, res.body.error]).toEqual([401, 'google_sign_in_failed']);
  });
});

describe('Google sign-in when not configured', () => {
  let t: IdentityTestApp;
  beforeAll(async () => {
    t = await startIdentityApp(databaseFactories()[0]);
  });
  afterAll(() => t?.close());

  it('answers 404 google_sign_in_not_configured', async () => {
    const res = await request(t.app.getHttpServer()).get('/auth/google');
    expect([res.status, res.body.error]).toEqual([404, 'google_sign_in_not_configured']);
  });
});

/** The first cookie a response sets, as a request sends it back (`name=value`). */
function firstCookie(res: { headers: Record<string, unknown> }): string {
  const [cookie] = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return must(cookie, 'a Set-Cookie header').split(';')[0] ?? '';
}
