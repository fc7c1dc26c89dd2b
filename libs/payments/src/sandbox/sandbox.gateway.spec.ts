/* eslint-disable max-lines -- one block per port method of SandboxGateway, sharing one setup. */
import { must } from '@ledger/invariant';
import type { GatewayEvent } from '../gateway-event';
import {
  PermanentGatewayError,
  TransientGatewayError,
  WebhookSignatureError,
} from '../payment-gateway.errors';
import type { CreatePaymentIntentInput } from '../payment-gateway.port';
import { SandboxGateway } from './sandbox.gateway';
import { SandboxScript, type SandboxOutcome } from './sandbox-script';

const at = new Date('2026-01-01T00:00:00Z');

function setup(options: { magicAmounts?: boolean } = {}) {
  const sandbox = new SandboxGateway({ now: () => at, redeliveryBaseMs: 1, ...options });
  const events: GatewayEvent[] = [];
  sandbox.onEvent(async (event) => void events.push(event));
  return { sandbox, events };
}

function charge(
  key: string,
  extra: Partial<CreatePaymentIntentInput> = {},
): CreatePaymentIntentInput {
  return {
    amountMinor: 1_000n,
    currency: 'EUR',
    customerRef: 'cus_1',
    metadata: { saga: key },
    idempotencyKey: key,
    ...extra,
  };
}

describe('SandboxGateway', () => {
  it('charges, then reports the payment asynchronously', async () => {
    const { sandbox, events } = setup();
    const result = await sandbox.createPaymentIntent(charge('topup-1:charge'));
    expect(events).toEqual([]);
    await sandbox.idle();
    expect(events).toEqual([
      {
        type: 'payment_succeeded',
        providerEventId: expect.stringMatching(/^evt_sb_/),
        objectId: result.paymentIntentId,
        amountMinor: 1_000n,
        currency: 'EUR',
        metadata: { saga: 'topup-1:charge' },
        occurredAt: at,
      },
    ]);
  });

  it('replays the first answer for a repeated key and reports once', async () => {
    const { sandbox, events } = setup();
    const first = await sandbox.createPaymentIntent(charge('topup-2:charge'));
    const again = await sandbox.createPaymentIntent(charge('topup-2:charge'));
    expect(again).toEqual(first);
    await sandbox.idle();
    expect(events).toHaveLength(1);
    await expect(
      sandbox.createPaymentIntent(charge('topup-2:charge', { amountMinor: 5n })),
    ).rejects.toMatchObject({
      reason: 'idempotency_key_reused',
    });
  });

  it('derives object ids from the key, so a restarted sandbox names the same object', async () => {
    const a = await new SandboxGateway().createPaymentIntent(charge('topup-3:charge'));
    const b = await new SandboxGateway().createPaymentIntent(charge('topup-3:charge'));
    expect(b.paymentIntentId).toBe(a.paymentIntentId);
  });

  it.each<[SandboxOutcome, string]>([
    ['fail_async', 'payment_failed'],
    ['duplicate_event', 'payment_succeeded,payment_succeeded'],
    ['no_event', ''],
  ])('metadata outcome %s reports %s', async (outcome, expected) => {
    const { sandbox, events } = setup();
    await sandbox.createPaymentIntent(
      charge(`topup-${outcome}`, { metadata: { sandbox_outcome: outcome } }),
    );
    await sandbox.idle();
    expect(events.map((e) => e.type).join(',')).toBe(expected);
    if (events.length === 2) expect(events[1]?.providerEventId).toBe(events[0]?.providerEventId);
  });

  it('declines by magic amount, permanently, and replays the decline for the same key', async () => {
    const { sandbox, events } = setup();
    const declined = await sandbox
      .createPaymentIntent(charge('topup-4:charge', { amountMinor: 402n }))
      .catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(PermanentGatewayError);
    expect(declined).toMatchObject({ reason: 'card_declined', retryable: false });
    await expect(
      sandbox.createPaymentIntent(charge('topup-4:charge', { amountMinor: 402n })),
    ).rejects.toBe(declined);
    await sandbox.idle();
    expect(events).toEqual([]);
  });

  it('can switch magic amounts off', async () => {
    const { sandbox } = setup({ magicAmounts: false });
    await expect(
      sandbox.createPaymentIntent(charge('topup-5:charge', { amountMinor: 402n })),
    ).resolves.toBeDefined();
  });

  it('times out after executing: the retry with the same key gets the object, charged once', async () => {
    const { sandbox, events } = setup();
    sandbox.script.next('createPaymentIntent', 'timeout');
    const lost = await sandbox
      .createPaymentIntent(charge('topup-6:charge'))
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(TransientGatewayError);
    expect(lost).toMatchObject({ reason: 'timeout' });
    const retried = await sandbox.createPaymentIntent(charge('topup-6:charge'));
    await sandbox.idle();
    expect(events).toHaveLength(1);
    expect(events[0]?.objectId).toBe(retried.paymentIntentId);
  });

  it('fails before executing on unavailable and rate limited, then succeeds on retry', async () => {
    const { sandbox, events } = setup();
    sandbox.script.next('*', 'unavailable').next('createPayout', 'rate_limited');
    const payout = {
      amountMinor: 700n,
      currency: 'USD',
      destination: { type: 'bank_account', id: 'ba_1' },
      metadata: {},
      idempotencyKey: 'withdrawal-1:payout',
    } as const;
    await expect(sandbox.createPayout(payout)).rejects.toMatchObject({
      reason: 'provider_unavailable',
      retryable: true,
    });
    await expect(sandbox.createPayout(payout)).rejects.toMatchObject({ reason: 'rate_limited' });
    const result = await sandbox.createPayout(payout);
    await sandbox.idle();
    expect(events).toMatchObject([
      { type: 'payout_paid', objectId: result.payoutId, amountMinor: 700n },
    ]);
  });

  it('reports a failed payout', async () => {
    const { sandbox, events } = setup();
    await sandbox.createPayout({
      amountMinor: 422n,
      currency: 'USD',
      destination: { type: 'bank_account', id: 'ba_1' },
      metadata: {},
      idempotencyKey: 'w-2:payout',
    });
    await sandbox.idle();
    expect(events).toMatchObject([{ type: 'payout_failed', failureCode: 'account_closed' }]);
  });

  describe('cancelPayout', () => {
    const payout = (key: string, metadata: Record<string, string> = {}) =>
      ({
        amountMinor: 700n,
        currency: 'USD',
        destination: { type: 'bank_account', id: 'ba_1' },
        metadata,
        idempotencyKey: key,
      }) as const;

    it('cancels a payout not reported yet, which then never reports paid', async () => {
      const sandbox = new SandboxGateway({ now: () => at, redeliveryBaseMs: 1 });
      const events: GatewayEvent[] = [];
      // The report is produced at once but not delivered before anyone subscribes.
      const { payoutId } = await sandbox.createPayout(payout('withdrawal-c1:payout'));
      const cancel = { payoutId, idempotencyKey: 'withdrawal-c1:cancel' };
      await expect(sandbox.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      await expect(sandbox.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      sandbox.onEvent(async (event) => void events.push(event));
      sandbox.settlePayout(payoutId, 'paid');
      await sandbox.idle();
      expect(events).toEqual([]);
    });

    it('cancels a payout that would never be reported (no_event)', async () => {
      const { sandbox, events } = setup();
      const { payoutId } = await sandbox.createPayout(
        payout('withdrawal-c2:payout', { sandbox_outcome: 'no_event' }),
      );
      await expect(
        sandbox.cancelPayout({ payoutId, idempotencyKey: 'withdrawal-c2:cancel' }),
      ).resolves.toEqual({ status: 'canceled' });
      sandbox.settlePayout(payoutId, 'paid');
      await sandbox.idle();
      expect(events).toEqual([]);
    });

    it('does not cancel a payout already reported paid, or in transit', async () => {
      const { sandbox, events } = setup();
      const paid = await sandbox.createPayout(payout('withdrawal-c3:payout'));
      await sandbox.idle();
      expect(events).toMatchObject([{ type: 'payout_paid', objectId: paid.payoutId }]);
      await expect(
        sandbox.cancelPayout({ payoutId: paid.payoutId, idempotencyKey: 'withdrawal-c3:cancel' }),
      ).resolves.toEqual({ status: 'not_cancelable' });

      const moving = await sandbox.createPayout(
        payout('withdrawal-c4:payout', { sandbox_outcome: 'no_event' }),
      );
      sandbox.settlePayout(moving.payoutId, 'in_transit');
      await expect(
        sandbox.cancelPayout({ payoutId: moving.payoutId, idempotencyKey: 'withdrawal-c4:cancel' }),
      ).resolves.toEqual({ status: 'not_cancelable' });
      sandbox.settlePayout(moving.payoutId, 'paid');
      await sandbox.idle();
      expect(events.map((e) => e.objectId)).toEqual([paid.payoutId, moving.payoutId]);
    });

    it('fails transiently when scripted, executes on the retry, and refuses an unknown payout', async () => {
      const { sandbox } = setup();
      const { payoutId } = await sandbox.createPayout(
        payout('withdrawal-c5:payout', { sandbox_outcome: 'no_event' }),
      );
      sandbox.script.next('cancelPayout', 'unavailable');
      const cancel = { payoutId, idempotencyKey: 'withdrawal-c5:cancel' };
      await expect(sandbox.cancelPayout(cancel)).rejects.toBeInstanceOf(TransientGatewayError);
      await expect(sandbox.cancelPayout(cancel)).resolves.toEqual({ status: 'canceled' });
      await expect(
        sandbox.cancelPayout({ payoutId: 'po_unknown', idempotencyKey: 'withdrawal-c6:cancel' }),
      ).rejects.toBeInstanceOf(PermanentGatewayError);
    });
  });

  describe('confirmPayout', () => {
    const payout = (key: string, amountMinor = 700n) =>
      ({
        amountMinor,
        currency: 'USD',
        destination: { type: 'bank_account', id: 'ba_1' },
        metadata: { saga: key },
        idempotencyKey: key,
      }) as const;
    const ask = (sandbox: SandboxGateway, payoutId: string, amountMinor = 700n) =>
      sandbox.confirmPayout({ payoutId, amountMinor, currency: 'USD', metadata: {} });

    it('answers a reported payout with its report, under the same event id', async () => {
      const { sandbox, events } = setup();
      const { payoutId } = await sandbox.createPayout(payout('withdrawal-k1:payout'));
      await sandbox.idle();
      await expect(ask(sandbox, payoutId)).resolves.toMatchObject({
        type: 'payout_paid',
        objectId: payoutId,
        providerEventId: must(events[0], 'a reported event').providerEventId,
      });
    });

    it('answers nothing for a payout still pending or canceled', async () => {
      const { sandbox } = setup();
      const pending = await sandbox.createPayout({
        ...payout('withdrawal-k2:payout'),
        metadata: { sandbox_outcome: 'no_event' },
      });
      await expect(ask(sandbox, pending.payoutId)).resolves.toBeUndefined();
      await sandbox.cancelPayout({ payoutId: pending.payoutId, idempotencyKey: 'withdrawal-k2:c' });
      await expect(ask(sandbox, pending.payoutId)).resolves.toBeUndefined();
    });

    it('settles a payout an earlier process made as the bank would, and keeps to it', async () => {
      const earlier = new SandboxGateway();
      const reported: GatewayEvent[] = [];
      earlier.onEvent(async (event) => void reported.push(event));
      const paid = await earlier.createPayout(payout('withdrawal-k3:payout'));
      const failing = await earlier.createPayout(payout('withdrawal-k4:payout', 422n));
      await earlier.idle();
      earlier.close();
      const restarted = new SandboxGateway();
      const first = await ask(restarted, paid.payoutId);
      // The event id is the one the earlier process's report carried.
      expect(first).toMatchObject({
        type: 'payout_paid',
        objectId: paid.payoutId,
        providerEventId: must(reported[0], 'the first report').providerEventId,
      });
      await expect(ask(restarted, paid.payoutId)).resolves.toEqual(first);
      await expect(ask(restarted, failing.payoutId, 422n)).resolves.toMatchObject({
        type: 'payout_failed',
        failureCode: 'account_closed',
        providerEventId: must(reported[1], 'the second report').providerEventId,
      });
      await expect(ask(restarted, 'po_silent', 204n)).resolves.toBeUndefined();
    });
  });

  it('refunds up to what was charged', async () => {
    const { sandbox, events } = setup();
    const { paymentIntentId } = await sandbox.createPaymentIntent(charge('topup-7:charge'));
    await sandbox.refund({
      paymentIntentId,
      amountMinor: 600n,
      idempotencyKey: 'topup-7:refund-1',
    });
    await expect(
      sandbox.refund({ paymentIntentId, amountMinor: 401n, idempotencyKey: 'topup-7:refund-2' }),
    ).rejects.toMatchObject({
      reason: 'invalid_request',
    });
    await sandbox.idle();
    expect(events.map((e) => e.type)).toEqual(['payment_succeeded', 'refund_succeeded']);
    expect(events[1]).toMatchObject({ paymentIntentId, amountMinor: 600n, currency: 'EUR' });
  });

  it('redelivers an event whose handler threw, with the same event id', async () => {
    const sandbox = new SandboxGateway({ redeliveryBaseMs: 1 });
    const seen: string[] = [];
    sandbox.onEvent(async (event) => {
      seen.push(event.providerEventId);
      if (seen.length < 3) throw new Error('store unavailable');
    });
    await sandbox.createPaymentIntent(charge('topup-8:charge'));
    await sandbox.idle();
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1);
    expect(sandbox.undeliveredEvents).toEqual([]);
  });

  it('holds events produced before anyone subscribed', async () => {
    const sandbox = new SandboxGateway();
    await sandbox.createPaymentIntent(charge('topup-9:charge'));
    const events: GatewayEvent[] = [];
    sandbox.onEvent(async (event) => void events.push(event));
    await sandbox.idle();
    expect(events).toHaveLength(1);
  });

  it('reports a silent payment later on request', async () => {
    const { sandbox, events } = setup();
    const { paymentIntentId } = await sandbox.createPaymentIntent(
      charge('topup-10:charge', { amountMinor: 204n }),
    );
    await sandbox.idle();
    expect(events).toEqual([]);
    sandbox.settlePayment(paymentIntentId, 'failed');
    await sandbox.idle();
    expect(events).toMatchObject([{ type: 'payment_failed', objectId: paymentIntentId }]);
  });

  it('draws faults from a seeded plan reproducibly', async () => {
    const draw = async () => {
      const sandbox = new SandboxGateway({
        script: new SandboxScript().randomly({
          seed: 7,
          rate: 0.5,
          outcomes: ['unavailable', 'decline'],
        }),
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const result = await sandbox.createPaymentIntent(charge(`topup-r${i}`)).then(
          () => 'ok',
          (e: { reason: string }) => e.reason,
        );
        outcomes.push(result);
      }
      return outcomes;
    };
    const first = await draw();
    expect(await draw()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'provider_unavailable', 'card_declined']));
  });

  it('links, lists and detaches a test card', async () => {
    const { sandbox } = setup();
    await sandbox.createSetupIntent({ customerRef: 'cus_cards', idempotencyKey: 'user-1:link:1' });
    const card = must((await sandbox.listPaymentMethods('cus_cards'))[0], 'a card');
    expect(card).toMatchObject({ brand: 'visa', last4: '4242' });
    await sandbox.detachPaymentMethod({
      paymentMethodId: card.paymentMethodId,
      idempotencyKey: 'user-1:unlink:1',
    });
    await sandbox.detachPaymentMethod({
      paymentMethodId: card.paymentMethodId,
      idempotencyKey: 'user-1:unlink:1',
    });
    expect(await sandbox.listPaymentMethods('cus_cards')).toEqual([]);
  });

  it('creates one customer per key, the same one after a restart', async () => {
    const { sandbox } = setup();
    const first = await sandbox.createCustomer({ idempotencyKey: 'user-u1:customer' });
    expect(first.customerRef).toMatch(/^cus_sb_/);
    expect(await sandbox.createCustomer({ idempotencyKey: 'user-u1:customer' })).toEqual(first);
    expect(
      await new SandboxGateway().createCustomer({ idempotencyKey: 'user-u1:customer' }),
    ).toEqual(first);
    expect(
      (await sandbox.createCustomer({ idempotencyKey: 'user-u2:customer' })).customerRef,
    ).not.toBe(first.customerRef);
  });

  it("charges a linked card only for its own customer; another's or a made-up card is refused", async () => {
    const { sandbox, events } = setup();
    await sandbox.createSetupIntent({ customerRef: 'cus_owner', idempotencyKey: 'user-o:link:1' });
    const card = must((await sandbox.listPaymentMethods('cus_owner'))[0], 'a card');
    for (const [customerRef, paymentMethodId] of [
      ['cus_other', card.paymentMethodId],
      ['cus_owner', 'pm_made_up'],
    ]) {
      const key = `topup-${customerRef}-${paymentMethodId}:charge`;
      await expect(
        sandbox.createPaymentIntent(charge(key, { customerRef, paymentMethodId })),
      ).rejects.toMatchObject({ name: 'PermanentGatewayError', reason: 'invalid_request' });
    }
    await sandbox.idle();
    expect(events).toEqual([]);
    await sandbox.createPaymentIntent(
      charge('topup-own:charge', {
        customerRef: 'cus_owner',
        paymentMethodId: card.paymentMethodId,
      }),
    );
    await sandbox.idle();
    expect(events.map((e) => e.type)).toEqual(['payment_succeeded']);
  });

  it('verifies its own signed webhooks and refuses forged ones', async () => {
    const { sandbox, events } = setup();
    await sandbox.createPaymentIntent(charge('topup-11:charge'));
    await sandbox.idle();
    const { rawBody, signatureHeader } = sandbox.signedWebhook(must(events[0], 'an event'));
    expect(sandbox.parseWebhook(rawBody, signatureHeader)).toEqual(events[0]);
    const forged = Buffer.from(rawBody.toString().replace('"1000"', '"9000"'));
    expect(() => sandbox.parseWebhook(forged, signatureHeader)).toThrow(WebhookSignatureError);
  });

  it('books settled charges, refunds and payouts in its report, and tests can plant differences', async () => {
    const { sandbox } = setup();
    const paid = await sandbox.createPaymentIntent(charge('topup-r1:charge'));
    await sandbox.createPaymentIntent(charge('topup-r2:charge', { amountMinor: 422n }));
    const payout = await sandbox.createPayout({
      amountMinor: 300n,
      currency: 'EUR',
      destination: { type: 'bank_account', id: 'ba_1' },
      metadata: { saga: 'withdrawal-r1' },
      idempotencyKey: 'withdrawal-r1:payout',
    });
    await sandbox.idle();
    const period = { from: new Date(at.getTime() - 1), to: new Date(at.getTime() + 1) };
    const report = await sandbox.providerReport(period);
    if (!report.supported) throw new Error('the sandbox reports');
    expect(report.items.map((i) => [i.type, i.objectId, i.amountMinor, i.status])).toEqual([
      ['charge', paid.paymentIntentId, 1_000n, 'succeeded'],
      ['payout', payout.payoutId, 300n, 'paid'],
    ]);
    sandbox.report.alter(paid.paymentIntentId, { amountMinor: 999n });
    sandbox.report.forget(payout.payoutId);
    const again = await sandbox.providerReport(period);
    if (!again.supported) throw new Error('the sandbox reports');
    expect(again.items.map((i) => [i.objectId, i.amountMinor])).toEqual([
      [paid.paymentIntentId, 999n],
    ]);
    const outside = await sandbox.providerReport({
      from: new Date(at.getTime() + 1),
      to: new Date(at.getTime() + 2),
    });
    expect(outside).toEqual({ supported: true, items: [], truncated: false });
  });
});
