import Stripe from 'stripe';
import {
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGatewayError,
} from '../payment-gateway.errors';

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

/**
 * Translates what the Stripe SDK throws into the gateway's two kinds of
 * failure. Anything that is not a Stripe error (a bug in this adapter) is
 * returned untouched so it surfaces as the bug it is.
 */
export function toGatewayError(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  return mapStripeError(error);
}

function mapStripeError(error: StripeError): PaymentGatewayError {
  const options = { providerRequestId: error.requestId, cause: error };
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const reason = /timeout/i.test(error.message) ? 'timeout' : 'network';
    return new TransientGatewayError(reason, error.message, options);
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return new TransientGatewayError('rate_limited', error.message, {
      ...options,
      retryAfterMs: retryAfterMs(error),
    });
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new PermanentGatewayError('idempotency_key_reused', error.message, options);
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    return new PermanentGatewayError('card_declined', error.message, {
      ...options,
      declineCode: error.decline_code ?? error.code,
    });
  }
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    return new PermanentGatewayError('not_authorised', error.message, options);
  }
  return mapByStatus(error, options);
}

function mapByStatus(
  error: StripeError,
  options: { providerRequestId?: string; cause: unknown },
): PaymentGatewayError {
  const status = error.statusCode ?? 0;
  // 409: a request with the same idempotency key is still being processed;
  // retrying later returns its outcome.
  if (status === 409)
    return new TransientGatewayError('request_in_progress', error.message, options);
  if (status >= 500 || status === 0)
    return new TransientGatewayError('provider_unavailable', error.message, options);
  if (error.code === 'balance_insufficient' || error.code === 'insufficient_funds') {
    return new PermanentGatewayError('insufficient_funds', error.message, options);
  }
  return new PermanentGatewayError('invalid_request', error.message, options);
}

function retryAfterMs(error: StripeError): number | undefined {
  const header = error.headers?.['retry-after'];
  const seconds = header === undefined ? NaN : Number(header);
  // Bounded so a hostile or broken header cannot park a job for days.
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}
