import { randomUUID } from 'node:crypto';
import type { EventData } from './event-store.port';

/** Streams and events the contract suites write: a fresh stream per test, so suites may share a store. */
export function newStream(kind = 'contract'): string {
  return `${kind}-${randomUUID()}`;
}

/**
 * `count` events; for a small literal count (`someEvents(3)`) the type is a tuple
 * of that length, so `const [a, b, c] = someEvents(3)` needs no check.
 */
export type Events<N extends number, R extends EventData[] = []> = number extends N
  ? EventData[]
  : R['length'] extends N
    ? R
    : R['length'] extends 16
      ? EventData[]
      : Events<N, [...R, EventData]>;

export function someEvents<N extends number>(count: N, type = 'Happened'): Events<N> {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type,
    data: { index: i, amount_minor: '1050' },
    metadata: { correlationId: 'corr-1', causationId: `cause-${i}` },
  })) as Events<N>;
}
