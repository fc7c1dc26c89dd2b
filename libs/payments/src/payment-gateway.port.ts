import type { GatewayEvent, GatewayEventHandler } from './gateway-event';

/**
 * The payment provider as the money-movement sagas see it: charge a card
 * (top-up), refund it (compensation), pay out to a bank account (withdrawal),
 * and manage the cards a user links. Adapters: `StripeGateway` (cards, in
 * production), `MpesaGateway` (mobile money over Safaricom's Daraja API) and
 * `SandboxGateway` (embedded default for either rail, deterministic and
 * scriptable).
 *
 * Every call that creates something takes an `idempotencyKey`. Callers derive
 * it from the saga id and the step (`topup-42:charge`), never from a clock or
 * a random source, so that a job retried after a crash or a timeout gets the
 * provider's first answer back instead of charging, refunding or paying twice.
 *
 * Every method can throw:
 * - `TransientGatewayError` (network, timeout, 5xx, 429, key in flight):
 *   retry later with the same key;
 * - `PermanentGatewayError` (`invalid_request`, `idempotency_key_reused`,
 *   `not_authorised`, plus the method-specific reasons listed below): do not
 *   retry; take the saga's failure path.
 */
export interface PaymentGateway {
  /**
   * Which provider this is (`sandbox`, `stripe`). Ids stored for one provider,
   * such as a user's customer id, mean nothing to another, so they are kept
   * under this name.
   */
  readonly provider: string;

  /**
   * Creates the provider's customer for one ledger user. A retry with the
   * same key returns the same customer, so callers derive the key from the
   * user id. A user's cards are linked to and charged from this customer
   * only: the provider itself refuses a charge with another customer's card.
   */
  createCustomer(input: CreateCustomerInput): Promise<CustomerResult>;

  /**
   * Starts a card payment. Without `paymentMethodId` the customer confirms it
   * in the browser with `clientSecret`; with a linked card's id it is charged
   * at once, off session. The outcome arrives later as `payment_succeeded` or
   * `payment_failed`; the returned status is only a hint.
   *
   * Throws `PermanentGatewayError('card_declined')` when an off-session charge
   * is refused outright, and `PermanentGatewayError('invalid_request')` when
   * `paymentMethodId` is not linked to `customerRef`.
   */
  createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentResult>;

  /**
   * Refunds all or part of a succeeded payment. Outcome: `refund_succeeded` or
   * `refund_failed`. Throws `PermanentGatewayError('invalid_request')` when the
   * payment is unknown or the amount exceeds what is left to refund.
   */
  refund(input: RefundInput): Promise<RefundResult>;

  /**
   * Sends money from the platform balance to a bank account. Outcome:
   * `payout_paid` or `payout_failed` (days later, for real banks). Throws
   * `PermanentGatewayError('insufficient_funds')` when the balance cannot cover it.
   */
  createPayout(input: CreatePayoutInput): Promise<PayoutResult>;

  /**
   * Asks the provider to stop a payout it has not sent yet. `canceled`: the
   * money will not leave (no `payout_paid` follows); `not_cancelable`: the
   * payout is already paid, in transit or failed, so its final report
   * (`payout_paid` or `payout_failed`) is the answer to wait for. A retry
   * with the same key replays the first answer.
   *
   * Throws `TransientGatewayError` as every call does (retry with the same
   * key), and `PermanentGatewayError('invalid_request')` when the payout is
   * unknown to the provider.
   */
  cancelPayout(input: CancelPayoutInput): Promise<CancelPayoutResult>;

  /** Starts linking a card; the browser completes it with `clientSecret`. */
  createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentResult>;

  /**
   * What became of a SetupIntent the browser confirmed with the provider's
   * own form (Stripe Elements), or undefined when the provider knows no such
   * SetupIntent. Only gateways whose cards are linked in the browser have it;
   * the sandbox links its test card at once.
   */
  retrieveSetupIntent?(setupIntentId: string): Promise<SetupIntentState | undefined>;

  /** The cards linked to a customer, at most `PAYMENT_METHODS_PAGE_LIMIT`. */
  listPaymentMethods(customerRef: string): Promise<PaymentMethodSummary[]>;

  /**
   * Unlinks a card. A retry with the same key replays the first answer;
   * detaching an unknown card throws `PermanentGatewayError('invalid_request')`.
   */
  detachPaymentMethod(input: DetachPaymentMethodInput): Promise<void>;

  /**
   * Verifies and normalises a provider webhook. Returns undefined for event
   * types the ledger does not act on (answer 200 so the provider stops
   * resending). Throws `WebhookSignatureError` for anything not provably sent
   * by the provider: the API answers 400 and writes nothing.
   */
  parseWebhook(rawBody: Buffer, signatureHeader: string): GatewayEvent | undefined;

  /**
   * Subscribes to events the adapter produces itself. The sandbox delivers its
   * outcomes here; Stripe delivers through webhooks instead (see
   * `parseWebhook`), so its adapter never calls the handler. Returns an
   * unsubscribe function.
   */
  onEvent(handler: GatewayEventHandler): () => void;

  /**
   * Asks the provider how a payment ended, for a rail whose reports cannot be
   * trusted on their own (M-Pesa's callbacks are unsigned) or may never come.
   * Returns the outcome as a `GatewayEvent`, or undefined while the payment is
   * still in progress. Adapters whose reports are signed need not have it.
   */
  confirmPayment?(input: ConfirmPaymentInput): Promise<GatewayEvent | undefined>;

  /**
   * The same for a payout. A provider that answers status queries later, on a
   * callback of its own (M-Pesa's transaction status), returns undefined and
   * its answer arrives as the report.
   */
  confirmPayout?(input: ConfirmPayoutInput): Promise<GatewayEvent | undefined>;

  /**
   * The provider's own report of a period: the charges it settled, the
   * refunds it made and the payouts it sent, as it books them (Stripe's
   * balance transactions). Reconciliation matches it against the ledger's
   * record. A provider that has no such report answers
   * `{ supported: false }` rather than an empty list, so a reconciliation
   * never reads "nothing happened" into "nothing can be known". Bounded:
   * at most `PROVIDER_REPORT_MAX_ITEMS` items, `truncated` says more exist.
   */
  providerReport(input: ProviderReportInput): Promise<ProviderReport>;
}

/** Items a provider report returns at most; a longer period is reconciled in parts. */
export const PROVIDER_REPORT_MAX_ITEMS = 10_000;

export interface ProviderReportInput {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

export type ProviderReportItemType = 'charge' | 'refund' | 'payout';

/** One object as the provider booked it. */
export interface ProviderReportItem {
  readonly type: ProviderReportItemType;
  /** The id the ledger recorded: the payment intent, refund or payout id. */
  readonly objectId: string;
  /** Positive minor units: what was charged, refunded or paid out. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** When the provider booked it. */
  readonly occurredAt: Date;
  /** The provider's state of the object (`succeeded`, `paid`, `failed`, `pending`, …). */
  readonly status: string;
}

export type ProviderReport =
  | {
      readonly supported: true;
      readonly items: readonly ProviderReportItem[];
      readonly truncated: boolean;
    }
  | { readonly supported: false; readonly reason: string };

export interface ConfirmPaymentInput {
  readonly paymentIntentId: string;
  /** What was asked for; a status query may not repeat it, and the event carries it. */
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
}

export interface ConfirmPayoutInput {
  readonly payoutId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  /** Where it was paid, when that decides whom to ask (a connected account's payout is its own). */
  readonly destination?: PayoutDestination;
}

/** Stripe allows 50 keys; keys up to 40 characters and values up to 500. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
export const PAYMENT_METHODS_PAGE_LIMIT = 100;

export type Metadata = Readonly<Record<string, string>>;

export interface CreateCustomerInput {
  /** Provider ids only; never a name, e-mail or phone number. */
  readonly metadata?: Metadata;
  readonly idempotencyKey: string;
}

export interface CustomerResult {
  /** The provider's customer id (`cus_…`). */
  readonly customerRef: string;
}

export interface CreatePaymentIntentInput {
  readonly amountMinor: bigint;
  /** ISO 4217, upper case. */
  readonly currency: string;
  /** The provider's customer id for the user. */
  readonly customerRef: string;
  /** Charge this linked card now, off session, instead of waiting for the browser. */
  readonly paymentMethodId?: string;
  /** Mobile money: the payer's phone number (E.164), prompted to approve the payment. */
  readonly payerPhone?: string;
  readonly metadata: Metadata;
  readonly idempotencyKey: string;
}

/** The provider's many intermediate states, reduced to what a saga branches on. */
export type PaymentIntentStatus = 'requires_customer' | 'processing' | 'succeeded' | 'canceled';

export interface PaymentIntentResult {
  readonly paymentIntentId: string;
  /** Handed to the browser to confirm the payment; never stored or logged. */
  readonly clientSecret: string;
  readonly status: PaymentIntentStatus;
}

export interface RefundInput {
  readonly paymentIntentId: string;
  readonly amountMinor: bigint;
  readonly metadata?: Metadata;
  readonly idempotencyKey: string;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface RefundResult {
  readonly refundId: string;
  readonly status: RefundStatus;
}

/**
 * Where a payout goes: a bank account linked to the platform account
 * (`ba_…`), or the default bank account of a connected account (`acct_…`),
 * paid from that connected account's balance.
 */
export type PayoutDestination =
  | { readonly type: 'bank_account'; readonly id: string }
  | { readonly type: 'connected_account'; readonly id: string }
  /** Mobile money: the phone number (E.164) the money is sent to. */
  | { readonly type: 'mobile_money'; readonly id: string };

export interface CreatePayoutInput {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly destination: PayoutDestination;
  readonly metadata: Metadata;
  readonly idempotencyKey: string;
}

export type PayoutStatus = 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';

export interface PayoutResult {
  readonly payoutId: string;
  readonly status: PayoutStatus;
}

export interface CancelPayoutInput {
  readonly payoutId: string;
  /** Where the payout went; a connected account's payout is canceled on that account's behalf. */
  readonly destination?: PayoutDestination;
  readonly idempotencyKey: string;
}

export type CancelPayoutResult =
  { readonly status: 'canceled' } | { readonly status: 'not_cancelable' };

export interface CreateSetupIntentInput {
  readonly customerRef: string;
  readonly metadata?: Metadata;
  readonly idempotencyKey: string;
}

export interface SetupIntentResult {
  readonly setupIntentId: string;
  readonly clientSecret: string;
}

export interface SetupIntentState {
  readonly setupIntentId: string;
  /** The customer it links a card to; compared with the caller's own before anything is shown. */
  readonly customerRef?: string;
  readonly status: 'succeeded' | 'processing' | 'requires_action' | 'canceled';
  /** The card it linked, once succeeded. */
  readonly paymentMethodId?: string;
}

/** Only provider ids and display hints are kept; card numbers never reach the ledger. */
export interface PaymentMethodSummary {
  readonly paymentMethodId: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expMonth?: number;
  readonly expYear?: number;
}

export interface DetachPaymentMethodInput {
  readonly paymentMethodId: string;
  readonly idempotencyKey: string;
}
