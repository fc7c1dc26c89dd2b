import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GatewayEvent, GatewayEventType } from '../gateway-event';
import { WebhookSignatureError } from '../payment-gateway.errors';

/**
 * The sandbox's own webhook format, so that the API's webhook route can be
 * exercised end to end without Stripe: the body is the gateway event as JSON
 * (amount as a string of digits), the header `sha256=<hex HMAC of the body>`.
 */
export const SANDBOX_SIGNATURE_PREFIX = 'sha256=';
const MAX_SANDBOX_WEBHOOK_BYTES = 64 * 1024;

const EVENT_TYPES: readonly GatewayEventType[] = [
  'payment_succeeded',
  'payment_failed',
  'refund_succeeded',
  'refund_failed',
  'dispute_opened',
  'payout_paid',
  'payout_failed',
];

export function signSandboxWebhook(
  event: GatewayEvent,
  secret: string,
): { rawBody: Buffer; signatureHeader: string } {
  const rawBody = Buffer.from(
    JSON.stringify({
      ...event,
      amountMinor: event.amountMinor.toString(),
      occurredAt: event.occurredAt.toISOString(),
    }),
  );
  return { rawBody, signatureHeader: SANDBOX_SIGNATURE_PREFIX + hmac(rawBody, secret) };
}

export function verifySandboxWebhook(
  rawBody: Buffer,
  signatureHeader: string,
  secret: string,
): GatewayEvent {
  if (rawBody.length > MAX_SANDBOX_WEBHOOK_BYTES) {
    throw new WebhookSignatureError(
      'payload_too_large',
      `Webhook body exceeds ${MAX_SANDBOX_WEBHOOK_BYTES} bytes`,
    );
  }
  const expected = Buffer.from(SANDBOX_SIGNATURE_PREFIX + hmac(rawBody, secret));
  const given = Buffer.from(signatureHeader);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookSignatureError(
      'signature_mismatch',
      'Webhook signature could not be verified',
    );
  }
  return decode(rawBody);
}

function decode(rawBody: Buffer): GatewayEvent {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new WebhookSignatureError('malformed_payload', 'Webhook body is not JSON', {
      cause: error,
    });
  }
  const { type, providerEventId, objectId, amountMinor, currency, metadata, occurredAt } = json;
  const valid =
    EVENT_TYPES.includes(type as GatewayEventType) &&
    typeof providerEventId === 'string' &&
    typeof objectId === 'string' &&
    typeof amountMinor === 'string' &&
    /^\d{1,30}$/.test(amountMinor) &&
    typeof currency === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof occurredAt === 'string' &&
    !Number.isNaN(Date.parse(occurredAt));
  if (!valid)
    throw new WebhookSignatureError('malformed_payload', 'Webhook body is not a gateway event');
  return {
    ...json,
    amountMinor: BigInt(amountMinor),
    occurredAt: new Date(occurredAt),
  } as GatewayEvent;
}

function hmac(body: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}
