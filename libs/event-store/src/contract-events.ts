import { randomUUID } from 'node:crypto';
import type { EventData } from './event-store.port';

/** Streams and events the contract suites write: a fresh stream per test, so suites may share a store. */
export function newStream(kind = 'contract'): string {
  return `${kind}-${randomUUID()}`;
}

export function someEvents(count: number, type = 'Happened'): EventData[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type,
    data: { index: i, amount_minor: '1050' },
    metadata: { correlationId: 'corr-1', causationId: `cause-${i}` },
  }));
}
