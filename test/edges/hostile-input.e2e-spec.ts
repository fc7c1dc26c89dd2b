import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  PASSWORD,
  signUp,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';
import { customer, logHead, ManualClock, type Customer } from './edges-support';

/**
 * One regression check per malformed request seen answering 500, and per
 * route that told another customer's object apart from a missing one. Each
 * refusal is a 4xx naming the problem, and nothing reaches the event log.
 */
describe.each(databaseFactories())('hostile input on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  let alice: Customer;
  let bob: Customer;
  let auditor: TestUser;
  let adminEmail = '';

  beforeAll(async () => {
    t = await startLedgerApp(factory, {}, clock);
    const admin = await adminUser(t);
    adminEmail = admin.email;
    auditor = await staffUser(t, admin, ['auditor']);
    alice = await customer(t, await signUp(t), clock);
    bob = await customer(t, await signUp(t), clock);
    await t.settle();
  });
  afterAll(() => t?.close());

  /** Runs `send` and checks that it wrote nothing to the event log. */
  async function refused(send: () => Promise<{ status: number; body: Record<string, unknown> }>) {
    await t.settle();
    const before = await logHead(t);
    const res = await send();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await logHead(t)).toBe(before);
    return res;
  }

  const postRaw = (path: string, body: string, user: TestUser = alice) =>
    t
      .http()
      .post(path)
      .set('Authorization', user.auth)
      .set('Idempotency-Key', key())
      .set('Content-Type', 'application/json')
      .send(body);

  it('refuses a Content-Encoding it does not read with 415, on every route', async () => {
    for (const path of ['/auth/login', '/wallets', '/health']) {
      const res = await refused(() =>
        t
          .http()
          .post(path)
          .set('Authorization', alice.auth)
          .set('Idempotency-Key', key())
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .send('{"currency":"EUR"}'),
      );
      expect([res.status, res.body.error]).toEqual([415, 'unsupported_encoding']);
      expect(res.body.message).toMatch(/Content-Encoding/);
    }
    const get = await t.http().get('/health').set('Content-Encoding', 'gzip').send('{}');
    expect([get.status, get.body.error]).toEqual([415, 'unsupported_encoding']);
  });

  it('refuses JSON nested beyond the depth limit before validating or fingerprinting it', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const path of ['/wallets', '/auth/signup', '/transfers']) {
      const res = await refused(() => postRaw(path, `{"currency":${deep}}`));
      expect([res.status, res.body.error]).toEqual([400, 'body_too_deep']);
      expect(res.body.message).toMatch(/deeper than 32/);
    }
    const wide = `{"email":[${Array(4100).fill('1').join(',')}]}`;
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(wide);
    expect([res.status, res.body.error]).toEqual([400, 'body_too_large']);
  });

  it('reports a body that is not JSON as not JSON, whatever numbers it holds', async () => {
    for (const body of ['hello', 'hello 1.5', '{"currency": 1.5', '"EUR"', '12', 'null']) {
      const res = await refused(() => postRaw('/wallets', body));
      expect([res.status, res.body.error]).toEqual([400, 'malformed_json']);
      expect(res.body.message).toMatch(/not valid JSON|must be a JSON object/);
    }
    const typed = await refused(() =>
      t
        .http()
        .post('/wallets')
        .set('Authorization', alice.auth)
        .set('Idempotency-Key', key())
        .set('Content-Type', 'text/plain')
        .send('currency=EUR'),
    );
    expect([typed.status, typed.body.error]).toEqual([415, 'unsupported_media_type']);
  });

  it('refuses keys that name a prototype, however they are spelled', async () => {
    for (const [body, field] of [
      ['{"currency":"EUR","__proto__":{"x":1}}', '__proto__'],
      ['{"currency":"EUR","constructor":{"prototype":{}}}', 'constructor'],
      ['{"currency":"EUR","nested":{"prototype":1}}', 'prototype'],
      ['{"currency":"EUR","__pr\\u006fto__":{"x":1}}', '__proto__'],
    ] as const) {
      const res = await refused(() => postRaw('/wallets', body));
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
      expect(res.body.errors).toEqual([
        { field, code: 'key_not_allowed', message: `${field} is not allowed as a key` },
      ]);
    }
  });

  it('refuses a NUL character or an unpaired surrogate in a string, naming the field', async () => {
    for (const [path, body, field] of [
      [
        '/transfers',
        `{"fromWalletId":"${alice.walletId}","toEmail":"\\ud800","amountMinor":1,"currency":"EUR"}`,
        'toEmail',
      ],
      ['/auth/signup', '{"email":"a@example.com","password":"x","name":"\\u0000"}', 'name'],
      ['/auth/login', '{"email":"\\udc00@example.com","password":"x"}', 'email'],
    ] as const) {
      const res = await refused(() => postRaw(path, body));
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
      expect(res.body.errors).toEqual([
        {
          field,
          code: 'invalid_text',
          message: `${field} must be text without NUL characters or unpaired surrogates`,
        },
      ]);
    }
  });

  it('refuses null for an optional sign-up field, naming it, and creates no account', async () => {
    const email = `null-${randomUUID()}@example.com`;
    for (const field of ['phone', 'name', 'currency']) {
      const res = await refused(() =>
        t
          .http()
          .post('/auth/signup')
          .send({ email, password: 'correct horse battery staple', [field]: null }),
      );
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
      expect(res.body.message).toMatch(new RegExp(`^${field} must be`));
    }
    const login = await t
      .http()
      .post('/auth/login')
      .send({ email, password: 'correct horse battery staple' });
    expect(login.status).toBe(401);
  });

  it('answers a malformed wallet id in a path exactly as a missing wallet', async () => {
    const missing = await t.http().get(`/wallets/${randomUUID()}`).set('Authorization', alice.auth);
    expect([missing.status, missing.body.error]).toEqual([404, 'wallet_not_found']);
    for (const path of [
      '/wallets/%00',
      '/wallets/%00/history',
      '/wallets/not-a-uuid',
      '/movements/wallets/%00/statistics',
      `/movements/wallets/${'9'.repeat(300)}/statistics`,
    ]) {
      const res = await t.http().get(path).set('Authorization', alice.auth);
      expect([res.status, res.body]).toEqual([404, missing.body]);
    }
    const close = await refused(() =>
      t.http().post('/wallets/%00/close').set('Authorization', alice.auth),
    );
    expect([close.status, close.body]).toEqual([404, missing.body]);
    const admin = await t
      .http()
      .post('/auth/login')
      .send({ email: adminEmail, password: PASSWORD });
    const roles = (id: string) =>
      t
        .http()
        .put(`/admin/users/${id}/roles`)
        .set('Authorization', `Bearer ${admin.body.accessToken}`)
        .send({ roles: ['customer'] });
    const noUser = await roles(randomUUID());
    expect([noUser.status, noUser.body.error]).toEqual([404, 'user_not_found']);
    expect([(await roles('%00')).status, (await roles('%00')).body]).toEqual([404, noUser.body]);
  });

  it('refuses query numbers and positions beyond their column ranges with a 400 naming them', async () => {
    const admin = await t
      .http()
      .post('/auth/login')
      .send({ email: adminEmail, password: PASSWORD });
    const staff = `Bearer ${admin.body.accessToken}`;
    const before = await t
      .http()
      .get('/audit/security-events?before=9999999999999999999')
      .set('Authorization', auditor.auth);
    expect([before.status, before.body.error]).toEqual([400, 'validation_failed']);
    expect(before.body.message).toMatch(/^before /);
    const inRange = await t
      .http()
      .get('/audit/security-events?before=9223372036854775807&limit=1')
      .set('Authorization', auditor.auth);
    expect(inRange.status).toBe(200);
    for (const after of ['99999999999999999999.1', '1.99999999999999999999', '1.-2']) {
      const res = await t.http().get(`/ledger/events?after=${after}`).set('Authorization', staff);
      expect([res.status, res.body.error]).toEqual([400, 'invalid_position']);
      expect(res.body.message).toMatch(/^after must be a position token/);
    }
    const overflow = await t
      .http()
      .get('/wallets?position=99999999999999999999.1')
      .set('Authorization', alice.auth);
    expect([overflow.status, overflow.body.error]).toEqual([400, 'invalid_position']);
    expect(overflow.body.message).toMatch(/^position must be/);
  });

  it('refuses a position no write has reached as 400, and waits for one that was written', async () => {
    await t.settle();
    const head = await logHead(t);
    const [commit = 0n, prepare = 0n] = head.split('.').map(BigInt);
    expect(head).toMatch(/^\d+\.\d+$/);
    for (const position of [`${commit + 1000n}.0`, `${commit}.${prepare + 1n}`]) {
      const res = await t
        .http()
        .get(`/wallets/${alice.walletId}?position=${position}`)
        .set('Authorization', alice.auth);
      expect([res.status, res.body.error]).toEqual([400, 'position_beyond_head']);
    }
    const reached = await t
      .http()
      .get(`/wallets/${alice.walletId}?position=${head}`)
      .set('Authorization', alice.auth);
    expect(reached.status).toBe(200);
  });

  it("answers another customer's wallet on a money route exactly as a missing one", async () => {
    const routes = (walletId: string) =>
      [
        [
          '/transfers',
          { fromWalletId: walletId, toEmail: alice.email, amountMinor: 100, currency: 'EUR' },
        ],
        ['/top-ups', { walletId, amountMinor: 100, currency: 'EUR' }],
        [
          '/withdrawals',
          { walletId, amountMinor: 100, currency: 'EUR', destinationId: alice.destinationId },
        ],
      ] as const;
    const send = async (path: string, body: object) =>
      t
        .http()
        .post(path)
        .set('Authorization', alice.auth)
        .set('Idempotency-Key', key())
        .set('X-2FA-Code', await alice.code())
        .send(body);
    const missingId = randomUUID();
    for (const [i, [path, body]] of routes(bob.walletId).entries()) {
      const other = await refused(() => send(path, body));
      const missing = await refused(() => send(path, must(routes(missingId)[i], 'route')[1]));
      expect([other.status, other.body]).toEqual([404, missing.body]);
      expect(missing.body.error).toBe('wallet_not_found');
    }
  });

  it("shows each side of a transfer only its own wallet, never the other's", async () => {
    // A transfer completes within the request, so the sender needs the money first.
    const top = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: alice.walletId, amountMinor: 100, currency: 'EUR' });
    expect(top.status).toBe(202);
    for (let poll = 0; poll < 200; poll++) {
      const m = await t.http().get(`/movements/${top.body.id}`).set('Authorization', alice.auth);
      if (m.body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const res = await t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ fromWalletId: alice.walletId, toEmail: bob.email, amountMinor: 1, currency: 'EUR' });
    expect([res.status, res.body.status]).toEqual([201, 'completed']);
    const asBob = await t.http().get(`/movements/${res.body.id}`).set('Authorization', bob.auth);
    expect(asBob.status).toBe(200);
    expect(asBob.body.walletIds).toEqual([bob.walletId]);
    expect(JSON.stringify(asBob.body)).not.toContain(alice.walletId);
    const asAlice = await t
      .http()
      .get(`/movements/${res.body.id}`)
      .set('Authorization', alice.auth);
    expect(asAlice.body.walletIds).toEqual([alice.walletId]);
    expect(JSON.stringify(asAlice.body)).not.toContain(bob.walletId);
  });
});
