import fc from 'fast-check';
import {
  comparePositions,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import { SharedLogReads } from './shared-log-reads';

async function logOf(events: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < events; i++)
    await store.append(
      `stream-${i % 3}`,
      [{ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'T', data: { i } }],
      'any',
    );
  return store;
}

const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.id);

/** Counts the store's readAll calls. */
function counted(store: InMemoryEventStore): { store: InMemoryEventStore; calls: () => number } {
  let calls = 0;
  const readAll = store.readAll.bind(store);
  store.readAll = (options) => {
    calls++;
    return readAll(options);
  };
  return { store, calls: () => calls };
}

describe('SharedLogReads', () => {
  it('answers a second reader from the first one’s read, without asking the store again', async () => {
    const { store, calls } = counted(await logOf(10));
    const shared = new SharedLogReads(store);
    const first = await shared.readAll({ after: START, maxCount: 6 });
    expect(first).toHaveLength(6);
    expect(calls()).toBe(1);
    // The other reader, behind, from the start and from inside the range.
    expect(ids(await shared.readAll({ after: START, maxCount: 4 }))).toEqual(
      ids(first.slice(0, 4)),
    );
    expect(ids(await shared.readAll({ after: first[2]!.position, maxCount: 3 }))).toEqual(
      ids(first.slice(3, 6)),
    );
    expect(calls()).toBe(1);
    // The same objects, not copies.
    expect((await shared.readAll({ after: START, maxCount: 1 }))[0]).toBe(first[0]);
    expect(shared.reads).toEqual({ fromMemory: 3, fromStore: 1, eventsFromMemory: 8 });
  });

  it('takes what it keeps from memory and only the rest from the store', async () => {
    const store = await logOf(10);
    const asked: Array<{ after?: unknown; maxCount?: number }> = [];
    const readAll = store.readAll.bind(store);
    store.readAll = (options) => {
      asked.push({ ...options });
      return readAll(options);
    };
    const shared = new SharedLogReads(store);
    const first = await shared.readAll({ after: START, maxCount: 5 });
    const behind = await shared.readAll({ after: first[1]!.position, maxCount: 100 });
    expect(ids(behind)).toEqual(ids(await readAll({ after: first[1]!.position, maxCount: 100 })));
    expect(behind).toHaveLength(8);
    // The second read asked the store only for what lies past the fifth event.
    expect(asked).toEqual([
      { after: START, maxCount: 5 },
      { after: first[4]!.position, maxCount: 97 },
    ]);
    // The window now runs from the start to the end of the log; at its end, the store says there is nothing yet.
    expect(ids(await shared.readAll({ after: first[0]!.position, maxCount: 9 }))).toEqual(
      ids([...first.slice(1), ...behind.slice(3)]),
    );
    expect(asked).toHaveLength(2);
    expect(await shared.readAll({ after: behind[7]!.position, maxCount: 10 })).toEqual([]);
    expect(asked).toHaveLength(3);
  });

  it('sees events appended after a read, after the events it keeps', async () => {
    const store = await logOf(3);
    const shared = new SharedLogReads(store);
    const first = await shared.readAll({ after: START, maxCount: 10 });
    await store.append(
      'stream-9',
      [{ id: '10000000-0000-4000-8000-000000000000', type: 'N', data: {} }],
      'any',
    );
    const next = await shared.readAll({ after: first[0]!.position });
    expect(next.map((e) => e.type)).toEqual(['T', 'T', 'N']);
    expect(next[0]).toBe(first[1]);
  });

  it('shares a read in flight from the same position', async () => {
    const { store, calls } = counted(await logOf(4));
    const shared = new SharedLogReads(store);
    const [a, b] = await Promise.all([
      shared.readAll({ after: START, maxCount: 4 }),
      shared.readAll({ after: START, maxCount: 2 }),
    ]);
    expect(calls()).toBe(1);
    expect(ids(b)).toEqual(ids(a.slice(0, 2)));
  });

  it('keeps at most its capacity, the newest events, and asks the store for older ones', async () => {
    const { store, calls } = counted(await logOf(10));
    const shared = new SharedLogReads(store, 4);
    const all = await shared.readAll({ after: START, maxCount: 10 });
    expect(ids(await shared.readAll({ after: all[5]!.position, maxCount: 4 }))).toEqual(
      ids(all.slice(6)),
    );
    expect(calls()).toBe(1);
    expect(ids(await shared.readAll({ after: all[4]!.position, maxCount: 5 }))).toEqual(
      ids(all.slice(5)),
    );
    expect(calls()).toBe(2);
  });

  it("offers the store's appendGroups when it has one, and none when it has not", async () => {
    const store = await logOf(0);
    const shared = new SharedLogReads(store);
    const events = (n: number) => [
      { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'T', data: { n } },
    ];
    const outcomes = await shared.appendGroups?.([
      [
        { streamId: 'a', events: events(1), expected: 'no_stream' },
        { streamId: 'b', events: events(2), expected: 'no_stream' },
      ],
    ]);
    expect(outcomes).toEqual([[expect.objectContaining({ nextRevision: 0n }), expect.anything()]]);
    expect(store.appendCalls).toBe(1);
    expect(await store.streamRevision('b')).toBe(0n);
    // A store without the method (EventStoreDB's): the view has none either, so callers can tell.
    const withoutGroups = Object.create(store, {
      appendGroups: { value: undefined },
    }) as EventStore;
    expect(new SharedLogReads(withoutGroups).appendGroups).toBeUndefined();
  });

  it('passes a read out of the ordinary to the store as it is', async () => {
    const store = await logOf(2);
    const asked: unknown[] = [];
    const readAll = store.readAll.bind(store);
    store.readAll = (options) => {
      asked.push(options);
      return readAll(options);
    };
    const shared = new SharedLogReads(store);
    await shared.readAll({ maxCount: 2 });
    for (const maxCount of [0, -1, 1.5, 20_000]) await shared.readAll({ maxCount });
    expect(asked).toEqual([
      { after: START, maxCount: 2 },
      { maxCount: 0 },
      { maxCount: -1 },
      { maxCount: 1.5 },
      { maxCount: 20_000 },
    ]);
  });

  it('never answers other than the store would, under any interleaving of readers and appends', async () => {
    const step = fc.oneof(
      // One to three readers reading at the same time.
      fc.record({
        reads: fc.array(
          fc.record({
            reader: fc.integer({ min: 0, max: 2 }),
            maxCount: fc.integer({ min: 1, max: 7 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      fc.record({ append: fc.integer({ min: 1, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        async (steps, capacity) => {
          const store = await logOf(5);
          const shared = new SharedLogReads(store, capacity);
          const at: Position[] = [START, START, START];
          let appended = 0;
          for (const s of steps) {
            if ('append' in s) {
              for (let i = 0; i < s.append; i++, appended++)
                await store.append(
                  'later',
                  [
                    {
                      id: `20000000-0000-4000-8000-${String(appended).padStart(12, '0')}`,
                      type: 'L',
                      data: {},
                    },
                  ],
                  'any',
                );
              continue;
            }
            const reads = s.reads.map(({ reader, maxCount }) => ({
              reader,
              maxCount,
              after: at[reader]!,
            }));
            const answers = await Promise.all(
              reads.map(({ after, maxCount }) => shared.readAll({ after, maxCount })),
            );
            for (const [i, { reader, after, maxCount }] of reads.entries()) {
              const got = answers[i]!;
              // Exactly the store's answer, whichever part came from memory.
              expect(ids(got)).toEqual(ids(await store.readAll({ after, maxCount })));
              const last = got[got.length - 1];
              if (last && comparePositions(last.position, at[reader]!) > 0)
                at[reader] = last.position;
            }
          }
          // Every reader reaches the end of the log.
          for (let reader = 0; reader < 3; reader++) {
            for (;;) {
              const got = await shared.readAll({ after: at[reader]!, maxCount: 7 });
              const last = got[got.length - 1];
              if (!last) break;
              at[reader] = last.position;
            }
            expect(at[reader]).toEqual(await store.headPosition());
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
