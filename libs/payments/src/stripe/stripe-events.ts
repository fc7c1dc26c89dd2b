import type Stripe from 'stripe';
import type { GatewayEvent, GatewayEventBase } from '../gateway-event';
import { fromProviderAmount } from '../gateway-input';

/**
 * Normalises the Stripe events the sagas act on. Every other event type maps
 * to undefined: the webhook endpoint acknowledges it and moves on.
 *
 * Refunds are reported by `refund.created` / `refund.updated` carrying the
 * refund's current status; only terminal statuses become gateway events.
 */
export function normaliseStripeEvent(event: Stripe.Event): GatewayEvent | undefined {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return paymentSucceeded(event, event.data.object);
    case 'payment_intent.payment_failed':
      return paymentFailed(event, event.data.object);
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
      return refundOutcome(event, event.data.object);
    case 'charge.dispute.created':
      return disputeOpened(event, event.data.object);
    case 'payout.paid':
    case 'payout.failed':
      return payoutOutcome(event, event.data.object);
    default:
      return undefined;
  }
}

function base(event: Stripe.Event, object: StripeMoneyObject, amount: number): GatewayEventBase {
  return {
    providerEventId: event.id,
    objectId: object.id,
    amountMinor: fromProviderAmount(amount),
    currency: object.currency.toUpperCase(),
    metadata: { ...(object.metadata ?? {}) },
    occurredAt: new Date(event.created * 1000),
  };
}

interface StripeMoneyObject {
  readonly id: string;
  readonly currency: string;
  readonly metadata?: Stripe.Metadata | null;
}

function paymentSucceeded(event: Stripe.Event, pi: Stripe.PaymentIntent): GatewayEvent {
  // amount_received is what was actually captured; it equals amount for the
  // automatic-capture intents the ledger creates.
  return { type: 'payment_succeeded', ...base(event, pi, pi.amount_received || pi.amount) };
}

function paymentFailed(event: Stripe.Event, pi: Stripe.PaymentIntent): GatewayEvent {
  const error = pi.last_payment_error;
  return {
    type: 'payment_failed',
    ...base(event, pi, pi.amount),
    failureCode: error?.decline_code ?? error?.code ?? undefined,
    failureMessage: error?.message ?? undefined,
  };
}

function refundOutcome(event: Stripe.Event, refund: Stripe.Refund): GatewayEvent | undefined {
  const paymentIntentId = idOf(refund.payment_intent);
  if (refund.status === 'succeeded') {
    return { type: 'refund_succeeded', ...base(event, refund, refund.amount), paymentIntentId };
  }
  if (refund.status === 'failed' || refund.status === 'canceled') {
    const failureCode = refund.failure_reason ?? refund.status;
    return {
      type: 'refund_failed',
      ...base(event, refund, refund.amount),
      paymentIntentId,
      failureCode,
    };
  }
  return undefined;
}

function disputeOpened(event: Stripe.Event, dispute: Stripe.Dispute): GatewayEvent {
  return {
    type: 'dispute_opened',
    ...base(event, dispute, dispute.amount),
    paymentIntentId: idOf(dispute.payment_intent),
    reason: dispute.reason,
  };
}

function payoutOutcome(event: Stripe.Event, payout: Stripe.Payout): GatewayEvent {
  if (event.type === 'payout.paid')
    return { type: 'payout_paid', ...base(event, payout, payout.amount) };
  return {
    type: 'payout_failed',
    ...base(event, payout, payout.amount),
    failureCode: payout.failure_code ?? undefined,
    failureMessage: payout.failure_message ?? undefined,
  };
}

function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}
