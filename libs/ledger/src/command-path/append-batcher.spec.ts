import type { AppendRequest, AppendResult, EventStore } from '@ledger/event-store';
import { AppendBatcher } from './append-batcher';

/** An event store whose `appendMany` calls stay open until the test answers them. */
class HeldStore {
  readonly calls: Array<{ streams: string[]; answer: () => void }> = [];

  appendMany(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    return new Promise((resolve) => {
      this.calls.push({
        streams: requests.map((r) => r.streamId),
        answer: () =>
          resolve(
            requests.map((_, i) => ({
              nextRevision: 0n,
              position: { commit: BigInt(this.calls.length), prepare: BigInt(i) },
            })),
          ),
      });
    });
  }

  asStore(): EventStore {
    return this as unknown as EventStore;
  }
}

const request = (streamId: string): AppendRequest => ({
  streamId,
  events: [{ id: `${streamId}-e`, type: 'Noted', data: {} }],
  expected: 'no_stream',
});

/** Lets the batcher's `setImmediate` flushes and the answered calls' callbacks run. */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('AppendBatcher: appends that arrive while a batch is out', () => {
  it('wait for it and go together in the next batch', async () => {
    const store = new HeldStore();
    const batcher = new AppendBatcher(store.asStore(), { overlapAfterMs: 60_000 });
    const first = batcher.append(request('a'));
    await turns();
    const later = [batcher.append(request('b')), batcher.append(request('c'))];
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a']]);

    store.calls[0]?.answer();
    await first;
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b', 'c']]);
    store.calls[1]?.answer();
    await expect(Promise.all(later)).resolves.toHaveLength(2);
  });

  it('go in a second batch at once when they fill one', async () => {
    const store = new HeldStore();
    const batcher = new AppendBatcher(store.asStore(), { maxBatch: 2, overlapAfterMs: 60_000 });
    void batcher.append(request('a'));
    await turns();
    void batcher.append(request('b'));
    void batcher.append(request('c'));
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b', 'c']]);
  });

  it('go in a second batch once the first has been out overlapAfterMs', async () => {
    const store = new HeldStore();
    const batcher = new AppendBatcher(store.asStore(), { overlapAfterMs: 5 });
    void batcher.append(request('a'));
    await turns();
    const second = batcher.append(request('b'));
    await until(() => store.calls.length === 2);
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b']]);
    store.calls[1]?.answer();
    await expect(second).resolves.toMatchObject({ nextRevision: 0n });
  });

  it('never make more than maxInFlight calls at once', async () => {
    const store = new HeldStore();
    const batcher = new AppendBatcher(store.asStore(), { maxBatch: 1, maxInFlight: 2 });
    for (const stream of ['a', 'b', 'c']) void batcher.append(request(stream));
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b']]);
    store.calls[0]?.answer();
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b'], ['c']]);
  });

  it('go at once, whenever a slot is free, without overlapAfterMs', async () => {
    const store = new HeldStore();
    const batcher = new AppendBatcher(store.asStore(), { overlapAfterMs: undefined });
    void batcher.append(request('a'));
    await turns();
    void batcher.append(request('b'));
    await turns();
    expect(store.calls.map((c) => c.streams)).toEqual([['a'], ['b']]);
  });
});
