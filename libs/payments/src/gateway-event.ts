/**
 * What the payment provider tells the ledger happened, normalised so that
 * sagas never see a provider's own shapes. Amounts are bigint minor units and
 * currencies upper-case ISO 4217, as everywhere else in the ledger.
 *
 * Providers deliver at least once: the same `providerEventId` can arrive
 * twice (and a provider may also report one outcome through two different
 * events, e.g. Stripe's `refund.created` and `refund.updated`). A saga records
 * the event id with its input and treats a second outcome for the same
 * `objectId` as a no-op.
 */
export interface GatewayEventBase {
  /** The provider's id for this delivery; the dedupe key. */
  readonly providerEventId: string;
  /** The payment intent, refund, dispute or payout the event is about. */
  readonly objectId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The metadata the ledger attached when it created the object (saga id, movement id). */
  readonly metadata: Readonly<Record<string, string>>;
  /** When the provider says it happened; carried into the saga's command, never read from a clock there. */
  readonly occurredAt: Date;
}

export interface PaymentSucceeded extends GatewayEventBase {
  readonly type: 'payment_succeeded';
}

export interface PaymentFailed extends GatewayEventBase {
  readonly type: 'payment_failed';
  readonly failureCode?: string;
  readonly failureMessage?: string;
}

export interface RefundSucceeded extends GatewayEventBase {
  readonly type: 'refund_succeeded';
  readonly paymentIntentId?: string;
}

export interface RefundFailed extends GatewayEventBase {
  readonly type: 'refund_failed';
  readonly paymentIntentId?: string;
  readonly failureCode?: string;
}

export interface DisputeOpened extends GatewayEventBase {
  readonly type: 'dispute_opened';
  readonly paymentIntentId?: string;
  readonly reason: string;
}

export interface PayoutPaid extends GatewayEventBase {
  readonly type: 'payout_paid';
}

export interface PayoutFailed extends GatewayEventBase {
  readonly type: 'payout_failed';
  readonly failureCode?: string;
  readonly failureMessage?: string;
}

export type GatewayEvent =
  | PaymentSucceeded
  | PaymentFailed
  | RefundSucceeded
  | RefundFailed
  | DisputeOpened
  | PayoutPaid
  | PayoutFailed;

export type GatewayEventType = GatewayEvent['type'];

/**
 * Receives events the adapter produces itself. Delivery is at least once: a
 * handler that throws gets the same event again later, so handlers record the
 * event durably (idempotently, by `providerEventId`) before they resolve.
 */
export type GatewayEventHandler = (event: GatewayEvent) => Promise<void>;
