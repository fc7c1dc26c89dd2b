/**
 * What can go wrong when the ledger talks to a payment provider, split by the
 * one question a job runner has to answer: is it worth trying again?
 *
 * A transient error may succeed on retry with the same idempotency key, and
 * retrying can never charge twice because the provider replays the first
 * outcome for that key. A permanent error will fail the same way every time;
 * the saga must take its failure path (compensate) instead of retrying.
 */
export abstract class PaymentGatewayError extends Error {
  /** Read by the job queue: an error with `retryable === false` skips the remaining attempts. */
  abstract readonly retryable: boolean;
  /** The provider's own request id, when it gave one, for support tickets. */
  readonly providerRequestId?: string;

  constructor(message: string, options: { providerRequestId?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.providerRequestId = options.providerRequestId;
  }
}

export type TransientReason =
  /** The request may or may not have reached the provider; retry with the same key to find out. */
  | 'network'
  | 'timeout'
  /** The provider answered 5xx. */
  | 'provider_unavailable'
  /** The provider answered 429; `retryAfterMs` says how long it asked us to wait, when it did. */
  | 'rate_limited'
  /** Another request with the same idempotency key is still in flight at the provider. */
  | 'request_in_progress';

export class TransientGatewayError extends PaymentGatewayError {
  override readonly name = 'TransientGatewayError';
  readonly retryable = true;
  readonly retryAfterMs?: number;

  constructor(
    readonly reason: TransientReason,
    message: string,
    options: { providerRequestId?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type PermanentReason =
  /** The issuer refused the card; `declineCode` carries the issuer's reason when known. */
  | 'card_declined'
  /** The request itself is wrong (bad parameter, unknown object, refund above the charge). */
  | 'invalid_request'
  /** The idempotency key was used before with different parameters: a bug in key derivation. */
  | 'idempotency_key_reused'
  /** The API key is wrong or lacks permission: an operator must fix configuration. */
  | 'not_authorised'
  /** The platform balance cannot cover a payout. */
  | 'insufficient_funds';

export class PermanentGatewayError extends PaymentGatewayError {
  override readonly name = 'PermanentGatewayError';
  readonly retryable = false;
  readonly declineCode?: string;

  constructor(
    readonly reason: PermanentReason,
    message: string,
    options: { providerRequestId?: string; declineCode?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.declineCode = options.declineCode;
  }
}

export type WebhookRejection = 'signature_mismatch' | 'payload_too_large' | 'malformed_payload';

/**
 * A webhook that cannot be proven to come from the provider. The API answers
 * 400 and records nothing: a forged "payment succeeded" must never credit a wallet.
 */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';

  constructor(
    readonly reason: WebhookRejection,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export function isRetryableGatewayError(error: unknown): error is TransientGatewayError {
  return error instanceof TransientGatewayError;
}
