/* eslint-disable max-lines -- every port method against one stand-in server started once for the
   file. */
import { PermanentGatewayError, TransientGatewayError } from '../payment-gateway.errors';
import type { PayoutDestination } from '../payment-gateway.port';
import { StripeGateway } from './stripe.gateway';
import { StripeStandIn } from './stripe-stand-in';

// Runs the real Stripe SDK against a local stand-in server (no network, no Stripe account).
describe('StripeGateway against the stand-in', () => {
  let standIn: StripeStandIn;
  let gateway: StripeGateway;

  beforeAll(async () => {
    standIn = await StripeStandIn.start();
    gateway = new StripeGateway({
      secretKey: 'sk_test_standin',
      webhookSecret: 'whsec_test',
      api: standIn.api,
      // Retries are the job queue's business here, so faults surface as they happen.
      maxNetworkRetries: 0,
      timeoutMs: 5_000,
    });
  });
  afterAll(() => standIn.close());

  const charge = (key: string, amountMinor = 1_250n) =>
    gateway.createPaymentIntent({
      amountMinor,
      currency: 'EUR',
      customerRef: 'cus_1',
      metadata: { saga: key },
      idempotencyKey: key,
    });

  it('creates a payment intent in minor units with the idempotency key', async () => {
    const result = await charge('topup-1:charge');
    expect(result.status).toBe('requires_customer');
    expect(result.clientSecret).toContain(result.paymentIntentId);
    const request = standIn.requests.at(-1)!;
    expect(request.idempotencyKey).toBe('topup-1:charge');
    expect(request.params).toMatchObject({
      amount: '1250',
      currency: 'eur',
      customer: 'cus_1',
      metadata: { saga: 'topup-1:charge' },
    });
  });

  it('returns the first payment intent for a repeated key and creates no second one', async () => {
    const before = standIn.count('payment_intent');
    const first = await charge('topup-2:charge');
    const again = await charge('topup-2:charge');
    expect(again.paymentIntentId).toBe(first.paymentIntentId);
    expect(standIn.count('payment_intent')).toBe(before + 1);
  });

  it('refuses a reused key with different parameters as permanent', async () => {
    await charge('topup-3:charge', 100n);
    await expect(charge('topup-3:charge', 200n)).rejects.toMatchObject({
      name: 'PermanentGatewayError',
      reason: 'idempotency_key_reused',
    });
  });

  it('maps 500 and 429 to transient errors, and a retry with the same key succeeds once', async () => {
    const before = standIn.count('payment_intent');
    standIn.failNext({ kind: 'server_error' });
    await expect(charge('topup-4:charge')).rejects.toMatchObject({
      reason: 'provider_unavailable',
      retryable: true,
    });
    standIn.failNext({ kind: 'rate_limited' });
    const limited = await charge('topup-4:charge').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(TransientGatewayError);
    expect(limited).toMatchObject({ reason: 'rate_limited', retryAfterMs: 1_000 });
    await charge('topup-4:charge');
    expect(standIn.count('payment_intent')).toBe(before + 1);
  });

  it('maps a declined off-session charge to a permanent card_declined', async () => {
    standIn.failNext({ kind: 'card_declined' }, '/v1/payment_intents');
    const declined = await gateway
      .createPaymentIntent({
        amountMinor: 500n,
        currency: 'USD',
        customerRef: 'cus_1',
        paymentMethodId: 'pm_x',
        metadata: {},
        idempotencyKey: 'topup-5:charge',
      })
      .catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(PermanentGatewayError);
    expect(declined).toMatchObject({
      reason: 'card_declined',
      declineCode: 'generic_decline',
      retryable: false,
    });
  });

  it('recovers a charge whose response was lost: the retry returns the same object', async () => {
    const before = standIn.count('payment_intent');
    standIn.failNext({ kind: 'drop_response' });
    const first = await charge('topup-6:charge').catch((e: unknown) => e);
    // The SDK may itself retry a dropped connection once; either way the key holds.
    if (first instanceof Error) expect(first).toMatchObject({ retryable: true });
    const retried = await charge('topup-6:charge');
    expect(retried.paymentIntentId).toMatch(/^pi_/);
    expect(standIn.count('payment_intent')).toBe(before + 1);
  });

  it('refunds a payment and refuses an unknown one as permanent', async () => {
    const { paymentIntentId } = await charge('topup-7:charge');
    const refund = await gateway.refund({
      paymentIntentId,
      amountMinor: 250n,
      idempotencyKey: 'topup-7:refund',
    });
    expect(refund.status).toBe('succeeded');
    expect(standIn.requests.at(-1)!.params).toMatchObject({
      payment_intent: paymentIntentId,
      amount: '250',
    });
    await expect(
      gateway.refund({
        paymentIntentId: 'pi_missing',
        amountMinor: 1n,
        idempotencyKey: 'topup-8:refund',
      }),
    ).rejects.toMatchObject({ reason: 'invalid_request' });
  });

  it('pays out to a bank account, or to a connected account on its behalf', async () => {
    const bank = await gateway.createPayout({
      amountMinor: 9_900n,
      currency: 'GBP',
      destination: { type: 'bank_account', id: 'ba_1' },
      metadata: { withdrawal: 'w-1' },
      idempotencyKey: 'withdrawal-1:payout',
    });
    expect(bank.status).toBe('pending');
    expect(standIn.requests.at(-1)!.params).toMatchObject({
      amount: '9900',
      currency: 'gbp',
      destination: 'ba_1',
    });
    await gateway.createPayout({
      amountMinor: 100n,
      currency: 'GBP',
      destination: { type: 'connected_account', id: 'acct_9' },
      metadata: {},
      idempotencyKey: 'withdrawal-2:payout',
    });
    expect(standIn.requests.at(-1)!).toMatchObject({ stripeAccount: 'acct_9' });
    expect(standIn.requests.at(-1)!.params.destination).toBeUndefined();
  });

  describe('cancelPayout', () => {
    const payout = (
      key: string,
      destination: PayoutDestination = { type: 'bank_account', id: 'ba_1' },
    ) =>
      gateway.createPayout({
        amountMinor: 500n,
        currency: 'USD',
        destination,
        metadata: {},
        idempotencyKey: key,
      });

    it('cancels a pending payout, and a retry with the same key replays the answer', async () => {
      const { payoutId } = await payout('withdrawal-c1:payout');
      const cancel = { payoutId, idempotencyKey: 'withdrawal-c1:cancel' };
      await expect(gateway.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      expect(standIn.requests.at(-1)).toMatchObject({
        method: 'POST',
        path: `/v1/payouts/${payoutId}/cancel`,
        idempotencyKey: 'withdrawal-c1:cancel',
      });
      await expect(gateway.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      expect(standIn.payoutStatus(payoutId)).toBe('canceled');
    });

    it.each(['paid', 'in_transit'] as const)(
      'answers not_cancelable for a payout already %s (Stripe: 400)',
      async (status) => {
        const { payoutId } = await payout(`withdrawal-c2-${status}:payout`);
        standIn.settlePayout(payoutId, status);
        await expect(
          gateway.cancelPayout({ payoutId, idempotencyKey: `withdrawal-c2-${status}:cancel` }),
        ).resolves.toEqual({ status: 'not_cancelable' });
        expect(standIn.payoutStatus(payoutId)).toBe(status);
      },
    );

    it('cancels a connected account payout on its behalf', async () => {
      const destination = { type: 'connected_account' as const, id: 'acct_7' };
      const { payoutId } = await payout('withdrawal-c3:payout', destination);
      await expect(
        gateway.cancelPayout({ payoutId, destination, idempotencyKey: 'withdrawal-c3:cancel' }),
      ).resolves.toEqual({ status: 'canceled' });
      expect(standIn.requests.at(-1)).toMatchObject({ stripeAccount: 'acct_7' });
    });

    it('throws transient on a 500 (retry with the key) and permanent for an unknown payout', async () => {
      const { payoutId } = await payout('withdrawal-c4:payout');
      standIn.failNext({ kind: 'server_error' }, `/v1/payouts/${payoutId}/cancel`);
      const cancel = { payoutId, idempotencyKey: 'withdrawal-c4:cancel' };
      await expect(gateway.cancelPayout(cancel)).rejects.toBeInstanceOf(TransientGatewayError);
      await expect(gateway.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      await expect(
        gateway.cancelPayout({ payoutId: 'po_missing', idempotencyKey: 'withdrawal-c5:cancel' }),
      ).rejects.toMatchObject({ name: 'PermanentGatewayError', reason: 'invalid_request' });
    });
  });

  describe('confirmPayout', () => {
    const make = (key: string, destination: PayoutDestination) =>
      gateway.createPayout({
        amountMinor: 650n,
        currency: 'EUR',
        destination,
        metadata: { saga: key },
        idempotencyKey: key,
      });
    const ask = (payoutId: string, destination?: PayoutDestination) =>
      gateway.confirmPayout({
        payoutId,
        amountMinor: 650n,
        currency: 'EUR',
        metadata: {},
        destination,
      });
    const bank: PayoutDestination = { type: 'bank_account', id: 'ba_1' };

    it('answers nothing while the payout is pending or in transit, then its outcome', async () => {
      const { payoutId } = await make('withdrawal-q1:payout', bank);
      await expect(ask(payoutId, bank)).resolves.toBeUndefined();
      expect(standIn.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: `/v1/payouts/${payoutId}`,
      });
      standIn.settlePayout(payoutId, 'in_transit');
      await expect(ask(payoutId, bank)).resolves.toBeUndefined();
      standIn.settlePayout(payoutId, 'paid');
      const paid = await ask(payoutId, bank);
      expect(paid).toMatchObject({
        type: 'payout_paid',
        objectId: payoutId,
        amountMinor: 650n,
        currency: 'EUR',
        metadata: { saga: 'withdrawal-q1:payout' },
      });
      // Asked again, the same answer under the same id: recorded once.
      await expect(ask(payoutId, bank)).resolves.toEqual(paid);
    });

    it('answers a failed payout with its failure code, and asks a connected account on its behalf', async () => {
      const connected: PayoutDestination = { type: 'connected_account', id: 'acct_5' };
      const { payoutId } = await make('withdrawal-q2:payout', connected);
      standIn.settlePayout(payoutId, 'failed');
      await expect(ask(payoutId, connected)).resolves.toMatchObject({
        type: 'payout_failed',
        objectId: payoutId,
        failureCode: 'account_closed',
      });
      expect(standIn.requests.at(-1)).toMatchObject({ stripeAccount: 'acct_5' });
    });

    it('refuses an unknown payout as permanent', async () => {
      await expect(ask('po_missing', bank)).rejects.toMatchObject({
        name: 'PermanentGatewayError',
        reason: 'invalid_request',
      });
    });
  });

  it('links, lists and detaches cards by provider id only', async () => {
    const setup = await gateway.createSetupIntent({
      customerRef: 'cus_cards',
      idempotencyKey: 'user-1:link-card:1',
    });
    expect(setup.clientSecret).toContain(setup.setupIntentId);
    const pm = standIn.addCard('cus_cards', { brand: 'visa', last4: '4242' });
    expect(await gateway.listPaymentMethods('cus_cards')).toEqual([
      { paymentMethodId: pm, brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
    ]);
    await gateway.detachPaymentMethod({
      paymentMethodId: pm,
      idempotencyKey: `user-1:unlink:${pm}`,
    });
    expect(await gateway.listPaymentMethods('cus_cards')).toEqual([]);
  });

  it('creates one customer per key: a retry returns the same customer', async () => {
    const before = standIn.count('customer');
    const first = await gateway.createCustomer({
      metadata: { ledger_user: 'u-1' },
      idempotencyKey: 'user-u-1:customer',
    });
    const again = await gateway.createCustomer({
      metadata: { ledger_user: 'u-1' },
      idempotencyKey: 'user-u-1:customer',
    });
    expect(first.customerRef).toMatch(/^cus_/);
    expect(again).toEqual(first);
    expect(standIn.count('customer')).toBe(before + 1);
    expect(standIn.requests.at(-1)).toMatchObject({
      path: '/v1/customers',
      idempotencyKey: 'user-u-1:customer',
    });
  });

  it("charges a saved card only for its own customer: another's or a made-up card is refused", async () => {
    const own = standIn.addCard('cus_owner', { brand: 'visa', last4: '4242' });
    const payWith = (customerRef: string, paymentMethodId: string, key: string) =>
      gateway.createPaymentIntent({
        amountMinor: 900n,
        currency: 'EUR',
        customerRef,
        paymentMethodId,
        metadata: {},
        idempotencyKey: key,
      });
    await expect(payWith('cus_other', own, 'topup-own-1:charge')).rejects.toMatchObject({
      name: 'PermanentGatewayError',
      reason: 'invalid_request',
    });
    await expect(payWith('cus_owner', 'pm_made_up', 'topup-own-2:charge')).rejects.toMatchObject({
      name: 'PermanentGatewayError',
      reason: 'invalid_request',
    });
    expect((await payWith('cus_owner', own, 'topup-own-3:charge')).status).toBe('succeeded');
  });

  describe('timeouts', () => {
    const slowGateway = (maxNetworkRetries: number) =>
      new StripeGateway({
        secretKey: 'sk_test_standin',
        webhookSecret: 'whsec_test',
        api: standIn.api,
        timeoutMs: 200,
        maxNetworkRetries,
      });

    it('gives up on a provider slower than the timeout with a transient timeout', async () => {
      standIn.failNext({ kind: 'delay_response', delayMs: 2_000 }, '/v1/payouts');
      const error = await slowGateway(0)
        .createPayout({
          amountMinor: 300n,
          currency: 'EUR',
          destination: { type: 'bank_account', id: 'ba_slow' },
          metadata: {},
          idempotencyKey: 'withdrawal-slow-1:payout',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientGatewayError);
      expect(error).toMatchObject({ reason: 'timeout', retryable: true });
    });

    it('retries a timed-out call as configured, with the same key, and creates one object', async () => {
      const before = standIn.count('payout');
      const sent = standIn.requests.length;
      standIn.failNext({ kind: 'delay_response', delayMs: 2_000 }, '/v1/payouts');
      const payout = await slowGateway(1).createPayout({
        amountMinor: 300n,
        currency: 'EUR',
        destination: { type: 'bank_account', id: 'ba_slow' },
        metadata: {},
        idempotencyKey: 'withdrawal-slow-2:payout',
      });
      expect(payout.payoutId).toMatch(/^po_/);
      expect(standIn.count('payout')).toBe(before + 1);
      const keys = standIn.requests.slice(sent).map((r) => r.idempotencyKey);
      expect(keys).toEqual(['withdrawal-slow-2:payout', 'withdrawal-slow-2:payout']);
    });
  });

  it('refuses amounts a JSON number cannot carry exactly, before any request', async () => {
    const sent = standIn.requests.length;
    await expect(charge('topup-9:charge', 2n ** 53n)).rejects.toMatchObject({
      reason: 'invalid_request',
    });
    await expect(charge('topup-10:charge', 0n)).rejects.toMatchObject({
      reason: 'invalid_request',
    });
    expect(standIn.requests.length).toBe(sent);
  });

  it('reports the balance transactions of a period, charges by their payment intent', async () => {
    const from = new Date(Date.now() - 60_000);
    const paid = await gateway.createPaymentIntent({
      amountMinor: 4_200n,
      currency: 'EUR',
      customerRef: 'cus_1',
      paymentMethodId: standIn.addCard('cus_1', { brand: 'visa', last4: '4242' }),
      metadata: { saga: 'topup-report:charge' },
      idempotencyKey: 'topup-report:charge',
    });
    const refund = await gateway.refund({
      paymentIntentId: paid.paymentIntentId,
      amountMinor: 200n,
      idempotencyKey: 'topup-report:refund',
    });
    const payout = await gateway.createPayout({
      amountMinor: 900n,
      currency: 'EUR',
      destination: { type: 'bank_account', id: 'ba_report' },
      metadata: { saga: 'withdrawal-report' },
      idempotencyKey: 'withdrawal-report:payout',
    });
    standIn.plantBalanceTransaction({
      type: 'charge',
      sourceId: 'pi_unknown',
      amount: 77,
      currency: 'eur',
      created: Math.floor(Date.now() / 1000) - 7 * 86_400,
    });
    const report = await gateway.providerReport({ from, to: new Date(Date.now() + 60_000) });
    expect(report.supported).toBe(true);
    if (!report.supported) return;
    const byId = new Map(report.items.map((i) => [i.objectId, i]));
    expect(byId.get(paid.paymentIntentId)).toMatchObject({
      type: 'charge',
      amountMinor: 4_200n,
      currency: 'EUR',
    });
    expect(byId.get(refund.refundId)).toMatchObject({ type: 'refund', amountMinor: 200n });
    expect(byId.get(payout.payoutId)).toMatchObject({ type: 'payout', amountMinor: 900n });
    // Outside the period: not listed.
    expect(byId.has('pi_unknown')).toBe(false);
    expect(standIn.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/balance_transactions',
    });
  });
});
