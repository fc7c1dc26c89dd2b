import type { RecordStep, SagaEventShapes } from '../saga';

/** The rail a top-up pays through; `card` when a request names none. */
export type TopUpMethod = 'card' | 'mpesa';

/** A top-up, as recorded on its stream `topup-<id>`. */
export interface TopUpRequest {
  readonly topUpId: string;
  readonly requestedBy: string;
  readonly walletId: string;
  readonly ownerId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /**
   * `mpesa`: an STK push to the owner's phone. Absent means a card, as for
   * every top-up recorded before there were two rails.
   */
  readonly method?: TopUpMethod;
  /** A linked card charged off session; absent when the browser confirms the payment. */
  readonly paymentMethodId?: string;
  /** When the top-up gives up waiting for the payment (a durable timer job). */
  readonly timeoutAt: string;
  readonly at: string;
}

export type TopUpEvent =
  | { type: 'TopUpRequested'; data: TopUpRequest }
  | { type: 'PaymentIntentCreated'; data: { paymentIntentId: string; at: string } }
  | { type: 'PaymentIntentRefused'; data: { reason: string; at: string } }
  /** The provider's report, recorded before anything acts on it; `providerEventId` dedupes redeliveries. */
  | {
      type: 'PaymentSucceeded';
      data: {
        providerEventId: string;
        paymentIntentId: string;
        amountMinor: bigint;
        currency: string;
        at: string;
      };
    }
  | {
      type: 'PaymentFailed';
      data: { providerEventId: string; paymentIntentId: string; reason: string; at: string };
    }
  | { type: 'TopUpTimedOut'; data: { at: string } }
  | { type: 'TopUpCredited'; data: { at: string } }
  /** The wallet refused the credit (or the payment came too late or wrong): the card must be refunded. */
  | { type: 'TopUpRefundDue'; data: { reason: string; at: string } }
  | { type: 'TopUpRefunded'; data: { refundId: string; at: string } }
  | { type: 'TopUpRefundRefused'; data: { reason: string; at: string } }
  | { type: 'TopUpCompleted'; data: { at: string } }
  /** Terminal. `compensated`: a refund was issued for money the provider had taken. */
  | { type: 'TopUpFailed'; data: { reason: string; compensated: boolean; at: string } };

export const TOP_UP_EVENT_TYPES: readonly TopUpEvent['type'][] = [
  'TopUpRequested',
  'PaymentIntentCreated',
  'PaymentIntentRefused',
  'PaymentSucceeded',
  'PaymentFailed',
  'TopUpTimedOut',
  'TopUpCredited',
  'TopUpRefundDue',
  'TopUpRefunded',
  'TopUpRefundRefused',
  'TopUpCompleted',
  'TopUpFailed',
];

/** The fields each stored top-up event must carry (checked on decode). */
export const TOP_UP_EVENT_SHAPES: SagaEventShapes<TopUpEvent> = {
  TopUpRequested: {
    topUpId: 'text',
    requestedBy: 'text',
    walletId: 'text',
    ownerId: 'text',
    amountMinor: 'minor',
    currency: 'text',
    method: { oneOf: ['card', 'mpesa'], optional: true },
    paymentMethodId: 'text?',
    timeoutAt: 'text',
    at: 'text',
  },
  PaymentIntentCreated: { paymentIntentId: 'text', at: 'text' },
  PaymentIntentRefused: { reason: 'text', at: 'text' },
  PaymentSucceeded: {
    providerEventId: 'text',
    paymentIntentId: 'text',
    amountMinor: 'minor',
    currency: 'text',
    at: 'text',
  },
  PaymentFailed: { providerEventId: 'text', paymentIntentId: 'text', reason: 'text', at: 'text' },
  TopUpTimedOut: { at: 'text' },
  TopUpCredited: { at: 'text' },
  TopUpRefundDue: { reason: 'text', at: 'text' },
  TopUpRefunded: { refundId: 'text', at: 'text' },
  TopUpRefundRefused: { reason: 'text', at: 'text' },
  TopUpCompleted: { at: 'text' },
  TopUpFailed: { reason: 'text', compensated: 'flag', at: 'text' },
};

export type TopUpStep = 'credit';

export type TopUpCommand =
  | { readonly type: 'StartTopUp'; readonly commandId: string; readonly request: TopUpRequest }
  | {
      readonly type: 'RecordPaymentIntent';
      readonly commandId: string;
      readonly result: { ok: true; paymentIntentId: string } | { ok: false; reason: string };
      readonly at: string;
    }
  | {
      readonly type: 'RecordPayment';
      readonly commandId: string;
      readonly providerEventId: string;
      readonly paymentIntentId: string;
      readonly result:
        { ok: true; amountMinor: bigint; currency: string } | { ok: false; reason: string };
      readonly at: string;
    }
  | { readonly type: 'RecordTimeout'; readonly commandId: string; readonly at: string }
  | {
      readonly type: 'RecordRefund';
      readonly commandId: string;
      readonly result: { ok: true; refundId: string } | { ok: false; reason: string };
      readonly at: string;
    }
  | RecordStep<TopUpStep>;
