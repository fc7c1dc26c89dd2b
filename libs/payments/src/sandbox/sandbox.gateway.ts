/* eslint-disable max-lines -- every method of the PaymentGateway port over one in-memory state
   (intents, payouts, redeliveries); each method is short, and split files would share that state. */
import type { GatewayEvent, GatewayEventHandler } from '../gateway-event';
import {
  checkCurrency,
  checkIdempotencyKey,
  checkMetadata,
  toProviderAmount,
} from '../gateway-input';
import { PermanentGatewayError } from '../payment-gateway.errors';
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
  type Metadata,
  type PaymentGateway,
  type PaymentIntentResult,
  type PaymentMethodSummary,
  type PayoutResult,
  type ProviderReport,
  type ProviderReportInput,
  type RefundInput,
  type RefundResult,
  type SetupIntentResult,
} from '../payment-gateway.port';
import {
  declined,
  objectId,
  replay,
  throwIfNotExecuted,
  timedOut,
  type StoredCall,
} from './sandbox-calls';
import { SandboxCards } from './sandbox-cards';
import { SandboxEventBus } from './sandbox-event-bus';
import {
  SANDBOX_MAGIC_AMOUNTS,
  SANDBOX_OUTCOME_METADATA_KEY,
  SandboxScript,
  isSandboxOutcome,
  type SandboxOperation,
  type SandboxOutcome,
} from './sandbox-script';
import { SandboxReport } from './sandbox-report';
import { signSandboxWebhook, verifySandboxWebhook } from './sandbox-webhook';

export interface SandboxGatewayOptions {
  /** The name it goes by (`sandbox`; `mpesa-sandbox` when it plays the mobile-money rail). */
  readonly provider?: string;
  readonly script?: SandboxScript;
  /** Whether `SANDBOX_MAGIC_AMOUNTS` pick outcomes (default true). */
  readonly magicAmounts?: boolean;
  readonly eventDelayMs?: number;
  readonly maxDeliveryAttempts?: number;
  readonly redeliveryBaseMs?: number;
  /** Signs and verifies the sandbox's own webhooks (`signedWebhook`, `parseWebhook`). */
  readonly webhookSecret?: string;
  /** Event timestamps come from here, so tests can pin them. */
  readonly now?: () => Date;
}

/**
 * A payout as the sandbox's bank sees it. It can be canceled while pending or
 * while its report is still on its way; once `payout_paid` or `payout_failed`
 * has been delivered (or the payout is `in_transit`), it cannot.
 */
type SandboxPayoutStatus = 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';

interface SandboxPayout {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  status: SandboxPayoutStatus;
  /** When its outcome was settled, so every answer about it carries the same time. */
  settledAt?: Date;
}

interface Charge {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly metadata: Metadata;
  refundedMinor: bigint;
}

/**
 * Bounds what an embedded process remembers. Object ids are derived from the
 * idempotency key, so a call retried after the sandbox forgot it (eviction or
 * restart) still gets the same id and the same event ids back.
 */
const MAX_REMEMBERED_CALLS = 100_000;

/**
 * The embedded payment provider: deterministic, in memory, scriptable (see
 * `sandbox-script.ts`). Outcomes arrive through `onEvent`, asynchronously and
 * at least once, instead of through webhooks.
 */
export class SandboxGateway implements PaymentGateway {
  readonly provider: string;
  readonly script: SandboxScript;
  /** What the sandbox provider booked; `providerReport` lists it. */
  readonly report = new SandboxReport();
  private readonly bus: SandboxEventBus;
  private readonly calls = new Map<string, StoredCall>();
  private readonly charges = new Map<string, Charge>();
  private readonly payouts = new Map<string, SandboxPayout>();
  private readonly cards = new SandboxCards();
  private readonly now: () => Date;

  constructor(private readonly options: SandboxGatewayOptions = {}) {
    this.provider = options.provider ?? 'sandbox';
    this.script = options.script ?? new SandboxScript();
    this.now = options.now ?? (() => new Date());
    this.bus = new SandboxEventBus({
      eventDelayMs: options.eventDelayMs ?? 0,
      maxDeliveryAttempts: options.maxDeliveryAttempts ?? 5,
      redeliveryBaseMs: options.redeliveryBaseMs ?? 10,
      maxBufferedEvents: 10_000,
      admit: (event) => this.admit(event),
    });
  }

  async createCustomer(input: CreateCustomerInput): Promise<CustomerResult> {
    return this.idempotent('createCustomer', input, input.metadata ?? {}, undefined, () => ({
      customerRef: objectId('cus', input.idempotencyKey),
    }));
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentResult> {
    checkCurrency(input.currency);
    toProviderAmount(input.amountMinor);
    if (input.paymentMethodId && !this.cards.belongsTo(input.paymentMethodId, input.customerRef)) {
      throw new PermanentGatewayError(
        'invalid_request',
        `No such payment method ${input.paymentMethodId} for customer ${input.customerRef}`,
      );
    }
    return this.idempotent(
      'createPaymentIntent',
      input,
      input.metadata,
      input.amountMinor,
      (outcome) => {
        const id = objectId('pi', input.idempotencyKey);
        this.remember(this.charges, id, {
          amountMinor: input.amountMinor,
          currency: input.currency,
          metadata: input.metadata,
          refundedMinor: 0n,
        });
        const { amountMinor, currency, metadata } = input;
        this.publish(
          outcome,
          this.event('payment_succeeded', id, amountMinor, currency, metadata),
          {
            ...this.event('payment_failed', id, amountMinor, currency, metadata),
            failureCode: 'card_declined',
          },
        );
        // The sandbox customer confirms at once, so the payment is already under way.
        return { paymentIntentId: id, clientSecret: `${id}_secret_sandbox`, status: 'processing' };
      },
    );
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    toProviderAmount(input.amountMinor);
    return this.idempotent('refund', input, input.metadata ?? {}, input.amountMinor, (outcome) => {
      const charge = this.refundable(input);
      // A refund that will fail gives nothing back, so it does not use up the charge.
      if (outcome !== 'fail_async') charge.refundedMinor += input.amountMinor;
      const id = objectId('re', input.idempotencyKey);
      const metadata = input.metadata ?? {};
      const { amountMinor, paymentIntentId } = input;
      this.publish(
        outcome,
        {
          ...this.event('refund_succeeded', id, amountMinor, charge.currency, metadata),
          paymentIntentId,
        },
        {
          ...this.event('refund_failed', id, amountMinor, charge.currency, metadata),
          paymentIntentId,
          failureCode: 'expired_or_canceled_card',
        },
      );
      return { refundId: id, status: 'pending' };
    });
  }

  async createPayout(input: CreatePayoutInput): Promise<PayoutResult> {
    checkCurrency(input.currency);
    toProviderAmount(input.amountMinor);
    return this.idempotent('createPayout', input, input.metadata, input.amountMinor, (outcome) => {
      const id = objectId('po', input.idempotencyKey);
      const { amountMinor, currency, metadata } = input;
      this.remember(this.payouts, id, { amountMinor, currency, metadata, status: 'pending' });
      // A provider books a payout when it is created, and settles it later.
      this.report.book({
        type: 'payout',
        objectId: id,
        amountMinor,
        currency,
        occurredAt: this.now(),
        status: 'pending',
      });
      this.publish(outcome, this.event('payout_paid', id, amountMinor, currency, metadata), {
        ...this.event('payout_failed', id, amountMinor, currency, metadata),
        failureCode: 'account_closed',
      });
      return { payoutId: id, status: 'pending' };
    });
  }

  async cancelPayout(input: CancelPayoutInput): Promise<CancelPayoutResult> {
    return this.idempotent('cancelPayout', input, {}, undefined, () => {
      const payout = this.payouts.get(input.payoutId);
      if (!payout)
        throw new PermanentGatewayError('invalid_request', `No such payout ${input.payoutId}`);
      if (payout.status !== 'pending' && payout.status !== 'canceled')
        return { status: 'not_cancelable' as const };
      // Its report, if already on the bus, is dropped at delivery (see `admit`).
      payout.status = 'canceled';
      this.report.setStatus(input.payoutId, 'canceled');
      return { status: 'canceled' as const };
    });
  }

  /**
   * What became of a payout, as a provider's payout lookup answers: its
   * report (under the same event id the report carries) once it is paid or
   * failed, nothing while it is pending, in transit or canceled. A payout this
   * process does not know was made by an earlier one (the sandbox keeps its
   * objects in memory): it is answered as the bank settles it when no fault
   * was scripted, by its metadata or amount (`fail_async` fails, `no_event`
   * stays unreported, anything else is paid), and remembered so.
   */
  async confirmPayout(input: ConfirmPayoutInput): Promise<GatewayEvent | undefined> {
    this.failIfScripted('confirmPayout');
    let payout = this.payouts.get(input.payoutId);
    if (!payout) {
      const { amountMinor, currency, metadata } = input;
      const outcome = this.outcomeFor(metadata, amountMinor);
      if (outcome === 'no_event') return undefined;
      const status = outcome === 'fail_async' ? 'failed' : 'paid';
      payout = { amountMinor, currency, metadata, status };
      this.remember(this.payouts, input.payoutId, payout);
    }
    if (payout.status !== 'paid' && payout.status !== 'failed') return undefined;
    payout.settledAt ??= this.now();
    const { amountMinor, currency, metadata, settledAt: occurredAt } = payout;
    const id = input.payoutId;
    if (payout.status === 'paid')
      return { ...this.event('payout_paid', id, amountMinor, currency, metadata), occurredAt };
    return {
      ...this.event('payout_failed', id, amountMinor, currency, metadata),
      occurredAt,
      failureCode: 'account_closed',
    };
  }

  async createSetupIntent(input: CreateSetupIntentInput): Promise<SetupIntentResult> {
    return this.idempotent('createSetupIntent', input, input.metadata ?? {}, undefined, () => {
      const id = objectId('seti', input.idempotencyKey);
      // The sandbox customer completes the setup at once with the classic test card.
      const card = {
        paymentMethodId: objectId('pm', input.idempotencyKey),
        brand: 'visa',
        last4: '4242',
        expMonth: 12,
        expYear: 2030,
      };
      this.cards.link(card, input.customerRef);
      return { setupIntentId: id, clientSecret: `${id}_secret_sandbox` };
    });
  }

  async listPaymentMethods(customerRef: string): Promise<PaymentMethodSummary[]> {
    this.failIfScripted('listPaymentMethods');
    return this.cards.listFor(customerRef, PAYMENT_METHODS_PAGE_LIMIT);
  }

  async detachPaymentMethod(input: DetachPaymentMethodInput): Promise<void> {
    await this.idempotent('detachPaymentMethod', input, {}, undefined, () => {
      if (!this.cards.detach(input.paymentMethodId)) {
        throw new PermanentGatewayError(
          'invalid_request',
          `No such payment method ${input.paymentMethodId}`,
        );
      }
      return undefined;
    });
  }

  async providerReport(input: ProviderReportInput): Promise<ProviderReport> {
    this.failIfScripted('providerReport');
    return this.report.list(input);
  }

  parseWebhook(rawBody: Buffer, signatureHeader: string): GatewayEvent {
    return verifySandboxWebhook(rawBody, signatureHeader, this.webhookSecret());
  }

  onEvent(handler: GatewayEventHandler): () => void {
    return this.bus.subscribe(handler);
  }

  /** A webhook the sandbox's `parseWebhook` accepts, to drive the API's webhook route in tests. */
  signedWebhook(event: GatewayEvent): { rawBody: Buffer; signatureHeader: string } {
    return signSandboxWebhook(event, this.webhookSecret());
  }

  /** Reports the outcome of a payment now, e.g. one created with `no_event` (a late webhook). */
  settlePayment(paymentIntentId: string, result: 'succeeded' | 'failed'): void {
    const charge = this.charges.get(paymentIntentId);
    if (!charge) throw new RangeError(`Unknown sandbox payment intent ${paymentIntentId}`);
    const type = result === 'succeeded' ? 'payment_succeeded' : 'payment_failed';
    const event = this.event(
      type,
      paymentIntentId,
      charge.amountMinor,
      charge.currency,
      charge.metadata,
    );
    this.bookSettled(event);
    this.bus.publish(event);
  }

  /**
   * Moves a payout on, as the bank would: `in_transit` makes it impossible to
   * cancel without reporting anything yet; `paid` or `failed` reports it now
   * (e.g. one created with `no_event`). A canceled payout is never reported.
   */
  settlePayout(payoutId: string, result: 'in_transit' | 'paid' | 'failed'): void {
    const payout = this.payouts.get(payoutId);
    if (!payout) throw new RangeError(`Unknown sandbox payout ${payoutId}`);
    if (result === 'in_transit') {
      if (payout.status === 'pending') payout.status = 'in_transit';
      return;
    }
    const { amountMinor, currency, metadata } = payout;
    this.bus.publish(
      result === 'paid'
        ? this.event('payout_paid', payoutId, amountMinor, currency, metadata)
        : {
            ...this.event('payout_failed', payoutId, amountMinor, currency, metadata),
            failureCode: 'account_closed',
          },
    );
  }

  /** Resolves when every event produced so far has been delivered (or given up on). */
  idle(): Promise<void> {
    return this.bus.idle();
  }

  /** Events every delivery attempt of which threw. */
  get undeliveredEvents(): ReadonlyArray<{ event: GatewayEvent; error: unknown }> {
    return this.bus.undelivered;
  }

  close(): void {
    this.bus.close();
  }

  /**
   * The provider's idempotency, emulated: the same key and the same request
   * replay the first answer (including a decline) without executing again;
   * the same key with another request is a permanent error. Faults that
   * happen before execution (5xx, 429) are not remembered, so a retry runs.
   */
  private async idempotent<T>(
    operation: SandboxOperation,
    input: { readonly idempotencyKey: string },
    metadata: Metadata,
    amountMinor: bigint | undefined,
    execute: (outcome: SandboxOutcome) => T,
  ): Promise<T> {
    checkIdempotencyKey(input.idempotencyKey);
    checkMetadata(metadata);
    const scripted = this.script.take(operation);
    throwIfNotExecuted(scripted);
    const fingerprint = `${operation}:${JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
    const stored = this.calls.get(input.idempotencyKey);
    if (stored) return replay<T>(stored, fingerprint, scripted);
    const outcome = scripted ?? this.outcomeFor(metadata, amountMinor);
    throwIfNotExecuted(outcome);
    if (outcome === 'decline') {
      const error = declined(operation);
      this.remember(this.calls, input.idempotencyKey, { fingerprint, error });
      throw error;
    }
    const result = execute(outcome);
    this.remember(this.calls, input.idempotencyKey, { fingerprint, result });
    if (outcome === 'timeout') throw timedOut();
    return result;
  }

  private outcomeFor(metadata: Metadata, amountMinor: bigint | undefined): SandboxOutcome {
    const requested = metadata[SANDBOX_OUTCOME_METADATA_KEY];
    if (isSandboxOutcome(requested)) return requested;
    const magic =
      amountMinor !== undefined && this.options.magicAmounts !== false
        ? SANDBOX_MAGIC_AMOUNTS.get(amountMinor)
        : undefined;
    return magic ?? 'succeed';
  }

  private failIfScripted(operation: SandboxOperation): void {
    const outcome = this.script.take(operation);
    throwIfNotExecuted(outcome);
    if (outcome === 'timeout') throw timedOut();
  }

  private refundable(input: RefundInput): Charge {
    const charge = this.charges.get(input.paymentIntentId);
    if (!charge)
      throw new PermanentGatewayError(
        'invalid_request',
        `No such payment intent ${input.paymentIntentId}`,
      );
    if (charge.refundedMinor + input.amountMinor > charge.amountMinor) {
      throw new PermanentGatewayError(
        'invalid_request',
        `Refund exceeds what is left of ${input.paymentIntentId}`,
      );
    }
    return charge;
  }

  /**
   * Decides, at each delivery attempt, whether a payout's report may go out:
   * never for a canceled payout; otherwise the first delivery fixes its
   * outcome, after which it can no longer be canceled.
   */
  private admit(event: GatewayEvent): boolean {
    if (event.type !== 'payout_paid' && event.type !== 'payout_failed') return true;
    const payout = this.payouts.get(event.objectId);
    if (!payout) return true;
    if (payout.status === 'canceled') return false;
    if (payout.status === 'pending' || payout.status === 'in_transit') {
      payout.status = event.type === 'payout_paid' ? 'paid' : 'failed';
      this.report.setStatus(event.objectId, payout.status);
    }
    return true;
  }

  private publish(outcome: SandboxOutcome, success: GatewayEvent, failure: GatewayEvent): void {
    if (outcome === 'no_event') return;
    const event = outcome === 'fail_async' ? failure : success;
    this.bookSettled(event);
    this.bus.publish(event);
    if (outcome === 'duplicate_event') this.bus.publish(event);
  }

  /** A settled charge or refund is on the provider's books from the moment it is reported. */
  private bookSettled(event: GatewayEvent): void {
    const type =
      event.type === 'payment_succeeded'
        ? 'charge'
        : event.type === 'refund_succeeded'
          ? 'refund'
          : undefined;
    if (!type) return;
    this.report.book({
      type,
      objectId: event.objectId,
      amountMinor: event.amountMinor,
      currency: event.currency,
      occurredAt: event.occurredAt,
      status: 'succeeded',
    });
  }

  private event<T extends GatewayEvent['type']>(
    type: T,
    id: string,
    amountMinor: bigint,
    currency: string,
    metadata: Metadata,
  ) {
    return {
      type,
      // One id per (object, outcome): a redelivery or a replayed call carries the same id.
      providerEventId: objectId('evt', `${id}:${type}`),
      objectId: id,
      amountMinor,
      currency,
      metadata: { ...metadata },
      occurredAt: this.now(),
    } as Extract<GatewayEvent, { type: T }>;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= MAX_REMEMBERED_CALLS) map.delete(map.keys().next().value as string);
    map.set(key, value);
  }

  private webhookSecret(): string {
    return this.options.webhookSecret ?? 'sandbox-webhook-secret';
  }
}
