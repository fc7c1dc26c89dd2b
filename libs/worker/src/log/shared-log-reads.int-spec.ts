import { randomUUID } from 'node:crypto';
import {
  CheckpointedReader,
  comparePositions,
  START,
  type EventStore,
  type Position,
} from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { SharedLogReads } from './shared-log-reads';

/** A reader of the log with its checkpoint in memory, recording every event it is handed. */
function recordingReader(store: EventStore, batchSize: number) {
  const seen: string[] = [];
  let position: Position = START;
  const reader = new CheckpointedReader(
    store,
    {
      load: () => Promise.resolve(position),
      lease: () => Promise.resolve({ release: () => Promise.resolve() }),
    },
    {
      commit: async (from, events) => {
        expect(comparePositions(from, position)).toBe(0);
        seen.push(...events.map((e) => e.id));
        position = events.at(-1)?.position ?? position;
      },
    },
    { batchSize, idlePollMs: 5, leaseRetryMs: 5, errorBackoffMs: 1 },
  );
  return { reader, seen, at: () => position };
}

describe.each(databaseFactories())('SharedLogReads on $name', (factory) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await factory.create();
  });
  afterAll(() => t.drop());

  it('hands two readers of different batch sizes every event of the log once, in order, while it grows', async () => {
    const store = new SqlEventStore(t.db);
    const shared = new SharedLogReads(store);
    const a = recordingReader(shared, 4);
    const b = recordingReader(shared, 7);
    const streams = Array.from({ length: 4 }, () => `shared-${randomUUID()}`);
    let appending = true;
    const appends = (async () => {
      for (let i = 0; i < 30; i++) {
        await store.appendMany(
          streams.slice(0, 1 + (i % 3)).map((streamId) => ({
            streamId,
            events: [{ id: randomUUID(), type: 'Appended', data: { i } }],
            expected: 'any' as const,
          })),
        );
      }
      appending = false;
    })();
    // Both readers tail the log as it grows, taking turns unevenly.
    while (appending) {
      await a.reader.drain({ maxBatches: 1 });
      await a.reader.drain({ maxBatches: 1 });
      await b.reader.drain({ maxBatches: 1 });
    }
    await appends;
    const head = await store.headPosition();
    // Then one catches up first and the other follows it.
    await a.reader.drain({ until: head });
    await b.reader.drain({ until: head });

    const log = (await store.readAll({ after: START, maxCount: 10_000 })).map((e) => e.id);
    expect(log.length).toBeGreaterThanOrEqual(60);
    expect(a.seen).toEqual(log);
    expect(b.seen).toEqual(log);
    expect(comparePositions(a.at(), head)).toBe(0);
    expect(comparePositions(b.at(), head)).toBe(0);
    // The follower read what the leader had read from memory.
    expect(shared.reads.eventsFromMemory).toBeGreaterThan(0);
  });
});
