import { must } from '@ledger/invariant';
import { CheckpointMoved, CheckpointedReader, type ReaderCheckpoints } from './checkpointed.reader';
import {
  comparePositions,
  type AppendRequest,
  type EventStore,
  type Position,
  type RecordedEvent,
} from './event-store.port';
import { newStream, someEvents } from './contract-events';
import type { ContractSubject } from './event-store.contract';

/**
 * The global log: order, paging by position, and the promise that a reader
 * resuming from its checkpoint never skips an event, even while writers commit
 * out of order. Other tests may share the store, so every assertion looks only
 * at the test's own streams.
 */
export function globalLogContract(subject: () => ContractSubject): void {
  const store = () => subject().store;

  it('readAll returns events after a position in global order, and pages by position', async () => {
    const [a, b] = [newStream('log'), newStream('log')];
    const from = await store().headPosition();
    const first = await store().append(a, someEvents(2), 'no_stream');
    const [second, third] = await store().appendMany([
      { streamId: b, events: someEvents(1), expected: 'no_stream' },
      { streamId: a, events: someEvents(1), expected: 1n },
    ]);
    const mine = (events: RecordedEvent[]) =>
      events.filter((e) => e.streamId === a || e.streamId === b);
    const key = (e: RecordedEvent) => [e.streamId, e.revision];
    const all = mine(await store().readAll({ after: from }));
    expect(all.map(key)).toEqual([[a, 0n], [a, 1n], expect.anything(), expect.anything()]);
    // One appendMany may commit as one transaction or as several: either order of its two appends is fine.
    expect(all.slice(2).map(key)).toEqual(
      expect.arrayContaining([
        [b, 0n],
        [a, 2n],
      ]),
    );
    expectIncreasing(all.map((e) => e.position));
    const aSecond = must(all[1], "a's second event");
    const fourth = must(all[3], 'the fourth event');
    expect(first).toEqual({ nextRevision: 1n, position: aSecond.position });
    expect(second).toEqual({ nextRevision: 0n, position: positionOf(all, b, 0n) });
    expect(third).toEqual({ nextRevision: 2n, position: positionOf(all, a, 2n) });
    expect(comparePositions(await store().headPosition(), fourth.position)).toBeGreaterThanOrEqual(
      0,
    );
    expect(mine(await store().readAll({ after: fourth.position }))).toEqual([]);
    expect(
      await pageThrough(store(), from, 1, (e) => e.streamId === a || e.streamId === b, 4),
    ).toEqual(all);
  });

  it('lastCommittedPosition reaches every answered append, and is never behind the head', async () => {
    const written = await store().append(newStream('committed'), someEvents(1), 'no_stream');
    const committed = await store().lastCommittedPosition();
    expect(comparePositions(committed, written.position)).toBeGreaterThanOrEqual(0);
    expect(comparePositions(committed, await store().headPosition())).toBeGreaterThanOrEqual(0);
  });

  it('a reader paging concurrently with many writers sees every event exactly once', async () => {
    const streams = Array.from({ length: 6 }, () => newStream('busy'));
    const from = await store().headPosition();
    const written = new Set<string>();
    const write = async (writer: number) => {
      for (let i = 0; i < 12; i++) {
        const events = someEvents(1 + ((writer + i) % 3));
        await store().append(must(streams[(writer + i) % streams.length], 'stream'), events, 'any');
        events.forEach((e) => written.add(e.id));
      }
    };
    const reader = pagingReader(readAllOf(store()), from, 5, (e) => streams.includes(e.streamId));
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => write(w)));
    const seen = await reader.readUntil(writers, () => written.size);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(new Set(seen.map((e) => e.id))).toEqual(written);
    expectStreamsInRevisionOrder(seen);
  });

  it('never skips an event that commits after a later one (transactions held open)', async () => {
    const held = subject().appendHeldOpen;
    // Only an adapter whose transactions can stay open beside other writers can commit out of order.
    if (!held) return;
    const from = await store().headPosition();
    const result = await outOfOrderScenario(subject(), (own) =>
      pagingReader(readAllOf(store()), from, 3, own),
    );
    expect(result.probeSawLaterCommit).toBe(false);
    expect(result.seen).toHaveLength(result.written.size);
    expect(new Set(result.seen.map((e) => e.id))).toEqual(result.written);
    expectStreamsInRevisionOrder(result.seen);
  });

  catchUpTests(store);
}

/** The global log never contradicts a stream: each stream's events come in revision order, none left out. */
function expectStreamsInRevisionOrder(seen: RecordedEvent[]): void {
  for (const stream of new Set(seen.map((e) => e.streamId))) {
    const revisions = seen.filter((e) => e.streamId === stream).map((e) => e.revision);
    expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
  }
}

function positionOf(
  events: RecordedEvent[],
  stream: string,
  revision: bigint,
): Position | undefined {
  return events.find((e) => e.streamId === stream && e.revision === revision)?.position;
}

function expectIncreasing(positions: Position[]): void {
  positions.slice(1).forEach((p, i) => {
    const before = must(positions[i], 'position');
    expect(comparePositions(before, p)).toBe(-1);
  });
}

async function pageThrough(
  store: EventStore,
  from: Position,
  pageSize: number,
  own: (e: RecordedEvent) => boolean,
  wanted: number,
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  let after = from;
  for (let pages = 0; seen.length < wanted && pages < 10_000; pages++) {
    const page = await store.readAll({ after, maxCount: pageSize });
    expect(page.length).toBeLessThanOrEqual(pageSize);
    const last = page.at(-1);
    if (!last) break;
    seen.push(...page.filter(own));
    after = last.position;
  }
  return seen;
}

export interface LogReader {
  /** Reads one page from its checkpoint and moves the checkpoint; returns the test's own events of that page. */
  readPage(): Promise<RecordedEvent[]>;
  /** Pages until `done` has settled and `target()` own events were seen, or until it polled empty too often after that. */
  readUntil(done: Promise<unknown>, target: () => number): Promise<RecordedEvent[]>;
}

export type ReadAfter = (after: Position, maxCount: number) => Promise<RecordedEvent[]>;

/**
 * Bound on empty polls once the writers are done, so that a lost event fails
 * the test instead of hanging it. Generous: on a shared Postgres server, a long
 * transaction in another database also holds readAll back for a while.
 */
const MAX_EMPTY_POLLS = 5_000;

/** A reader that resumes from the position of the last event of its previous page. */
export function pagingReader(
  read: ReadAfter,
  from: Position,
  pageSize: number,
  own: (e: RecordedEvent) => boolean,
  maxEmptyPolls = MAX_EMPTY_POLLS,
): LogReader {
  let after = from;
  const seen: RecordedEvent[] = [];
  const readPage = async () => {
    const page = await read(after, pageSize);
    after = page.at(-1)?.position ?? after;
    const mine = page.filter(own);
    seen.push(...mine);
    return mine;
  };
  return {
    readPage,
    async readUntil(done, target) {
      const start = seen.length;
      let finished = false;
      void done.then(
        () => (finished = true),
        () => (finished = true),
      );
      for (
        let empty = 0;
        !(finished && seen.length - start >= target()) && empty < maxEmptyPolls;
      ) {
        if ((await readPage()).length > 0) continue;
        if (finished) empty++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await done;
      return seen.slice(start);
    },
  };
}

export function readAllOf(store: EventStore): ReadAfter {
  return (after, maxCount) => store.readAll({ after, maxCount });
}

export interface OutOfOrderResult {
  readonly written: Set<string>;
  /** What the reader returned, in order, duplicates kept. */
  readonly seen: RecordedEvent[];
  /** Whether the probe read, made while an older transaction was still open, returned the younger one's event. */
  readonly probeSawLaterCommit: boolean;
}

/**
 * Forces the case that loses events with `seq > last`: transaction P writes
 * first and stays open; transaction Q writes later and commits; the reader
 * reads (the probe); then P commits. Meanwhile 8 writers hold their
 * transactions open for random short spells so that commits keep landing out
 * of order while the reader pages with a small page size.
 */
export async function outOfOrderScenario(
  subject: ContractSubject,
  makeReader: (own: (e: RecordedEvent) => boolean) => LogReader,
): Promise<OutOfOrderResult> {
  const held = subject.appendHeldOpen;
  if (!held) throw new Error('outOfOrderScenario needs appendHeldOpen');
  const streams = Array.from({ length: 8 }, () => newStream('race'));
  const reader = makeReader((e) => streams.includes(e.streamId));
  const written = new Set<string>();
  const append = async (
    request: AppendRequest,
    beforeCommit: () => Promise<void> = async () => undefined,
  ) => {
    const outcome = await held(request, beforeCommit);
    if (outcome instanceof Error) throw outcome;
    request.events.forEach((e) => written.add(e.id));
  };

  let letPCommit!: () => void;
  const pMayCommit = new Promise<void>((resolve) => (letPCommit = resolve));
  let pWrote!: () => void;
  const pHasWritten = new Promise<void>((resolve) => (pWrote = resolve));
  const [pStream, qStream] = [must(streams[0], 'stream P'), must(streams[1], 'stream Q')];
  const p = append({ streamId: pStream, events: someEvents(1, 'P'), expected: 'any' }, () => {
    pWrote();
    return pMayCommit;
  });
  await pHasWritten;
  const q = someEvents(1, 'Q');
  await append({ streamId: qStream, events: q, expected: 'any' });
  const probe = await reader.readPage();
  const probeSawLaterCommit = probe.some((e) => e.id === q[0].id);

  const writer = async (w: number) => {
    for (let i = 0; i < 10; i++) {
      const pauseMs = (w * 7 + i * 13) % 11;
      await append(
        {
          streamId: must(streams[2 + (w % 6)], 'stream'),
          events: someEvents(1 + (i % 2)),
          expected: 'any',
        },
        () => new Promise((resolve) => setTimeout(resolve, pauseMs)),
      );
    }
  };
  const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w))).then(async () => {
    letPCommit();
    await p;
  });
  const seen = await reader.readUntil(writers, () => written.size);
  return { written, seen: [...probe, ...seen], probeSawLaterCommit };
}

/**
 * A checkpoint row in memory with the compare-and-set of `log_checkpoints`,
 * and a handler that keeps the ids of this test's own streams it committed.
 */
class MemoryCheckpoint implements ReaderCheckpoints {
  readonly committed: string[] = [];
  /** Commits to refuse before the next one succeeds (an outage of the handler's database). */
  failures = 0;

  constructor(
    public position: Position,
    private readonly own: (event: RecordedEvent) => boolean,
  ) {}

  load(): Promise<Position> {
    return Promise.resolve(this.position);
  }

  lease() {
    return Promise.resolve({ release: () => Promise.resolve() });
  }

  reader(store: EventStore, batchSize: number): CheckpointedReader {
    return new CheckpointedReader(
      store,
      this,
      {
        commit: (from, events) => {
          const last = events.at(-1);
          if (!last) return Promise.resolve();
          if (comparePositions(this.position, from) !== 0)
            return Promise.reject(new CheckpointMoved('contract', from));
          if (events.some(this.own) && this.failures > 0) {
            this.failures--;
            return Promise.reject(new Error('projection database unavailable'));
          }
          this.committed.push(...events.filter(this.own).map((e) => e.id));
          this.position = last.position;
          return Promise.resolve();
        },
      },
      { batchSize, idlePollMs: 5, leaseRetryMs: 5, errorBackoffMs: 1 },
    );
  }
}

function catchUpTests(store: () => EventStore): void {
  it('a checkpointed reader resumes from its stored checkpoint without gaps or duplicates', async () => {
    const streams = [newStream('sub'), newStream('sub')];
    const row = new MemoryCheckpoint(await store().headPosition(), (e) =>
      streams.includes(e.streamId),
    );
    const firstWave = someEvents(9);
    const streamOf = (i: number) => must(streams[i % 2], 'stream');
    for (const [i, e] of firstWave.entries()) await store().append(streamOf(i), [e], 'any');

    // The first reader stops part way; a new one (a restarted process) starts from the stored row.
    await row.reader(store(), 4).drain({ maxBatches: 1 });
    expect(row.committed.length).toBeLessThan(firstWave.length);
    const secondWave = someEvents(7);
    await store().appendMany(
      secondWave.map((e, i) => ({ streamId: streamOf(i), events: [e], expected: 'any' })),
    );
    await row.reader(store(), 4).drain();
    expect(row.committed).toEqual([...firstWave, ...secondWave].map((e) => e.id));
  });

  it('a checkpointed reader delivers a batch whose commit failed again, from the same checkpoint', async () => {
    const stream = newStream('sub');
    const start = await store().headPosition();
    const events = someEvents(3);
    await store().append(stream, events, 'no_stream');
    const row = new MemoryCheckpoint(start, (e) => e.streamId === stream);
    row.failures = 2;
    const reader = row.reader(store(), 1);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(reader.drain()).rejects.toThrow('projection database unavailable');
      // Nothing of the failed batch counts: the stored checkpoint is before the stream's first event.
      const [first] = await store().readStream(stream, { maxCount: 1 });
      expect(comparePositions(row.position, must(first, 'first event').position)).toBe(-1);
    }
    await reader.drain();
    expect(row.committed).toEqual(events.map((e) => e.id));
  });
}
