/* eslint-disable max-lines -- the PaymentGateway port for Stripe, one short method per port method
   and the translation of Stripe's objects, kept where the mapping reads in one place. */
import Stripe from 'stripe';
import type { GatewayEvent } from '../gateway-event';
import {
  checkCurrency,
  checkIdempotencyKey,
  checkMetadata,
  fromProviderAmount,
  toProviderAmount,
} from '../gateway-input';
import { WebhookSignatureError } from '../payment-gateway.errors';
import {
  PAYMENT_METHODS_PAGE_LIMIT,
  type CancelPayoutInput,
  type CancelPayoutResult,
  type ConfirmPayoutInput,
  type CreateCustomerInput,
  type CreatePaymentIntentInput,
  type CustomerResult,
  type CreatePayoutInput,
  type CreateSetupIntentInput,
  type DetachPaymentMethodInput,
  type PaymentGateway,
  type PaymentIntentResult,
  type PaymentIntentStatus,
  type PaymentMethodSummary,
  type PayoutResult,
  type PayoutStatus,
  PROVIDER_REPORT_MAX_ITEMS,
  type ProviderReport,
  type ProviderReportInput,
  type ProviderReportItem,
  type RefundInput,
  type RefundResult,
  type SetupIntentResult,
  type SetupIntentState,
} from '../payment-gateway.port';
import { toGatewayError } from './stripe-errors';
import { normaliseStripeEvent } from './stripe-events';

export interface StripeGatewayOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Point the SDK somewhere else than api.stripe.com (a stand-in in tests). */
  readonly api?: {
    readonly host: string;
    readonly port: number;
    readonly protocol: 'http' | 'https';
  };
  readonly timeoutMs?: number;
  /**
   * The SDK's own retries for network blips, reusing the idempotency key.
   * Jobs retry on top of this, so it stays small.
   */
  readonly maxNetworkRetries?: number;
  /** How old a signed webhook may be, against replays. Stripe's default is 300 s. */
  readonly webhookToleranceSeconds?: number;
}

/** A webhook body larger than this is not one Stripe sends; refuse before hashing it. */
export const MAX_WEBHOOK_BYTES = 512 * 1024;

/** `PaymentGateway` over the Stripe API (see the port for the contract). */
export class StripeGateway implements PaymentGateway {
  readonly provider = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeGatewayOptions) {
    this.stripe = new Stripe(options.secretKey, {
      host: options.api?.host,
      port: options.api?.port,
      protocol: options.api?.protocol,
      timeout: options.timeoutMs ?? 20_000,
      maxNetworkRetries: options.maxNetworkRetries ?? 1,
      telemetry: false,
    });
  }

  async createCustomer(input: CreateCustomerInput): Promise<CustomerResult> {
    checkIdempotencyKey(input.idempotencyKey);
    checkMetadata(input.metadata);
    const customer = await this.call(() =>
      this.stripe.customers.create(
        { metadata: { ...(input.metadata ?? {}) } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { customerRef: customer.id };
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentResult> {
    checkIdempotencyKey(input.idempotencyKey);
    checkCurrency(input.currency);
    checkMetadata(input.metadata);
    const offSession = input.paymentMethodId !== undefined;
    const intent = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: toProviderAmount(input.amountMinor),
          currency: input.currency.toLowerCase(),
          customer: input.customerRef,
          metadata: { ...input.metadata },
          ...(offSession
            ? { payment_method: input.paymentMethodId, confirm: true, off_session: true }
            : { automatic_payment_methods: { enabled: true } }),
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return {
      paymentIntentId: intent.id,
      clientSecret: intent.client_secret ?? '',
      status: paymentIntentStatus(intent.status),
    };
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    checkIdempotencyKey(input.idempotencyKey);
    checkMetadata(input.metadata);
    const refund = await this.call(() =>
      this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: toProviderAmount(input.amountMinor),
          metadata: { ...(input.metadata ?? {}) },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { refundId: refund.id, status: refundStatus(refund.status) };
  }

  async createPayout(input: CreatePayoutInput): Promise<PayoutResult> {
    checkIdempotencyKey(input.idempotencyKey);
    checkCurrency(input.currency);
    checkMetadata(input.metadata);
    const toConnected = input.destination.type === 'connected_account';
    const payout = await this.call(() =>
      this.stripe.payouts.create(
        {
          amount: toProviderAmount(input.amountMinor),
          currency: input.currency.toLowerCase(),
          metadata: { ...input.metadata },
          // A connected account's payout goes to its own default bank account.
          ...(toConnected ? {} : { destination: input.destination.id }),
        },
        {
          idempotencyKey: input.idempotencyKey,
          ...(toConnected ? { stripeAccount: input.destination.id } : {}),
        },
      ),
    );
    return { payoutId: payout.id, status: payoutStatus(payout.status) };
  }

  async cancelPayout(input: CancelPayoutInput): Promise<CancelPayoutResult> {
    checkIdempotencyKey(input.idempotencyKey);
    const connected = input.destination?.type === 'connected_account';
    try {
      const payout = await this.stripe.payouts.cancel(
        input.payoutId,
        {},
        {
          idempotencyKey: input.idempotencyKey,
          ...(connected ? { stripeAccount: input.destination.id } : {}),
        },
      );
      return payout.status === 'canceled' ? { status: 'canceled' } : { status: 'not_cancelable' };
    } catch (error) {
      // Stripe cancels only pending payouts; for one already paid, in transit
      // or failed it answers 400 invalid_request. An unknown payout is 404.
      if (
        error instanceof Stripe.errors.StripeInvalidRequestError &&
        error.statusCode === 400 &&
        error.code !== 'resource_missing'
      )
        return { status: 'not_cancelable' };
      throw toGatewayError(error);
    }
  }

  /**
   * What became of a payout, read from Stripe (`GET /v1/payouts/:id`), for a
   * payout whose webhook has not come: paid or failed is answered as the
   * report would have been (under an event id of the payout's own, since the
   * webhook's is unknown here: a late webhook then finds the saga decided and
   * records nothing); pending, in transit or canceled is no answer yet.
   */
  async confirmPayout(input: ConfirmPayoutInput): Promise<GatewayEvent | undefined> {
    const connected = input.destination?.type === 'connected_account';
    const payout = await this.call(() =>
      this.stripe.payouts.retrieve(
        input.payoutId,
        {},
        connected ? { stripeAccount: input.destination.id } : {},
      ),
    );
    if (payout.status !== 'paid' && payout.status !== 'failed') return undefined;
    const base = {
      providerEventId: `${payout.id}:${payout.status}`,
      objectId: payout.id,
      amountMinor: fromProviderAmount(payout.amount),
      currency: payout.currency.toUpperCase(),
      metadata: { ...(payout.metadata ?? {}) },
      // When the bank settled it, as Stripe expects it; else when it was made.
      occurredAt: new Date((payout.arrival_date || payout.created) * 1000),
    };
    return payout.status === 'paid'
      ? { type: 'payout_paid', ...base }
      : {
          type: 'payout_failed',
          ...base,
          failureCode: payout.failure_code ?? undefined,
          failureMessage: payout.failure_message ?? undefined,
        };
  }

  async createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentResult> {
    checkIdempotencyKey(input.idempotencyKey);
    checkMetadata(input.metadata);
    const intent = await this.call(() =>
      this.stripe.setupIntents.create(
        {
          customer: input.customerRef,
          usage: 'off_session',
          metadata: { ...(input.metadata ?? {}) },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { setupIntentId: intent.id, clientSecret: intent.client_secret ?? '' };
  }

  async retrieveSetupIntent(setupIntentId: string): Promise<SetupIntentState | undefined> {
    let intent: Stripe.SetupIntent;
    try {
      intent = await this.stripe.setupIntents.retrieve(setupIntentId);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404)
        return undefined;
      throw toGatewayError(error);
    }
    const customer = intent.customer;
    const method = intent.payment_method;
    return {
      setupIntentId: intent.id,
      customerRef: typeof customer === 'string' ? customer : customer?.id,
      status: setupIntentStatus(intent.status),
      paymentMethodId: typeof method === 'string' ? method : method?.id,
    };
  }

  async listPaymentMethods(customerRef: string): Promise<PaymentMethodSummary[]> {
    const page = await this.call(() =>
      this.stripe.paymentMethods.list({
        customer: customerRef,
        type: 'card',
        limit: PAYMENT_METHODS_PAGE_LIMIT,
      }),
    );
    return page.data.map((method) => ({
      paymentMethodId: method.id,
      brand: method.card?.brand,
      last4: method.card?.last4,
      expMonth: method.card?.exp_month,
      expYear: method.card?.exp_year,
    }));
  }

  async detachPaymentMethod(input: DetachPaymentMethodInput): Promise<void> {
    checkIdempotencyKey(input.idempotencyKey);
    await this.call(() =>
      this.stripe.paymentMethods.detach(
        input.paymentMethodId,
        {},
        { idempotencyKey: input.idempotencyKey },
      ),
    );
  }

  parseWebhook(rawBody: Buffer, signatureHeader: string): GatewayEvent | undefined {
    if (rawBody.length > MAX_WEBHOOK_BYTES) {
      throw new WebhookSignatureError(
        'payload_too_large',
        `Webhook body exceeds ${MAX_WEBHOOK_BYTES} bytes`,
      );
    }
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        this.options.webhookSecret,
        this.options.webhookToleranceSeconds,
      );
    } catch (error) {
      const reason =
        error instanceof Stripe.errors.StripeSignatureVerificationError
          ? 'signature_mismatch'
          : 'malformed_payload';
      throw new WebhookSignatureError(reason, 'Webhook signature could not be verified', {
        cause: error,
      });
    }
    try {
      return normaliseStripeEvent(event);
    } catch (error) {
      // Signed by Stripe yet unreadable (an amount that is not an integer):
      // refuse it rather than record something half understood.
      throw new WebhookSignatureError(
        'malformed_payload',
        `Webhook ${event.id} has an unreadable payload`,
        { cause: error },
      );
    }
  }

  /**
   * Stripe's balance transactions created in the period, with their sources
   * expanded: a charge is matched by its payment intent (the id the ledger
   * records), a refund and a payout by their own ids. Paged 100 at a time up
   * to `PROVIDER_REPORT_MAX_ITEMS`.
   */
  async providerReport(input: ProviderReportInput): Promise<ProviderReport> {
    const items: ProviderReportItem[] = [];
    const created = {
      gte: Math.floor(input.from.getTime() / 1000),
      lt: Math.ceil(input.to.getTime() / 1000),
    };
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call(() =>
        this.stripe.balanceTransactions.list({
          created,
          limit: 100,
          expand: ['data.source'],
          ...(startingAfter && { starting_after: startingAfter }),
        }),
      );
      for (const txn of page.data) {
        const item = reportItem(txn);
        if (item) items.push(item);
      }
      if (items.length >= PROVIDER_REPORT_MAX_ITEMS)
        return {
          supported: true,
          items: items.slice(0, PROVIDER_REPORT_MAX_ITEMS),
          truncated: true,
        };
      const last = page.data.at(-1);
      if (!page.has_more || !last) return { supported: true, items, truncated: false };
      startingAfter = last.id;
    }
  }

  /** Stripe reports outcomes by webhook (`parseWebhook`); nothing is ever delivered here. */
  onEvent(): () => void {
    return () => undefined;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toGatewayError(error);
    }
  }
}

/** A balance transaction as a report item; fees, adjustments and transfers are not the ledger's objects. */
function reportItem(txn: Stripe.BalanceTransaction): ProviderReportItem | undefined {
  const source = txn.source;
  if (!source || typeof source === 'string') return undefined;
  const common = {
    amountMinor: BigInt(Math.abs(txn.amount)),
    currency: txn.currency.toUpperCase(),
    occurredAt: new Date(txn.created * 1000),
  };
  if (source.object === 'charge') {
    const intent = source.payment_intent;
    const objectId = typeof intent === 'string' ? intent : intent?.id;
    if (!objectId) return undefined;
    return { type: 'charge', objectId, status: source.status, ...common };
  }
  if (source.object === 'refund')
    return { type: 'refund', objectId: source.id, status: source.status ?? 'pending', ...common };
  if (source.object === 'payout')
    return { type: 'payout', objectId: source.id, status: source.status, ...common };
  return undefined;
}

function paymentIntentStatus(status: Stripe.PaymentIntent.Status): PaymentIntentStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'canceled';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    default:
      return 'requires_customer';
  }
}

function setupIntentStatus(status: Stripe.SetupIntent.Status): SetupIntentState['status'] {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'processing':
      return 'processing';
    case 'canceled':
      return 'canceled';
    default:
      return 'requires_action';
  }
}

function refundStatus(status: string | null): RefundResult['status'] {
  if (status === 'succeeded' || status === 'failed' || status === 'canceled') return status;
  return 'pending';
}

function payoutStatus(status: string): PayoutStatus {
  if (status === 'paid' || status === 'failed' || status === 'canceled' || status === 'in_transit')
    return status;
  return 'pending';
}
