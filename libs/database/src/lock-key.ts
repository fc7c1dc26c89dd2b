import { createHash } from 'node:crypto';

/** Advisory locks take an int8; derive a stable one from a readable name. */
export function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
