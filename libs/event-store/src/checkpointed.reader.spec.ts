import { InMemoryEventStore } from '@ledger/testing';
import { CheckpointMoved, CheckpointedReader, type LogHandler } from './checkpointed.reader';
import { newStream, someEvents } from './contract-events';
import { comparePositions, START, type Position, type RecordedEvent } from './event-store.port';

/** One checkpoint row with the compare-and-set of `log_checkpoints`, and the ids committed under it. */
class Row {
  position: Position = START;
  readonly committed: string[] = [];
  leaseFree = true;

  handler(name: string, onCommit?: () => void): LogHandler {
    return {
      commit: (from: Position, events: readonly RecordedEvent[]) => {
        const last = events[events.length - 1];
        if (!last) return Promise.resolve();
        if (comparePositions(this.position, from) !== 0)
          return Promise.reject(new CheckpointMoved(name, from));
        this.committed.push(...events.map((e) => e.id));
        this.position = last.position;
        onCommit?.();
        return Promise.resolve();
      },
    };
  }

  checkpoints() {
    return {
      load: () => Promise.resolve(this.position),
      lease: () =>
        Promise.resolve(this.leaseFree ? { release: () => Promise.resolve() } : undefined),
    };
  }
}

const options = { batchSize: 2, idlePollMs: 5, leaseRetryMs: 5, errorBackoffMs: 5 };

async function storeWith(count: number): Promise<{ store: InMemoryEventStore; ids: string[] }> {
  const store = new InMemoryEventStore();
  const events = someEvents(count);
  await store.append(newStream(), events, 'no_stream');
  return { store, ids: events.map((e) => e.id) };
}

describe('CheckpointedReader', () => {
  it('commits batches in log order from the stored checkpoint, at most maxBatches per drain', async () => {
    const { store, ids } = await storeWith(5);
    const row = new Row();
    const reader = new CheckpointedReader(store, row.checkpoints(), row.handler('r'), options);
    expect(await reader.drain({ maxBatches: 1 })).toBe(2);
    expect(row.committed).toEqual(ids.slice(0, 2));
    expect(await reader.drain()).toBe(3);
    expect(await reader.drain()).toBe(0);
    expect(row.committed).toEqual(ids);
  });

  it('reloads a checkpoint another instance moved and never commits an event twice', async () => {
    const { store, ids } = await storeWith(4);
    const row = new Row();
    const first = new CheckpointedReader(store, row.checkpoints(), row.handler('r'), options);
    const second = new CheckpointedReader(store, row.checkpoints(), row.handler('r'), options);
    expect(await second.checkpoint()).toEqual(START);
    await first.drain({ maxBatches: 1 });
    await expect(second.drain()).rejects.toBeInstanceOf(CheckpointMoved);
    expect(await second.drain()).toBe(2);
    expect(row.committed).toEqual(ids);
  });

  it('runs in the background only while it holds the lease', async () => {
    const { store, ids } = await storeWith(3);
    const row = new Row();
    row.leaseFree = false;
    let reached: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reached = resolve));
    const handler = row.handler('r', () => {
      if (row.committed.length === ids.length) reached();
    });
    const reader = new CheckpointedReader(store, row.checkpoints(), handler, options);
    reader.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(reader.active).toBe(false);
      expect(row.committed).toEqual([]);
      row.leaseFree = true;
      await done;
      expect(row.committed).toEqual(ids);
    } finally {
      await reader.stop();
    }
    expect(reader.active).toBe(false);
  });
});
