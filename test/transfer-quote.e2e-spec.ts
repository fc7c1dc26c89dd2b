import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/**
 * POST /transfers/quote over HTTP: the rate and the credited amount a
 * transfer would get, from the same rate provider, with nothing moved and
 * nothing about the recipient beyond their currency.
 */
describe.each(databaseFactories())('transfer quotes over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  let alice: TestUser;
  let bob: TestUser;
  let aliceWallet: string;

  const rates = process.env.LEDGER_FX_RATES;
  beforeAll(async () => {
    // The rate provider reads the process environment when the module starts.
    process.env.LEDGER_FX_RATES = 'EUR/USD=1.10';
    t = await startLedgerApp(factory, {}, new ManualClock(Date.now()));
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'USD' });
    await t.settle();
    aliceWallet = (await walletOf(alice, 'EUR')).id;
  });
  afterAll(async () => {
    await t?.close();
    if (rates === undefined) delete process.env.LEDGER_FX_RATES;
    else process.env.LEDGER_FX_RATES = rates;
  });

  async function walletOf(user: TestUser, currency: string, position?: string) {
    const res = await t
      .http()
      .get(position ? `/wallets?position=${position}` : '/wallets')
      .set('Authorization', user.auth)
      .expect(200);
    const items = res.body.items as Array<{ id: string; currency: string; availableMinor: string }>;
    const wallet = items.find((w) => w.currency === currency);
    if (!wallet) throw new Error(`No ${currency} wallet`);
    return wallet;
  }

  const quote = (user: TestUser, body: Record<string, unknown>) =>
    t.http().post('/transfers/quote').set('Authorization', user.auth).send(body);

  it('quotes what a transfer by e-mail credits, and the transfer then credits exactly that', async () => {
    const res = await quote(alice, {
      fromWalletId: aliceWallet,
      toEmail: bob.email,
      amountMinor: 2501,
    });
    expect(res.status).toBe(200);
    // Currencies and amounts only: no wallet id, no owner, no name.
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'amountMinor',
        'creditAmountMinor',
        'creditCurrency',
        'currency',
        'expiresAt',
        'rate',
        'rateSource',
      ].sort(),
    );
    expect(res.body).toMatchObject({
      currency: 'EUR',
      amountMinor: '2501',
      creditCurrency: 'USD',
      creditAmountMinor: '2751', // 27.511 rounded down
      rate: '1.10',
      rateSource: 'configured',
    });
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());

    const topUp = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: aliceWallet, amountMinor: 10_000, currency: 'EUR' });
    expect(topUp.status).toBe(202);
    // The card payment settles in the background: wait until it has.
    for (let attempt = 0; attempt < 200; attempt++) {
      const movement = await t
        .http()
        .get(`/movements/${topUp.body.id}`)
        .set('Authorization', alice.auth);
      if (movement.body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const sent = await t
      .http()
      .post('/transfers')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ fromWalletId: aliceWallet, toEmail: bob.email, amountMinor: 2501, currency: 'EUR' });
    expect([sent.status, sent.body.error]).toEqual([201, undefined]);
    expect((await walletOf(bob, 'USD', sent.body.position)).availableMinor).toBe(
      res.body.creditAmountMinor,
    );
  });

  it('quotes a currency alone, and the same currency at no rate', async () => {
    const usd = await quote(alice, {
      fromWalletId: aliceWallet,
      toCurrency: 'USD',
      amountMinor: '100',
    });
    expect([usd.status, usd.body.creditAmountMinor]).toEqual([200, '110']);
    const same = await quote(alice, {
      fromWalletId: aliceWallet,
      toCurrency: 'EUR',
      amountMinor: '100',
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ creditCurrency: 'EUR', creditAmountMinor: '100' });
    expect(same.body.rate).toBeUndefined();
  });

  it('refuses bad input and answers for a stranger as for nobody', async () => {
    const refusal = async (user: TestUser, body: Record<string, unknown>) => {
      const res = await quote(user, body);
      return [res.status, res.body.error];
    };
    expect(await refusal(alice, { fromWalletId: aliceWallet, amountMinor: 100 })).toEqual([
      400,
      'recipient_required',
    ]);
    expect(
      await refusal(alice, {
        fromWalletId: aliceWallet,
        toEmail: bob.email,
        toCurrency: 'USD',
        amountMinor: 100,
      }),
    ).toEqual([400, 'recipient_required']);
    const badAmount = await quote(alice, {
      fromWalletId: aliceWallet,
      toCurrency: 'USD',
      amountMinor: -5,
    });
    expect(badAmount.status).toBe(400);
    expect(
      await refusal(alice, { fromWalletId: aliceWallet, toCurrency: 'JPY', amountMinor: 100 }),
    ).toEqual([422, 'fx_rate_unavailable']);
    expect(
      await refusal(alice, { fromWalletId: aliceWallet, toCurrency: 'USD', amountMinor: 0 }),
    ).toEqual([400, expect.any(String)]);
    // Someone else's wallet looks like a missing one.
    expect(
      await refusal(bob, { fromWalletId: aliceWallet, toCurrency: 'USD', amountMinor: 100 }),
    ).toEqual([404, 'wallet_not_found']);
    expect(
      await refusal(alice, {
        fromWalletId: aliceWallet,
        toEmail: 'nobody-here@example.com',
        amountMinor: 100,
      }),
    ).toEqual([404, 'recipient_not_found']);
  });
});
