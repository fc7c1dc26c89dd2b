import { createHash } from 'node:crypto';
import type { GatewayEvent, GatewayEventHandler } from '../gateway-event';
import { checkIdempotencyKey, checkMetadata } from '../gateway-input';
import { PermanentGatewayError, WebhookSignatureError } from '../payment-gateway.errors';
import type {
  ProviderReport,
  CancelPayoutInput,
  CancelPayoutResult,
  ConfirmPaymentInput,
  ConfirmPayoutInput,
  CreateCustomerInput,
  CreatePaymentIntentInput,
  CreatePayoutInput,
  CustomerResult,
  Metadata,
  PaymentGateway,
  PaymentIntentResult,
  PaymentMethodSummary,
  PayoutResult,
  RefundResult,
  SetupIntentResult,
} from '../payment-gateway.port';
import type { MpesaCallback } from './mpesa-callbacks';
import { MpesaClient, MpesaStillProcessing, type MpesaClientOptions } from './mpesa-client';
import { darajaTimestamp, stkPassword, toMsisdn, toShillings } from './mpesa-wire';

export interface MpesaGatewayOptions extends MpesaClientOptions {
  /** The paybill or till that receives STK payments and sends B2C payments. */
  readonly shortcode: string;
  readonly passkey: string;
  readonly initiatorName: string;
  /** The initiator's password encrypted with Safaricom's certificate, as Daraja issues it. */
  readonly securityCredential: string;
  /**
   * Public base of the secret callback path, e.g.
   * `https://api.example.com/webhooks/mpesa/<secret>`; the saga and the leg are appended.
   */
  readonly callbackUrl: string;
}

/** The metadata key naming the saga, which the callback path carries back. */
const SAGA_KEY = 'saga';
const SAGA_REF = /^[a-z]{1,20}-[A-Za-z0-9-]{1,80}$/;
const MAX_REMEMBERED_CALLS = 100_000;

/**
 * Mobile money through Safaricom's Daraja API: a top-up is an STK push (the
 * customer approves it on the phone), a withdrawal a B2C payment. Daraja
 * signs nothing, so the adapter reports nothing by itself: its callbacks
 * reach the API on a secret path (`apps/api/src/webhooks/mpesa-callback.controller.ts`),
 * and every outcome the ledger records comes from `confirmPayment` (the STK
 * push query) or `confirmPayout` (the transaction status query, answered on
 * the `status` callback).
 *
 * Daraja has no idempotency keys for STK pushes. The adapter replays its
 * first answer to a repeated key while the process lives; B2C payments carry
 * a hash of the key as `OriginatorConversationID`, Daraja's own duplicate check.
 */
export class MpesaGateway implements PaymentGateway {
  readonly provider = 'mpesa';
  private readonly client: MpesaClient;
  private readonly calls = new Map<string, { fingerprint: string; result: unknown }>();
  private readonly now: () => Date;

  constructor(private readonly options: MpesaGatewayOptions) {
    this.client = new MpesaClient(options);
    this.now = options.now ?? (() => new Date());
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentResult> {
    const amount = toShillings(input.amountMinor, input.currency);
    if (!input.payerPhone) throw invalid('an M-Pesa payment needs the payer phone number');
    const msisdn = toMsisdn(input.payerPhone);
    const saga = sagaOf(input.metadata);
    return this.once(input, async () => {
      const timestamp = darajaTimestamp(this.now());
      const res = await this.client.post('/mpesa/stkpush/v1/processrequest', {
        BusinessShortCode: this.options.shortcode,
        Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
        Timestamp: timestamp,
        TransactionType: 'CustomerPayBillOnline',
        Amount: amount,
        PartyA: msisdn,
        PartyB: this.options.shortcode,
        PhoneNumber: msisdn,
        CallBackURL: this.callback(saga, 'stk'),
        AccountReference: 'Ledger',
        TransactionDesc: 'Top-up',
      });
      const id = requiredId(res.CheckoutRequestID, 'CheckoutRequestID');
      // Nothing for a browser to confirm: the customer approves on the phone.
      return { paymentIntentId: id, clientSecret: '', status: 'requires_customer' as const };
    });
  }

  async createPayout(input: CreatePayoutInput): Promise<PayoutResult> {
    const amount = toShillings(input.amountMinor, input.currency);
    if (input.destination.type !== 'mobile_money')
      throw invalid('M-Pesa pays out to a phone number (destination type mobile_money)');
    const msisdn = toMsisdn(input.destination.id);
    const saga = sagaOf(input.metadata);
    return this.once(input, async () => {
      const res = await this.client.post('/mpesa/b2c/v3/paymentrequest', {
        OriginatorConversationID: originatorId(input.idempotencyKey),
        InitiatorName: this.options.initiatorName,
        SecurityCredential: this.options.securityCredential,
        CommandID: 'BusinessPayment',
        Amount: amount,
        PartyA: this.options.shortcode,
        PartyB: msisdn,
        Remarks: 'Withdrawal',
        QueueTimeOutURL: this.callback(saga, 'timeout'),
        ResultURL: this.callback(saga, 'result'),
        Occasion: 'Withdrawal',
      });
      return { payoutId: requiredId(res.ConversationID, 'ConversationID'), status: 'pending' };
    });
  }

  /** The STK push query: the outcome, or undefined while the customer has not answered yet. */
  async confirmPayment(input: ConfirmPaymentInput): Promise<GatewayEvent | undefined> {
    const timestamp = darajaTimestamp(this.now());
    let res: Record<string, unknown>;
    try {
      res = await this.client.post('/mpesa/stkpushquery/v1/query', {
        BusinessShortCode: this.options.shortcode,
        Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
        Timestamp: timestamp,
        CheckoutRequestID: input.paymentIntentId,
      });
    } catch (error) {
      if (error instanceof MpesaStillProcessing) return undefined;
      throw error;
    }
    const resultCode = String(res.ResultCode ?? '');
    const base = this.event(input.paymentIntentId, 'stk', input);
    if (resultCode === '0') return { ...base, type: 'payment_succeeded' };
    if (!/^\d{1,10}$/.test(resultCode)) return undefined;
    return { ...base, type: 'payment_failed', failureCode: `mpesa_${resultCode}` };
  }

  /**
   * Daraja has no listing of a period's transactions over the API (the
   * statement is a portal download), so the report is refused explicitly:
   * M-Pesa movements are reconciled against the ledger's own record only.
   */
  async providerReport(): Promise<ProviderReport> {
    return {
      supported: false,
      reason: 'Daraja offers no transaction listing over its API; use the portal statement',
    };
  }

  /**
   * Sends the transaction status query. Daraja answers it on the saga's
   * `status` callback, so this returns undefined; the callback route turns
   * that answer into the report (`payoutStatusEvent`).
   */
  async confirmPayout(input: ConfirmPayoutInput): Promise<undefined> {
    const saga = sagaOf(input.metadata);
    await this.client.post('/mpesa/transactionstatus/v1/query', {
      Initiator: this.options.initiatorName,
      SecurityCredential: this.options.securityCredential,
      CommandID: 'TransactionStatusQuery',
      OriginalConversationID: input.payoutId,
      PartyA: this.options.shortcode,
      IdentifierType: '4',
      ResultURL: this.callback(saga, 'status'),
      QueueTimeOutURL: this.callback(saga, 'status'),
      Remarks: 'Withdrawal status',
      Occasion: input.payoutId,
    });
    return undefined;
  }

  /**
   * The answer to a status query as a payout report: paid only when Daraja
   * says the transaction completed, failed only when it says it failed. A
   * query that itself failed says nothing about the payment, so it is no report.
   */
  payoutStatusEvent(
    callback: Extract<MpesaCallback, { leg: 'status' }>,
    input: ConfirmPayoutInput,
  ): GatewayEvent | undefined {
    if (callback.resultCode !== 0 || callback.payoutId !== input.payoutId) return undefined;
    const base = this.event(input.payoutId, 'b2c', input);
    if (callback.transactionStatus === 'Completed') return { ...base, type: 'payout_paid' };
    if (['Failed', 'Cancelled', 'Declined', 'Expired'].includes(callback.transactionStatus ?? ''))
      return { ...base, type: 'payout_failed', failureCode: 'mpesa_payment_failed' };
    return undefined;
  }

  /** A B2C payment cannot be recalled; asking for its status lets the saga settle on the answer. */
  async cancelPayout(input: CancelPayoutInput): Promise<CancelPayoutResult> {
    checkIdempotencyKey(input.idempotencyKey);
    return { status: 'not_cancelable' };
  }

  async refund(): Promise<RefundResult> {
    throw invalid('M-Pesa payments are reversed by the operator through the M-Pesa portal');
  }

  /** M-Pesa has no customer objects: the phone number identifies the payer. */
  async createCustomer(input: CreateCustomerInput): Promise<CustomerResult> {
    checkIdempotencyKey(input.idempotencyKey);
    return { customerRef: `mpesa_${originatorId(input.idempotencyKey)}` };
  }

  async createSetupIntent(): Promise<SetupIntentResult> {
    throw invalid('M-Pesa has no cards to link');
  }

  async listPaymentMethods(): Promise<PaymentMethodSummary[]> {
    return [];
  }

  async detachPaymentMethod(): Promise<void> {
    throw invalid('M-Pesa has no cards to unlink');
  }

  /** Callbacks are unsigned and go through the secret callback route, never through here. */
  parseWebhook(): GatewayEvent | undefined {
    throw new WebhookSignatureError('signature_mismatch', 'M-Pesa callbacks are not signed');
  }

  /** Reports come from status queries the callback route and the saga's jobs make. */
  onEvent(_handler: GatewayEventHandler): () => void {
    return () => undefined;
  }

  private callback(saga: string, leg: string): string {
    return `${this.options.callbackUrl.replace(/\/+$/, '')}/${saga}/${leg}`;
  }

  /** One id per object, whichever of callback or timeout asked: the saga sees one report. */
  private event(
    objectId: string,
    kind: 'stk' | 'b2c',
    input: { amountMinor: bigint; currency: string; metadata: Metadata },
  ) {
    return {
      providerEventId: `mpesa:${kind}:${objectId}`,
      objectId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      metadata: { ...input.metadata },
      occurredAt: this.now(),
    };
  }

  private async once<T>(
    input: { readonly idempotencyKey: string; readonly metadata: Metadata },
    call: () => Promise<T>,
  ): Promise<T> {
    checkIdempotencyKey(input.idempotencyKey);
    checkMetadata(input.metadata);
    const fingerprint = JSON.stringify(input, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    const stored = this.calls.get(input.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint)
        throw new PermanentGatewayError('idempotency_key_reused', 'Key used with other parameters');
      return stored.result as T;
    }
    const result = await call();
    if (this.calls.size >= MAX_REMEMBERED_CALLS)
      this.calls.delete(this.calls.keys().next().value as string);
    this.calls.set(input.idempotencyKey, { fingerprint, result });
    return result;
  }
}

function sagaOf(metadata: Metadata): string {
  const saga = metadata[SAGA_KEY];
  if (!saga || !SAGA_REF.test(saga))
    throw invalid('metadata.saga must name the saga for callbacks');
  return saga;
}

/** Daraja limits the originator id's length; a hash of the key is short, fixed and repeatable. */
function originatorId(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

function requiredId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(value))
    throw new PermanentGatewayError('invalid_request', `Daraja answered without a ${field}`);
  return value;
}

function invalid(message: string): PermanentGatewayError {
  return new PermanentGatewayError('invalid_request', message);
}
