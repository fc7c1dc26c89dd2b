/* eslint-disable max-lines -- the wallet routes, their bad input and their ownership over one
   running service (starting it takes seconds per database). */
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  signUp,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

describe.each(databaseFactories())('wallets over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  let admin: TestUser;
  let finance: TestUser;
  let auditor: TestUser;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    admin = await adminUser(t);
    finance = await staffUser(t, admin, ['finance']);
    auditor = await staffUser(t, admin, ['auditor']);
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'USD' });
    await t.settle();
  });
  afterAll(() => t?.close());

  /** The wallet sign-up opened: the one in the user's default currency. */
  const walletOf = async (user: TestUser) => {
    const res = await t.http().get('/wallets').set('Authorization', user.auth).expect(200);
    const items = res.body.items as Array<{ id: string; currency: string; availableMinor: string }>;
    return items.find((w) => w.currency === (user === alice ? 'EUR' : 'USD'))!;
  };

  const adjust = (walletId: string, body: Record<string, unknown>, idempotencyKey = key()) =>
    t
      .http()
      .post(`/wallets/${walletId}/adjustments`)
      .set('Authorization', finance.auth)
      .set('Idempotency-Key', idempotencyKey)
      .send(body);

  it('gives every user a wallet in their default currency on sign-up', async () => {
    expect(await walletOf(alice)).toMatchObject({ currency: 'EUR', availableMinor: '0' });
    expect(await walletOf(bob)).toMatchObject({ currency: 'USD', availableMinor: '0' });
  });

  it('opens more wallets idempotently and lets the client read its own write', async () => {
    const k = key();
    const first = await t
      .http()
      .post('/wallets')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', k)
      .send({ currency: 'JPY' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      currency: 'JPY',
      status: 'open',
      postedMinor: '0',
      ownerId: alice.userId,
    });
    const events = await t.eventCount();
    const again = await t
      .http()
      .post('/wallets')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', k)
      .send({ currency: 'JPY' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await t.eventCount()).toBe(events);
    const reused = await t
      .http()
      .post('/wallets')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', k)
      .send({ currency: 'GBP' });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toBe('idempotency_key_reused');
    const read = await t
      .http()
      .get(`/wallets/${first.body.id}?position=${first.body.position}`)
      .set('Authorization', alice.auth);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: first.body.id, currency: 'JPY' });
  });

  it('posts finance adjustments as balanced entries against a system account', async () => {
    const wallet = await walletOf(alice);
    const credit = await adjust(wallet.id, {
      direction: 'credit',
      amountMinor: 1250,
      currency: 'EUR',
      account: 'suspense',
      reason: 'opening balance',
    });
    expect(credit.status).toBe(201);
    expect(credit.body.postedMinor).toBe('1250');
    const debit = await adjust(wallet.id, {
      direction: 'debit',
      amountMinor: '250',
      currency: 'EUR',
      account: 'fees',
      reason: 'monthly fee',
    });
    expect(debit.body.availableMinor).toBe('1000');
    const overdraw = await adjust(wallet.id, {
      direction: 'debit',
      amountMinor: '1001',
      currency: 'EUR',
      account: 'fees',
      reason: 'too much',
    });
    expect(overdraw.status).toBe(422);
    expect(overdraw.body.error).toBe('exceeds_available');

    const history = await t
      .http()
      .get(`/wallets/${wallet.id}/history?position=${debit.body.position}&type=WalletDebited`)
      .set('Authorization', alice.auth);
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ amountMinor: '250', contra: 'system:fees' });
    expect(history.body.nextCursor).toBeNull();
    // Every field the route answers with is one its OpenAPI schema declares.
    const doc = (await t.http().get('/openapi.json').expect(200)).body;
    const entry = doc.components.schemas.WalletHistoryEntryView;
    expect(Object.keys(history.body.items[0]).filter((k) => !(k in entry.properties))).toEqual([]);
    expect(entry.required).toEqual(expect.arrayContaining(['eventId', 'amountMinor', 'position']));

    await t.settle();
    const trial = await t
      .http()
      .get('/ledger/trial-balance')
      .set('Authorization', auditor.auth)
      .expect(200);
    const eur = trial.body.lines.find((l: { currency: string }) => l.currency === 'EUR');
    // Both legs of both entries: 1250 + 250 on each side.
    expect(eur).toEqual({
      currency: 'EUR',
      debitsMinor: '1500',
      creditsMinor: '1500',
      balanced: true,
    });
    const verify = await t
      .http()
      .get('/ledger/verify')
      .set('Authorization', auditor.auth)
      .expect(200);
    expect(verify.body.clean).toBe(true);
    expect(verify.body.differenceCount).toBe(0);
  });

  describe('bad input gets a 4xx that names the problem and writes nothing', () => {
    const cases: Array<[string, Record<string, unknown> | string, number, RegExp]> = [
      [
        'fractional amount',
        {
          direction: 'credit',
          amountMinor: 10.5,
          currency: 'EUR',
          account: 'suspense',
          reason: 'x x x',
        },
        400,
        /amountMinor/,
      ],
      [
        'exponent amount',
        '{"direction":"credit","amountMinor":1e3,"currency":"EUR","account":"suspense","reason":"xxx"}',
        400,
        /amountMinor/,
      ],
      [
        'negative amount',
        {
          direction: 'credit',
          amountMinor: -5,
          currency: 'EUR',
          account: 'suspense',
          reason: 'xxx',
        },
        400,
        /amountMinor/,
      ],
      [
        'zero amount',
        {
          direction: 'credit',
          amountMinor: '0',
          currency: 'EUR',
          account: 'suspense',
          reason: 'xxx',
        },
        400,
        /amountMinor/,
      ],
      [
        'huge amount',
        {
          direction: 'credit',
          amountMinor: '99999999999999999999',
          currency: 'EUR',
          account: 'suspense',
          reason: 'xxx',
        },
        400,
        /amountMinor/,
      ],
      [
        'amount of the wrong type',
        {
          direction: 'credit',
          amountMinor: true,
          currency: 'EUR',
          account: 'suspense',
          reason: 'xxx',
        },
        400,
        /amountMinor/,
      ],
      [
        'unknown currency',
        {
          direction: 'credit',
          amountMinor: 5,
          currency: 'XYZ',
          account: 'suspense',
          reason: 'xxx',
        },
        400,
        /currency/,
      ],
      [
        'currency of another wallet',
        {
          direction: 'credit',
          amountMinor: 5,
          currency: 'USD',
          account: 'suspense',
          reason: 'xxx',
        },
        422,
        /currency/,
      ],
      [
        'unknown system account',
        { direction: 'credit', amountMinor: 5, currency: 'EUR', account: 'bank', reason: 'xxx' },
        400,
        /account/,
      ],
      [
        'unknown field',
        {
          direction: 'credit',
          amountMinor: 5,
          currency: 'EUR',
          account: 'suspense',
          reason: 'xxx',
          extra: 1,
        },
        400,
        /extra/,
      ],
      ['malformed JSON', '{"direction": "credit",', 400, /JSON/],
      ['oversized body', JSON.stringify({ reason: 'x'.repeat(20_000) }), 413, /size/],
    ];

    it.each(cases)('%s', async (_name, body, status, message) => {
      const wallet = await walletOf(alice);
      const before = await t.eventCount();
      const req = t
        .http()
        .post(`/wallets/${wallet.id}/adjustments`)
        .set('Authorization', finance.auth)
        .set('Idempotency-Key', key());
      const res =
        typeof body === 'string'
          ? await req.set('Content-Type', 'application/json').send(body)
          : await req.send(body);
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(res.body).not.toHaveProperty('stack');
      expect(await t.eventCount()).toBe(before);
    });

    it('an unknown or malformed wallet id is 404 and a missing Idempotency-Key is 400', async () => {
      const before = await t.eventCount();
      const missing = await adjust('00000000-0000-4000-8000-000000000000', {
        direction: 'credit',
        amountMinor: 5,
        currency: 'EUR',
        account: 'suspense',
        reason: 'xxx',
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('wallet_not_found');
      const noKey = await t
        .http()
        .post('/wallets')
        .set('Authorization', alice.auth)
        .send({ currency: 'EUR' });
      expect(noKey.status).toBe(400);
      expect(noKey.body.error).toBe('idempotency_key_required');
      // A malformed id names no wallet: it answers exactly as a missing one.
      const badId = await t.http().get('/wallets/not-a-uuid').set('Authorization', alice.auth);
      expect([badId.status, badId.body.error]).toEqual([404, 'wallet_not_found']);
      expect(await t.eventCount()).toBe(before);
    });
  });

  describe('ownership: another customer cannot tell a wallet exists', () => {
    const routes: Array<[string, string, (id: string) => string]> = [
      ['GET', 'wallet', (id) => `/wallets/${id}`],
      ['GET', 'history', (id) => `/wallets/${id}/history`],
      ['POST', 'close', (id) => `/wallets/${id}/close`],
    ];

    it.each(routes)('%s %s', async (method, _name, path) => {
      const wallet = await walletOf(alice);
      const as = (user?: TestUser) => {
        const req =
          method === 'GET' ? t.http().get(path(wallet.id)) : t.http().post(path(wallet.id));
        return user ? req.set('Authorization', user.auth) : req;
      };
      expect((await as(bob)).status).toBe(404);
      expect((await as()).status).toBe(401);
      if (method === 'GET') {
        expect((await as(alice)).status).toBe(200);
        expect((await as(finance)).status).toBe(200);
        expect((await as(auditor)).status).toBe(200);
      } else {
        // The owner's close is refused by the balance, not by access.
        expect((await as(alice)).body.error).toBe('balance_not_zero');
      }
    });

    it('customers cannot post adjustments or read the books', async () => {
      const wallet = await walletOf(bob);
      const res = await t
        .http()
        .post(`/wallets/${wallet.id}/adjustments`)
        .set('Authorization', bob.auth)
        .set('Idempotency-Key', key())
        .send({
          direction: 'credit',
          amountMinor: 5,
          currency: 'USD',
          account: 'suspense',
          reason: 'free money',
        });
      expect(res.status).toBe(403);
      expect(
        (await t.http().get('/ledger/trial-balance').set('Authorization', bob.auth)).status,
      ).toBe(403);
      const list = await t
        .http()
        .get(`/wallets?ownerId=${alice.userId}`)
        .set('Authorization', bob.auth)
        .expect(200);
      expect(list.body.items.every((w: { ownerId: string }) => w.ownerId === bob.userId)).toBe(
        true,
      );
    });
  });

  it('reports projection lag and, on Postgres, the age of the oldest writing transaction', async () => {
    await t.settle();
    const res = await t
      .http()
      .get('/ledger/projections')
      .set('Authorization', auditor.auth)
      .expect(200);
    expect(res.body).toMatchObject({ name: 'read_models', caughtUp: true, eventsBehind: 0 });
    if (factory.name === 'postgres')
      expect(res.body.oldestWriteTransactionSeconds).toEqual(expect.any(Number));
    else expect(res.body.oldestWriteTransactionSeconds).toBeNull();
  });

  it('serves an OpenAPI document with the bearer scheme', async () => {
    const res = await t.http().get('/openapi.json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/wallets', '/wallets/{id}/adjustments', '/ledger/trial-balance']),
    );
    // The history and statistics answers are typed, so generated clients can read them.
    const schemaOf = (path: string) =>
      res.body.paths[path].get.responses['200'].content['application/json'].schema;
    expect(schemaOf('/wallets/{id}/history')).toEqual({
      $ref: '#/components/schemas/WalletHistoryPageView',
    });
    expect(schemaOf('/movements/wallets/{walletId}/statistics')).toEqual({
      $ref: '#/components/schemas/WalletStatisticsView',
    });
    // A transfer answers 201 when it completed within the request, 202 when the worker finishes it.
    expect(Object.keys(res.body.paths['/transfers'].post.responses)).toEqual(
      expect.arrayContaining(['201', '202']),
    );
  });

  it('reports health of the event store and the database', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.checks).toMatchObject({
      eventStore: { status: 'up' },
      database: { status: 'up' },
    });
  });
});
