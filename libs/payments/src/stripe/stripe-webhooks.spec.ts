import Stripe from 'stripe';
import { WebhookSignatureError } from '../payment-gateway.errors';
import { StripeGateway } from './stripe.gateway';

// Payloads are signed with the real library, as Stripe signs them.
const secret = 'whsec_test_secret';
const gateway = new StripeGateway({ secretKey: 'sk_test_x', webhookSecret: secret });

function signed(event: object, signingSecret = secret): { body: Buffer; header: string } {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: signingSecret });
  return { body: Buffer.from(payload), header };
}

function stripeEvent(type: string, object: object, id = 'evt_1') {
  return {
    id,
    object: 'event',
    type,
    created: 1_767_225_600,
    data: { object },
    livemode: false,
    api_version: null,
  };
}

const metadata = { saga: 'topup-1' };
const intent = {
  id: 'pi_1',
  object: 'payment_intent',
  amount: 1250,
  amount_received: 1250,
  currency: 'eur',
  metadata,
};

describe('StripeGateway.parseWebhook', () => {
  it('normalises payment_intent.succeeded with bigint amount and upper-case currency', () => {
    const { body, header } = signed(stripeEvent('payment_intent.succeeded', intent));
    expect(gateway.parseWebhook(body, header)).toEqual({
      type: 'payment_succeeded',
      providerEventId: 'evt_1',
      objectId: 'pi_1',
      amountMinor: 1250n,
      currency: 'EUR',
      metadata,
      occurredAt: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('carries the decline reason of a failed payment', () => {
    const failed = {
      ...intent,
      amount_received: 0,
      last_payment_error: {
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'No funds',
      },
    };
    const { body, header } = signed(stripeEvent('payment_intent.payment_failed', failed));
    expect(gateway.parseWebhook(body, header)).toMatchObject({
      type: 'payment_failed',
      amountMinor: 1250n,
      failureCode: 'insufficient_funds',
      failureMessage: 'No funds',
    });
  });

  it.each([
    [
      'refund.updated',
      {
        id: 're_1',
        object: 'refund',
        amount: 300,
        currency: 'eur',
        status: 'succeeded',
        payment_intent: 'pi_1',
        metadata,
      },
      { type: 'refund_succeeded', paymentIntentId: 'pi_1', amountMinor: 300n },
    ],
    [
      'refund.failed',
      {
        id: 're_2',
        object: 'refund',
        amount: 300,
        currency: 'eur',
        status: 'failed',
        failure_reason: 'expired_or_canceled_card',
        payment_intent: 'pi_1',
        metadata,
      },
      { type: 'refund_failed', failureCode: 'expired_or_canceled_card' },
    ],
    [
      'charge.dispute.created',
      {
        id: 'dp_1',
        object: 'dispute',
        amount: 1250,
        currency: 'eur',
        reason: 'fraudulent',
        payment_intent: 'pi_1',
        metadata: {},
      },
      { type: 'dispute_opened', reason: 'fraudulent', paymentIntentId: 'pi_1' },
    ],
    [
      'payout.paid',
      { id: 'po_1', object: 'payout', amount: 9900, currency: 'gbp', status: 'paid', metadata },
      { type: 'payout_paid', objectId: 'po_1', currency: 'GBP' },
    ],
    [
      'payout.failed',
      {
        id: 'po_2',
        object: 'payout',
        amount: 9900,
        currency: 'gbp',
        status: 'failed',
        failure_code: 'account_closed',
        failure_message: 'Closed',
        metadata,
      },
      { type: 'payout_failed', failureCode: 'account_closed' },
    ],
  ])('normalises %s', (type, object, expected) => {
    const { body, header } = signed(stripeEvent(type, object));
    expect(gateway.parseWebhook(body, header)).toMatchObject(expected);
  });

  it('ignores event types the ledger does not act on, and refunds still pending', () => {
    const ignored = signed(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(gateway.parseWebhook(ignored.body, ignored.header)).toBeUndefined();
    const pending = signed(
      stripeEvent('refund.created', {
        id: 're_3',
        object: 'refund',
        amount: 1,
        currency: 'eur',
        status: 'pending',
      }),
    );
    expect(gateway.parseWebhook(pending.body, pending.header)).toBeUndefined();
  });

  it('parses a duplicate delivery identically, so the event id dedupes it', () => {
    const { body, header } = signed(stripeEvent('payment_intent.succeeded', intent, 'evt_dup'));
    const first = gateway.parseWebhook(body, header);
    const second = gateway.parseWebhook(Buffer.from(body), header);
    expect(second).toEqual(first);
    expect(second?.providerEventId).toBe('evt_dup');
  });

  it('rejects a payload signed with another secret', () => {
    const { body, header } = signed(
      stripeEvent('payment_intent.succeeded', intent),
      'whsec_attacker',
    );
    expect(() => gateway.parseWebhook(body, header)).toThrow(WebhookSignatureError);
  });

  it('rejects a body altered after signing', () => {
    const { body, header } = signed(stripeEvent('payment_intent.succeeded', intent));
    const forged = Buffer.from(body.toString().replace('1250', '999999'));
    expect(() => gateway.parseWebhook(forged, header)).toThrow(
      expect.objectContaining({ reason: 'signature_mismatch' }),
    );
  });

  it('rejects a missing header and an oversized body', () => {
    const { body } = signed(stripeEvent('payment_intent.succeeded', intent));
    expect(() => gateway.parseWebhook(body, '')).toThrow(WebhookSignatureError);
    expect(() => gateway.parseWebhook(Buffer.alloc(600 * 1024), 't=1,v1=x')).toThrow(
      expect.objectContaining({ reason: 'payload_too_large' }),
    );
  });

  it('rejects a signed event whose amount is not an integer', () => {
    const { body, header } = signed(
      stripeEvent('payment_intent.succeeded', { ...intent, amount_received: 12.5 }),
    );
    expect(() => gateway.parseWebhook(body, header)).toThrow(
      expect.objectContaining({ reason: 'malformed_payload' }),
    );
  });
});
