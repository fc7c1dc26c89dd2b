import { randomUUID } from 'node:crypto';
import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  adminUser,
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/**
 * Paying a merchant over HTTP: the payment completes within the request,
 * the order reference answers a second payment with the first, the merchant
 * lists and refunds it (in part, concurrently, never beyond what was paid),
 * and payments and refunds show on both parties' statements and movements.
 */
describe.each(databaseFactories())('merchant payments over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  const clock = new ManualClock(Date.now());
  let alice: TestUser;
  let bob: TestUser;
  let shop: TestUser;
  const wallets: Record<string, string> = {};

  const get = (path: string, user: TestUser) => t.http().get(path).set('Authorization', user.auth);

  async function walletOf(user: TestUser): Promise<string> {
    await t.settle();
    return (await get('/wallets', user).expect(200)).body.items[0].id;
  }

  const pay = (user: TestUser, body: Record<string, unknown>, idempotencyKey = key()) =>
    t
      .http()
      .post('/payments')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', idempotencyKey)
      .send({
        merchantId: shop.userId,
        walletId: wallets[user.userId],
        currency: 'EUR',
        ...body,
      });

  const refund = (user: TestUser, paymentId: string, amountMinor: number, reason?: string) =>
    t
      .http()
      .post(`/payments/${paymentId}/refunds`)
      .set('Authorization', user.auth)
      .set('Idempotency-Key', key())
      .send({ amountMinor, ...(reason && { reason }) });

  async function available(user: TestUser): Promise<string> {
    await t.settle();
    return (await get(`/wallets/${wallets[user.userId]}`, user).expect(200)).body.availableMinor;
  }

  beforeAll(async () => {
    t = await startLedgerApp(factory, {}, clock);
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    shop = await adminUser(t, ['customer', 'merchant']);
    for (const u of [alice, bob, shop]) wallets[u.userId] = await walletOf(u);
    const top = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallets[alice.userId], amountMinor: 10_000, currency: 'EUR' });
    expect(top.status).toBe(202);
    topUpAnswer = top.body;
    for (let poll = 0; poll < 200; poll++) {
      if ((await get(`/movements/${top.body.id}`, alice)).body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }, 300_000);
  afterAll(() => t?.close());

  let paymentId: string;
  let topUpAnswer: { id: string; position?: string };

  it('answers a top-up and an adjustment with the log position of their outcome', async () => {
    expect(topUpAnswer.position).toMatch(/\d/);
    // Read your own write: the wallet read at that position knows the top-up.
    const seen = await get(
      `/movements?kind=top_up&position=${encodeURIComponent(topUpAnswer.position!)}`,
      alice,
    ).expect(200);
    expect(seen.body.items.map((m: { id: string }) => m.id)).toContain(topUpAnswer.id);

    const finance = await adminUser(t, ['finance']);
    const adjusted = await t
      .http()
      .post(`/wallets/${wallets[bob.userId]}/adjustments`)
      .set('Authorization', finance.auth)
      .set('Idempotency-Key', key())
      .send({
        direction: 'credit',
        amountMinor: 1,
        currency: 'EUR',
        account: 'adjustments',
        reason: 'goodwill',
      });
    expect(adjusted.status).toBe(201);
    await t.settle();
    const [movement] = (await get('/movements?kind=adjustment', bob).expect(200)).body.items;
    const one = (await get(`/movements/${movement.id}`, bob).expect(200)).body;
    expect(one.position).toEqual(expect.any(String));
    expect(one.position).not.toBe('');
    expect(one.position).toBe(adjusted.body.position);
  });

  it('pays a merchant within the request, and answers the same order with the first payment', async () => {
    const first = await pay(alice, { amountMinor: 2_500, reference: 'order-1' });
    expect([first.status, first.body.status]).toEqual([201, 'completed']);
    expect(first.body.id).toMatch(/^transfer-/);
    expect(first.body.position).toEqual(expect.any(String));
    expect(first.body.repeated).toBeUndefined();
    paymentId = first.body.id;

    const again = await pay(alice, { amountMinor: 2_500, reference: 'order-1' });
    // Nothing was created: 200, and the answer says it is the order's first payment.
    expect([again.status, again.body.id, again.body.status, again.body.repeated]).toEqual([
      200,
      paymentId,
      'completed',
      true,
    ]);
    expect(await available(alice)).toBe('7500');
    expect(await available(shop)).toBe('2500');
    const payments = (await get('/movements?kind=payment', alice).expect(200)).body.items;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      id: paymentId,
      kind: 'payment',
      status: 'completed',
      reference: 'order-1',
      counterparty: { email: expect.stringMatching(/^u\*+@example\.com$/) },
    });
    expect((await get(`/movements/${paymentId}`, shop).expect(200)).body).toMatchObject({
      kind: 'payment',
      status: 'completed',
    });
  });

  it('answers an unknown merchant and a user without the merchant role as missing', async () => {
    for (const merchantId of [randomUUID(), bob.userId]) {
      const res = await pay(alice, { merchantId, amountMinor: 100, reference: 'order-x' });
      expect([res.status, res.body.code]).toEqual([404, 'merchant_not_found']);
    }
    const malformed = await pay(alice, { amountMinor: 100, reference: 'has spaces' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'validation_failed']);
    expect(await available(alice)).toBe('7500');
  });

  it("refuses another payer's order reference, and frees the reference of a failed payment", async () => {
    const taken = await pay(bob, { amountMinor: 100, reference: 'order-1' });
    expect([taken.status, taken.body.code]).toEqual([409, 'payment_reference_taken']);

    const refused = await pay(alice, { amountMinor: 1_000_000, reference: 'order-2' });
    expect([refused.status, refused.body.code]).toEqual([422, 'exceeds_available']);
    const paid = await pay(alice, { amountMinor: 100, reference: 'order-2' });
    expect([paid.status, paid.body.status]).toEqual([201, 'completed']);
    expect(await available(alice)).toBe('7400');
  });

  it('lets only the merchant list its payments by reference', async () => {
    await t.settle();
    const page = (await get('/payments?reference=order-1', shop).expect(200)).body;
    expect(page.items).toEqual([
      expect.objectContaining({
        id: paymentId,
        status: 'completed',
        amountMinor: '2500',
        currency: 'EUR',
        reference: 'order-1',
        walletId: wallets[shop.userId],
        refundedMinor: '0',
        refundableMinor: '2500',
        refunds: [],
        payer: expect.objectContaining({ email: expect.stringMatching(/^u\*+@example\.com$/) }),
      }),
    ]);
    expect(JSON.stringify(page)).not.toContain(alice.userId);
    expect(JSON.stringify(page)).not.toContain(wallets[alice.userId]);
    const all = (await get('/payments', shop).expect(200)).body.items;
    expect(all.map((p: { reference: string }) => p.reference)).toEqual(['order-2', 'order-1']);
    const notMerchant = await get('/payments', alice);
    expect([notMerchant.status, notMerchant.body.code]).toEqual([404, 'merchant_not_found']);
  });

  it('refunds in part, never beyond the payment, even when refunds race', async () => {
    const stranger = await refund(bob, paymentId, 100);
    expect([stranger.status, stranger.body.code]).toEqual([404, 'payment_not_found']);
    const payer = await refund(alice, paymentId, 100);
    expect([payer.status, payer.body.code]).toEqual([404, 'payment_not_found']);
    const missing = await refund(shop, `transfer-${randomUUID()}`, 100);
    expect([missing.status, missing.body.code]).toEqual([404, 'payment_not_found']);

    const part = await refund(shop, paymentId, 1_000, 'one item out of stock');
    expect([part.status, part.body.status]).toEqual([201, 'completed']);

    // 1,500 left: of five refunds of 1,000 at once exactly one fits.
    const racing = await Promise.all([1, 2, 3, 4, 5].map(() => refund(shop, paymentId, 1_000)));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422]);
    for (const r of racing.filter((r) => r.status === 422))
      expect(r.body.code).toBe('refund_exceeds_payment');

    const rest = await refund(shop, paymentId, 500);
    expect(rest.status).toBe(201);
    const over = await refund(shop, paymentId, 1);
    expect([over.status, over.body.code]).toEqual([422, 'refund_exceeds_payment']);

    expect(await available(alice)).toBe('9900');
    expect(await available(shop)).toBe('100');
    const listed = (await get('/payments?reference=order-1', shop).expect(200)).body.items[0];
    expect(listed).toMatchObject({ refundedMinor: '2500', refundableMinor: '0' });
    expect(listed.refunds.map((r: { amountMinor: string }) => r.amountMinor)).toEqual([
      '1000',
      '1000',
      '500',
    ]);
    const first = listed.refunds[0].id;
    expect((await get(`/movements/${first}`, alice).expect(200)).body).toMatchObject({
      kind: 'refund',
      status: 'completed',
      paymentId,
      description: 'one item out of stock',
      reference: 'order-1',
    });
  });

  it("shows payments and refunds on both parties' statements, and counts them apart in statistics", async () => {
    await t.settle();
    const rows = (await get(`/wallets/${wallets[alice.userId]}/statement`, alice).expect(200)).body
      .items as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.kind, r.status, r.amountMinor, r.balanceAfterMinor])).toEqual([
      ['refund', 'completed', '500', '9900'],
      ['refund', 'completed', '1000', '9400'],
      ['refund', 'completed', '1000', '8400'],
      ['payment', 'completed', '-100', '7400'],
      ['payment', 'failed', '-1000000', undefined],
      ['payment', 'completed', '-2500', '7500'],
      ['top_up', 'completed', '10000', '10000'],
    ]);
    expect(rows[0]?.counterparty).toEqual(
      expect.objectContaining({ email: expect.stringMatching(/^u\*+@example\.com$/) }),
    );
    const shopRows = (await get(`/wallets/${wallets[shop.userId]}/statement`, shop).expect(200))
      .body.items as Array<Record<string, unknown>>;
    expect(shopRows.map((r) => [r.kind, r.amountMinor, r.balanceAfterMinor])).toEqual([
      ['refund', '-500', '100'],
      ['refund', '-1000', '600'],
      ['refund', '-1000', '1600'],
      ['payment', '100', '2600'],
      ['payment', '2500', '2500'],
    ]);
    const stats = (
      await get(`/movements/wallets/${wallets[alice.userId]}/statistics`, alice).expect(200)
    ).body.months as Array<{ kind: string; movements: number; outMinor: string; inMinor: string }>;
    const byKind = Object.fromEntries(stats.map((m) => [m.kind, m]));
    expect(byKind.payment).toMatchObject({ movements: 2, outMinor: '2600' });
    expect(byKind.refund).toMatchObject({ movements: 3, inMinor: '2500' });
    expect(byKind.transfer).toBeUndefined();
  });
});
