import { createHash } from 'node:crypto';
import { PermanentGatewayError, TransientGatewayError } from '../payment-gateway.errors';
import type { SandboxOperation, SandboxOutcome } from './sandbox-script';

/**
 * The pieces of the sandbox's emulation of provider idempotency and faults
 * that need no state: how a remembered call is replayed and which error each
 * outcome raises.
 */
export interface StoredCall {
  readonly fingerprint: string;
  readonly result?: unknown;
  readonly error?: PermanentGatewayError;
}

export function replay<T>(
  stored: StoredCall,
  fingerprint: string,
  scripted: SandboxOutcome | undefined,
): T {
  if (stored.fingerprint !== fingerprint) {
    throw new PermanentGatewayError(
      'idempotency_key_reused',
      'Idempotency key was first used with other parameters',
    );
  }
  // A scripted timeout on a replay loses the answer again; other outcomes only apply to new objects.
  if (scripted === 'timeout') throw timedOut();
  if (stored.error) throw stored.error;
  return stored.result as T;
}

export function throwIfNotExecuted(outcome: SandboxOutcome | undefined): void {
  if (outcome === 'unavailable')
    throw new TransientGatewayError('provider_unavailable', 'Sandbox: provider unavailable');
  if (outcome === 'rate_limited')
    throw new TransientGatewayError('rate_limited', 'Sandbox: rate limited', { retryAfterMs: 10 });
}

export function timedOut(): TransientGatewayError {
  return new TransientGatewayError(
    'timeout',
    'Sandbox: the request timed out after the provider executed it',
  );
}

export function declined(operation: SandboxOperation): PermanentGatewayError {
  if (operation === 'createPaymentIntent') {
    return new PermanentGatewayError('card_declined', 'Sandbox: card declined', {
      declineCode: 'generic_decline',
    });
  }
  if (operation === 'createPayout')
    return new PermanentGatewayError('insufficient_funds', 'Sandbox: balance too low');
  return new PermanentGatewayError('invalid_request', `Sandbox: ${operation} refused`);
}

/** Provider-looking ids derived from the idempotency key: the same key always names the same object. */
export function objectId(prefix: string, key: string): string {
  return `${prefix}_sb_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}
