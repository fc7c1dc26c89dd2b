import { PermanentGatewayError } from './payment-gateway.errors';
import { IDEMPOTENCY_KEY_MAX_LENGTH, METADATA_LIMITS, type Metadata } from './payment-gateway.port';

/**
 * Checks shared by every adapter, so that a request the provider would refuse
 * fails the same way in the sandbox as in production. Each failure is a bug
 * in the caller, hence permanent.
 */
export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw invalid(`idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  }
}

export function checkMetadata(metadata: Metadata | undefined): void {
  if (!metadata) return;
  const entries = Object.entries(metadata);
  if (entries.length > METADATA_LIMITS.keys)
    throw invalid(`metadata may have at most ${METADATA_LIMITS.keys} keys`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > METADATA_LIMITS.keyLength) {
      throw invalid(
        `metadata key "${key.slice(0, 50)}" must be 1 to ${METADATA_LIMITS.keyLength} characters`,
      );
    }
    if (typeof value !== 'string' || value.length > METADATA_LIMITS.valueLength) {
      throw invalid(
        `metadata.${key} must be a string of at most ${METADATA_LIMITS.valueLength} characters`,
      );
    }
  }
}

/** ISO 4217 codes are three upper-case letters; providers want them lower case on the wire. */
export function checkCurrency(currency: string): void {
  if (!/^[A-Z]{3}$/.test(currency))
    throw invalid(`currency must be an upper-case ISO 4217 code, got "${currency}"`);
}

/**
 * Providers take integer minor units as a JSON number. The conversion from
 * bigint happens here and nowhere else, and refuses anything a double cannot
 * hold exactly, so no amount is ever rounded on its way out.
 */
export function toProviderAmount(amountMinor: bigint, field = 'amountMinor'): number {
  if (amountMinor <= 0n) throw invalid(`${field} must be greater than zero`);
  if (amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(`${field} ${amountMinor} is larger than a provider can represent exactly`);
  }
  return Number(amountMinor);
}

/** The way back: a provider's amount must be a non-negative safe integer, or the payload is corrupt. */
export function fromProviderAmount(amount: unknown, field = 'amount'): bigint {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${String(amount)}`);
  }
  return BigInt(amount);
}

function invalid(message: string): PermanentGatewayError {
  return new PermanentGatewayError('invalid_request', message);
}
