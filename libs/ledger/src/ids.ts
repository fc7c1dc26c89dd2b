import { createHash, randomUUID } from 'node:crypto';

/** The namespace of every name-based id this ledger derives (RFC 9562 version 5). */
const LEDGER_NAMESPACE = Buffer.from('6f1c2b1e4d3a4f5e9a8b7c6d5e4f3a2b', 'hex');

/**
 * A deterministic UUID (version 5) for a name. Event ids derive from the
 * command id and the event's index, so a retried command reproduces its event
 * ids and the store recognises the retry.
 */
export function deriveId(...parts: readonly string[]): string {
  const hash = createHash('sha1').update(LEDGER_NAMESPACE).update(parts.join('\u001f')).digest();
  // A SHA-1 digest is 20 bytes: bytes 6 and 8 are always there.
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const newId = (): string => randomUUID();

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
