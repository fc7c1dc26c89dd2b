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

  describe('with minReadIntervalMs', () => {
    const paced = { ...options, minReadIntervalMs: 60_000 };
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
    };

    it('reads on at once while batches come back full, then waits for the interval or a poke', async () => {
      const { store, ids } = await storeWith(5);
      let reads = 0;
      const readAll = store.readAll.bind(store);
      store.readAll = (o) => {
        reads++;
        return readAll(o);
      };
      const row = new Row();
      const reader = new CheckpointedReader(store, row.checkpoints(), row.handler('r'), paced);
      reader.start();
      try {
        // 2 and 2 are full batches: no wait before the reads after them.
        await until(() => row.committed.length === 5);
        expect(row.committed).toEqual(ids);
        const readsSoFar = reads;
        // The last batch (1 event) was not full: the next read waits for the interval.
        const later = someEvents(1);
        await store.append(newStream(), later, 'no_stream');
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(reads).toBe(readsSoFar);
        expect(row.committed).toHaveLength(5);
        // A poke ends the wait.
        reader.poke();
        await until(() => row.committed.length === 6);
        expect(row.committed.at(-1)).toBe(later[0]?.id);
      } finally {
        // Stopping cuts the wait short too: this returns long before the interval.
        await reader.stop();
      }
    });

    it('leaves drain() (catch-up) unpaced', async () => {
      const { store, ids } = await storeWith(5);
      const row = new Row();
      const reader = new CheckpointedReader(store, row.checkpoints(), row.handler('r'), paced);
      expect(await reader.drain()).toBe(5);
      expect(row.committed).toEqual(ids);
    });
  });
});
