import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  adminUser,
  enrolTwoFactor,
  key,
  linkBankAccount,
  signUp,
  verifyEmail,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/**
 * Top-up, transfer and withdrawal through the running service, as a
 * frontend drives them: the embedded sandbox gateway settles the card
 * payment and the payout, the worker's saga driver moves the money, and the
 * read models show it.
 */
describe.each(databaseFactories())('money movements over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startLedgerApp(factory, { LEDGER_FX_RATES: 'EUR/USD=1.10' }, clock);
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    await t.settle();
  });
  afterAll(() => t?.close());

  const walletOf = async (user: TestUser, currency = 'EUR', position?: string) => {
    const res = await t
      .http()
      .get(position ? `/wallets?position=${position}` : '/wallets')
      .set('Authorization', user.auth)
      .expect(200);
    return (res.body.items as Array<{ id: string; currency: string; availableMinor: string }>).find(
      (w) => w.currency === currency,
    )!;
  };

  /** Polls the movement until it is terminal: sagas finish asynchronously, in the worker. */
  async function finished(
    user: TestUser,
    id: string,
  ): Promise<{ status: string; [k: string]: unknown }> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http().get(`/movements/${id}`).set('Authorization', user.auth);
      if (res.status === 200 && ['completed', 'failed'].includes(res.body.status)) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Movement ${id} did not finish`);
  }

  async function topUp(user: TestUser, amountMinor: number) {
    const wallet = await walletOf(user);
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallet.id, amountMinor, currency: 'EUR' });
    expect(res.status).toBe(202);
    return res.body as { id: string; clientSecret?: string };
  }

  it('tops up by card: the wallet is credited against card clearing once the payment succeeds', async () => {
    const started = await topUp(alice, 10_000);
    expect(started.clientSecret).toEqual(expect.any(String));
    expect((await finished(alice, started.id)).status).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('10000');
  });

  it("transfers to another user by e-mail; neither party can see a stranger's movement", async () => {
    const from = await walletOf(alice);
    const res = await t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({
        fromWalletId: from.id,
        toEmail: bob.email,
        amountMinor: '2500',
        currency: 'EUR',
        description: 'dinner',
      });
    // Final within the request: the money has moved when the answer arrives,
    // and the read models show it from the answer's position on.
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'completed', position: expect.any(String) });
    expect((await walletOf(alice, 'EUR', res.body.position)).availableMinor).toBe('7500');
    expect((await walletOf(bob, 'EUR', res.body.position)).availableMinor).toBe('2500');
    const movement = await t
      .http()
      .get(`/movements/${res.body.id}`)
      .set('Authorization', alice.auth)
      .expect(200);
    expect(movement.body).toMatchObject({ status: 'completed', position: res.body.position });
    const stranger = await signUp(t);
    expect(
      (await t.http().get(`/movements/${res.body.id}`).set('Authorization', stranger.auth)).status,
    ).toBe(404);
  });

  it('refuses a transfer beyond the available balance and leaves both wallets as they were', async () => {
    const from = await walletOf(alice);
    const res = await t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ fromWalletId: from.id, toEmail: bob.email, amountMinor: 1_000_000, currency: 'EUR' });
    expect([res.status, res.body.error]).toEqual([422, 'exceeds_available']);
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('7500');
    expect((await walletOf(bob)).availableMinor).toBe('2500');
  });

  it('withdraws to a linked bank account only with a verified e-mail and a fresh second factor', async () => {
    const unverified = await t
      .http()
      .post('/payout-destinations')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .set('X-2FA-Code', '123456')
      .send({ type: 'bank_account', providerRef: 'ba_test_123', label: 'Main account' });
    expect([unverified.status, unverified.body.error]).toEqual([403, 'email_not_verified']);
    await verifyEmail(t, alice);
    const code = await enrolTwoFactor(t, alice, clock);
    clock.advanceSeconds(30);
    const destination = await linkBankAccount(t, alice, await code());
    expect(destination.body).toMatchObject({ label: 'Main account' });
    expect(destination.status).toBe(201);

    const wallet = await walletOf(alice);
    const body = {
      walletId: wallet.id,
      amountMinor: 1500,
      currency: 'EUR',
      destinationId: destination.body.id,
    };
    const withoutCode = await t
      .http()
      .post('/withdrawals')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send(body);
    expect(withoutCode.status).toBe(403);
    expect(withoutCode.body.error).toMatch(/two_factor/);
    // The code that added the destination was used: within its window it is refused.
    const replayed = await t
      .http()
      .post('/withdrawals')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .set('X-2FA-Code', await code())
      .send(body);
    expect(replayed.status).toBe(403);
    expect(replayed.body.error).toMatch(/two_factor|code/);
    clock.advanceSeconds(30);
    // A withdrawal the wallet cannot cover is refused at once, before the
    // code is spent: the same code then pays for the next request.
    const overdraw = await t
      .http()
      .post('/withdrawals')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .set('X-2FA-Code', await code())
      .send({ ...body, amountMinor: 1_000_000 });
    expect([overdraw.status, overdraw.body]).toMatchObject([422, { error: 'exceeds_available' }]);
    const withdrawalKey = key();
    const send = async () =>
      t
        .http()
        .post('/withdrawals')
        .set('Authorization', alice.auth)
        .set('Idempotency-Key', withdrawalKey)
        .set('X-2FA-Code', await code())
        .send(body);
    const res = await send();
    expect([res.status, res.body]).toMatchObject([202, { status: 'pending' }]);
    // A network retry carries the same key and the code already spent: it
    // replays the first answer instead of failing the second factor.
    const retry = await send();
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(res.body.id);
    expect((await finished(alice, res.body.id)).status).toBe('completed');
    await t.settle();
    expect((await walletOf(alice)).availableMinor).toBe('6000');
  });

  it('keeps the books balanced, the clearing accounts right and the read models equal to a replay', async () => {
    await t.settle();
    const admin = await adminUser(t);
    expect((await t.http().get('/ledger/verify').set('Authorization', alice.auth)).status).toBe(
      403,
    );
    const verify = await t
      .http()
      .get('/ledger/verify')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(verify.body).toMatchObject({ clean: true, differenceCount: 0 });
    const accounts = await t
      .http()
      .get('/ledger/accounts?kind=system')
      .set('Authorization', admin.auth)
      .expect(200);
    const balance = (account: string) =>
      accounts.body.items.find((a: { account: string }) => a.account === account);
    // The card payment came in through card clearing; the payout left through payouts clearing.
    expect(balance('system:card_clearing')).toMatchObject({
      currency: 'EUR',
      debitsMinor: '10000',
      creditsMinor: '0',
    });
    expect(balance('system:payouts_clearing')).toMatchObject({
      currency: 'EUR',
      debitsMinor: '0',
      creditsMinor: '1500',
    });
    const transit = await t
      .http()
      .get('/ledger/accounts?kind=transit')
      .set('Authorization', admin.auth)
      .expect(200);
    for (const account of transit.body.items)
      expect(account.debitsMinor).toBe(account.creditsMinor);
  });

  it('links a card through a SetupIntent, tops up with it, and unlinks it; another user cannot touch it', async () => {
    const setup = await t
      .http()
      .post('/cards/setup-intents')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({});
    expect(setup.status).toBe(201);
    expect(setup.body.clientSecret).toEqual(expect.any(String));
    const cards = await t.http().get('/cards').set('Authorization', alice.auth).expect(200);
    expect(cards.body.items).toHaveLength(1);
    const card = cards.body.items[0] as { paymentMethodId: string; last4: string };
    expect(card.last4).toMatch(/^\d{4}$/);
    expect(
      (await t.http().get('/cards').set('Authorization', bob.auth).expect(200)).body.items,
    ).toHaveLength(0);
    expect(
      (await t.http().delete(`/cards/${card.paymentMethodId}`).set('Authorization', bob.auth))
        .status,
    ).toBe(404);

    const wallet = await walletOf(alice);
    const before = BigInt(wallet.availableMinor);
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({
        walletId: wallet.id,
        amountMinor: 700,
        currency: 'EUR',
        paymentMethodId: card.paymentMethodId,
      });
    expect(res.status).toBe(202);
    expect((await finished(alice, res.body.id)).status).toBe('completed');
    await t.settle();
    expect(BigInt((await walletOf(alice)).availableMinor) - before).toBe(700n);

    await t
      .http()
      .delete(`/cards/${card.paymentMethodId}`)
      .set('Authorization', alice.auth)
      .expect(204);
    expect(
      (await t.http().get('/cards').set('Authorization', alice.auth).expect(200)).body.items,
    ).toHaveLength(0);
  });
});
