import request from 'supertest';
import { databaseFactories } from '@ledger/testing';
import { ALLOWED_ORIGIN, startIdentityApp, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
const COOKIE_HEADER = { 'X-Ledger-Session': 'cookie' };
let sequence = 0;
const newEmail = () => `cookie${++sequence}.${Date.now()}@example.com`;

/** The refresh-token cookie a response set, as the browser would send it back. */
function refreshCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = cookies.find((c) => c.startsWith('ledger_refresh='));
  return line?.split(';')[0];
}

describe.each(databaseFactories())('browser sessions with a refresh cookie on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startIdentityApp(factory);
  });
  afterAll(() => t?.close());

  async function cookieSignUp() {
    const res = await http()
      .post('/auth/signup')
      .set(COOKIE_HEADER)
      .send({ email: newEmail(), password: PASSWORD });
    expect(res.status).toBe(201);
    return res;
  }

  it('puts the refresh token in an HttpOnly, SameSite=Strict cookie and not in the body', async () => {
    const res = await cookieSignUp();
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body).not.toHaveProperty('refreshToken');
    const line = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('ledger_refresh='));
    expect(line).toMatch(/; Path=\/auth\/session; HttpOnly; SameSite=Strict/);
  });

  it('keeps the JSON answer for clients that do not ask for the cookie', async () => {
    const res = await http().post('/auth/signup').send({ email: newEmail(), password: PASSWORD });
    expect(res.body.refreshToken).toEqual(expect.any(String));
    expect(refreshCookie(res)).toBeUndefined();
    const next = await http().post('/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).toEqual(expect.any(String));
  });

  it('refreshes from the cookie, rotates it, and ends the session when a spent cookie comes back', async () => {
    const first = refreshCookie(await cookieSignUp())!;
    const next = await http().post('/auth/session/refresh').set(COOKIE_HEADER).set('Cookie', first);
    expect(next.status).toBe(200);
    expect(next.body).not.toHaveProperty('refreshToken');
    const me = await http().get('/me').set('Authorization', `Bearer ${next.body.accessToken}`);
    expect(me.status).toBe(200);
    const second = refreshCookie(next)!;
    expect(second).not.toBe(first);

    const replay = await http()
      .post('/auth/session/refresh')
      .set(COOKIE_HEADER)
      .set('Cookie', first);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('refresh_token_reused');
    expect(refreshCookie(replay)).toBe('ledger_refresh=');
    const afterTheft = await http()
      .post('/auth/session/refresh')
      .set(COOKIE_HEADER)
      .set('Cookie', second);
    expect(afterTheft.status).toBe(401);
  });

  it('refuses a cookie refresh without the header or from another site, with nothing spent', async () => {
    const cookie = refreshCookie(await cookieSignUp())!;
    const bare = await http().post('/auth/session/refresh').set('Cookie', cookie);
    expect(bare.status).toBe(403);
    expect(bare.body.error).toBe('cross_site_request');
    const foreign = await http()
      .post('/auth/session/refresh')
      .set(COOKIE_HEADER)
      .set('Origin', ALLOWED_ORIGIN)
      .set('Cookie', cookie);
    expect(foreign.status).toBe(403);
    const good = await http()
      .post('/auth/session/refresh')
      .set(COOKIE_HEADER)
      .set('Cookie', cookie);
    expect(good.status).toBe(200);
  });

  it('answers 401 without a cookie, and logout clears it', async () => {
    const none = await http().post('/auth/session/refresh').set(COOKIE_HEADER);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('refresh_cookie_missing');
    const res = await cookieSignUp();
    const out = await http()
      .post('/auth/logout')
      .set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(out.status).toBe(204);
    expect(refreshCookie(out)).toBe('ledger_refresh=');
    const after = await http()
      .post('/auth/session/refresh')
      .set(COOKIE_HEADER)
      .set('Cookie', refreshCookie(res)!);
    expect(after.status).toBe(401);
  });
});
