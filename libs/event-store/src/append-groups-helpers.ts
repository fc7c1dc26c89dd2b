import {
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type EventData,
  type EventStore,
} from './event-store.port';

/** What the appendGroups tests share. */
export type AppendGroups = NonNullable<EventStore['appendGroups']>;

/** A test that runs only on a store that has `appendGroups` (EventStoreDB's has none). */
export function groupsTest(
  store: () => EventStore,
): (title: string, fn: (appendGroups: AppendGroups) => Promise<void>) => void {
  return (title, fn) =>
    it(title, async () => {
      const appendGroups = store().appendGroups?.bind(store());
      if (appendGroups) await fn(appendGroups);
    });
}

export function request(
  streamId: string,
  events: readonly EventData[],
  expected: AppendRequest['expected'] = 'any',
): AppendRequest {
  return { streamId, events, expected };
}

/** A group's results; anything else fails the test. */
export function resultsOf(outcome: AppendResult[] | AppendError | undefined): AppendResult[] {
  if (!Array.isArray(outcome)) throw new Error(`expected results, got ${String(outcome)}`);
  return outcome;
}

export const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);
