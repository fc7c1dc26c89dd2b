import type { SqlDatabase } from '@ledger/database';
import {
  IdempotencyViolationError,
  WrongExpectedVersionError,
  type AppendRequest,
  type AppendResult,
  type EventStore,
} from './event-store.port';
import { newStream, someEvents } from './contract-events';
import { globalLogContract } from './global-log.contract';
import { hashChainContract } from './hash-chain.contract';
import { readStreamsContract } from './read-streams.contract';
import { appendGroupsContract } from './append-groups.contract';
import { MAX_EVENTS_PER_APPEND } from './append-request';

/**
 * One suite for every adapter: it states the port's semantics (docs/adr/0001-event-store-port.md)
 * as tests. An adapter's leg runs where its server is reachable.
 */
export { newStream, someEvents };

export interface ContractSubject {
  readonly store: EventStore;
  /** The SQL adapters' database, for what only they promise (refusing UPDATE and DELETE, ids unique across streams). */
  readonly sql?: SqlDatabase;
  /**
   * Appends in a transaction that commits only after `beforeCommit` resolves,
   * so that the suite can make writers commit out of order. Only adapters with
   * transactions that can stay open beside other writers give it (Postgres).
   */
  readonly appendHeldOpen?: (
    request: AppendRequest,
    beforeCommit: () => Promise<void>,
  ) => Promise<AppendResult | Error>;
  dispose(): Promise<void>;
}

export interface ContractFactory {
  open(): Promise<ContractSubject>;
  /** One subject for the whole suite (tests isolate themselves by stream ids) or a fresh one per test. */
  readonly shared: boolean;
}

export function eventStoreContract(name: string, factory: ContractFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    const subject = useSubject(factory);
    const store = () => subject().store;

    appendAndReadTests(store);
    readStreamsContract(store);
    expectationTests(store);
    idempotencyTests(store);
    appendManyTests(store);
    appendGroupsContract(subject);
    hashChainContract(store);
    sqlOnlyTests(subject);
    globalLogContract(subject);
  });
}

function useSubject(factory: ContractFactory): () => ContractSubject {
  let current: ContractSubject | undefined;
  const open = async () => void (current = await factory.open());
  const dispose = async () => {
    await current?.dispose();
    current = undefined;
  };
  if (factory.shared) {
    beforeAll(open);
    afterAll(dispose);
  } else {
    beforeEach(open);
    afterEach(dispose);
  }
  return () => {
    if (!current) throw new Error('The contract subject is not open');
    return current;
  };
}

/** The rejection of a promise that must reject, for assertions on its fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

function appendAndReadTests(store: () => EventStore): void {
  it('numbers revisions from 0 and reads a stream back in order', async () => {
    const stream = newStream();
    const events = someEvents(3);
    const result = await store().append(stream, events, 'no_stream');
    expect(result.nextRevision).toBe(2n);
    const read = await store().readStream(stream);
    expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(read[1]).toMatchObject({ streamId: stream, type: 'Happened', data: events[1].data });
    expect(read[1]?.metadata).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1' });
    expect(read[2]?.position).toEqual(result.position);
    expect(await store().streamRevision(stream)).toBe(2n);
  });

  it('treats a stream without events as no stream', async () => {
    const stream = newStream();
    expect(await store().readStream(stream)).toEqual([]);
    expect(await store().streamRevision(stream)).toBe('no_stream');
  });

  it('reads a stream from a revision, at most maxCount events', async () => {
    const stream = newStream();
    await store().append(stream, someEvents(10), 'no_stream');
    const page = await store().readStream(stream, { fromRevision: 3n, maxCount: 4 });
    expect(page.map((e) => e.revision)).toEqual([3n, 4n, 5n, 6n]);
    expect(await store().readStream(stream, { fromRevision: 10n })).toEqual([]);
  });
}

function expectationTests(store: () => EventStore): void {
  const conflictOf = async (stream: string, expected: AppendRequest['expected']) => {
    const error = await rejectionOf(store().append(stream, someEvents(1), expected));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    return error as WrongExpectedVersionError;
  };

  it('no_stream: creates a stream, and conflicts once it exists', async () => {
    const stream = newStream();
    expect((await store().append(stream, someEvents(1), 'no_stream')).nextRevision).toBe(0n);
    expect(await conflictOf(stream, 'no_stream')).toMatchObject({
      streamId: stream,
      expected: 'no_stream',
      actual: 0n,
    });
    expect(await store().streamRevision(stream)).toBe(0n);
  });

  it('stream_exists: conflicts on a missing stream, appends to an existing one', async () => {
    const stream = newStream();
    expect(await conflictOf(stream, 'stream_exists')).toMatchObject({
      expected: 'stream_exists',
      actual: 'no_stream',
    });
    expect(await store().streamRevision(stream)).toBe('no_stream');
    await store().append(stream, someEvents(1), 'any');
    expect((await store().append(stream, someEvents(2), 'stream_exists')).nextRevision).toBe(2n);
  });

  it('an exact revision: appends when it is current, conflicts with the actual revision otherwise', async () => {
    const stream = newStream();
    expect(await conflictOf(stream, 0n)).toMatchObject({ expected: 0n, actual: 'no_stream' });
    await store().append(stream, someEvents(2), 'no_stream');
    expect(await conflictOf(stream, 0n)).toMatchObject({ expected: 0n, actual: 1n });
    expect(await conflictOf(stream, 7n)).toMatchObject({ expected: 7n, actual: 1n });
    expect((await store().append(stream, someEvents(1), 1n)).nextRevision).toBe(2n);
    expect((await store().readStream(stream)).length).toBe(3);
  });

  it('any: appends whether or not the stream exists', async () => {
    const stream = newStream();
    expect((await store().append(stream, someEvents(1), 'any')).nextRevision).toBe(0n);
    expect((await store().append(stream, someEvents(1), 'any')).nextRevision).toBe(1n);
  });

  it('16 appenders racing with the same expected revision: exactly one wins each revision', async () => {
    const stream = newStream();
    const rounds = 4;
    const racers = 16;
    let expected: AppendRequest['expected'] = 'no_stream';
    for (let round = 0; round < rounds; round++) {
      const attempts = Array.from({ length: racers }, () => someEvents(1));
      const settled = await Promise.allSettled(
        attempts.map((events) => store().append(stream, events, expected)),
      );
      const winners = settled.filter((s) => s.status === 'fulfilled');
      const losers = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(racers - 1);
      for (const loser of losers) {
        expect(loser).toBeInstanceOf(WrongExpectedVersionError);
        expect(loser).toMatchObject({ expected, actual: BigInt(round) });
      }
      expected = BigInt(round);
    }
    expect((await store().readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
  });
}

function idempotencyTests(store: () => EventStore): void {
  it('a retry with the same event ids returns the first result and writes nothing', async () => {
    const stream = newStream();
    const events = someEvents(3);
    const first = await store().append(stream, events, 'no_stream');
    expect(await store().append(stream, events, 'no_stream')).toEqual(first);
    expect(await store().readStream(stream)).toHaveLength(3);
    // Still a retry after the stream moved on: the first result, not a conflict.
    await store().append(stream, someEvents(1), 2n);
    expect(await store().append(stream, events, 'no_stream')).toEqual(first);
    expect(await store().readStream(stream)).toHaveLength(4);
  });

  it('a retry that overlaps the first append only partly is an IdempotencyViolationError and writes nothing', async () => {
    const stream = newStream();
    const [a, b, c] = someEvents(3);
    await store().append(stream, [a, b], 'no_stream');
    const partly = await rejectionOf(store().append(stream, [b, c], 0n));
    expect(partly).toBeInstanceOf(IdempotencyViolationError);
    expect(partly).toMatchObject({ streamId: stream });
    expect(await rejectionOf(store().append(stream, [a, c], 'no_stream'))).toBeInstanceOf(
      IdempotencyViolationError,
    );
    expect(await store().readStream(stream)).toHaveLength(2);
  });

  it('a partial retry is an IdempotencyViolationError however far the stream has moved on since', async () => {
    const stream = newStream();
    const [a, b, c] = someEvents(3);
    await store().append(stream, [a, b], 'no_stream');
    // More events since the first append than any one append can hold.
    await store().append(stream, someEvents(MAX_EVENTS_PER_APPEND), 1n);
    await store().append(stream, someEvents(1), BigInt(MAX_EVENTS_PER_APPEND + 1));
    expect(await rejectionOf(store().append(stream, [b, c], 0n))).toBeInstanceOf(
      IdempotencyViolationError,
    );
    expect(await store().streamRevision(stream)).toBe(BigInt(MAX_EVENTS_PER_APPEND + 2));
  });
}

function appendManyTests(store: () => EventStore): void {
  it('appendMany keeps an outcome per request, in request order', async () => {
    const [fresh, existing, other] = [newStream(), newStream(), newStream()];
    const [written] = someEvents(1);
    await store().append(existing, [written, ...someEvents(1)], 'no_stream');
    const outcomes = await store().appendMany([
      { streamId: fresh, events: someEvents(2), expected: 'no_stream' },
      { streamId: existing, events: someEvents(1), expected: 5n },
      { streamId: other, events: someEvents(1), expected: 'any' },
      { streamId: fresh, events: someEvents(1), expected: 1n },
      { streamId: existing, events: [written, ...someEvents(1)], expected: 'no_stream' },
    ]);
    expect(outcomes[0]).toMatchObject({ nextRevision: 1n });
    expect(outcomes[1]).toBeInstanceOf(WrongExpectedVersionError);
    expect(outcomes[1]).toMatchObject({ streamId: existing, expected: 5n, actual: 1n });
    expect(outcomes[2]).toMatchObject({ nextRevision: 0n });
    expect(outcomes[3]).toMatchObject({ nextRevision: 2n });
    expect(outcomes[4]).toBeInstanceOf(IdempotencyViolationError);
    expect(await store().streamRevision(fresh)).toBe(2n);
    expect(await store().streamRevision(existing)).toBe(1n);
    expect(await store().streamRevision(other)).toBe(0n);
  });
}

function sqlOnlyTests(subject: () => ContractSubject): void {
  const sqlIt = (title: string, fn: (db: SqlDatabase) => Promise<void>) =>
    it(title, async () => {
      const db = subject().sql;
      // The EventStoreDB leg has no SQL: it keeps its own log immutable.
      if (db) await fn(db);
    });

  sqlIt('refuses UPDATE, DELETE and TRUNCATE of stored events', async (db) => {
    const stream = newStream();
    await subject().store.append(stream, someEvents(2), 'no_stream');
    const refused = /refused/;
    await expect(
      db.query(`UPDATE events SET type = 'Edited' WHERE stream_id = $1`, [stream]),
    ).rejects.toThrow(refused);
    await expect(db.query('DELETE FROM events WHERE stream_id = $1', [stream])).rejects.toThrow(
      refused,
    );
    await expect(db.query('DELETE FROM events WHERE false')).rejects.toThrow(refused);
    await expect(db.query('TRUNCATE events CASCADE')).rejects.toThrow(refused);
    await expect(db.query('DELETE FROM streams WHERE stream_id = $1', [stream])).rejects.toThrow(
      refused,
    );
    expect((await subject().store.readStream(stream)).map((e) => e.type)).toEqual([
      'Happened',
      'Happened',
    ]);
  });

  sqlIt('an event id is unique across streams, also within one appendMany', async () => {
    const [first, second, third, fourth] = [newStream(), newStream(), newStream(), newStream()];
    const shared = someEvents(1);
    await subject().store.append(first, shared, 'no_stream');
    const elsewhere = await rejectionOf(subject().store.append(second, shared, 'any'));
    expect(elsewhere).toBeInstanceOf(IdempotencyViolationError);
    const twice = someEvents(1);
    const outcomes = await subject().store.appendMany([
      { streamId: third, events: twice, expected: 'no_stream' },
      { streamId: fourth, events: twice, expected: 'no_stream' },
      { streamId: second, events: someEvents(1), expected: 'no_stream' },
    ]);
    expect(outcomes[0]).toMatchObject({ nextRevision: 0n });
    expect(outcomes[1]).toBeInstanceOf(IdempotencyViolationError);
    expect(outcomes[2]).toMatchObject({ nextRevision: 0n });
    expect(await subject().store.streamRevision(fourth)).toBe('no_stream');
  });

  sqlIt(
    'each written request of a batch answers with its last event, whatever was refused between',
    async () => {
      const store = subject().store;
      const [a, b, c] = [newStream(), newStream(), newStream()];
      const retried = someEvents(2);
      await store.append(c, retried, 'no_stream');
      const outcomes = await store.appendMany([
        { streamId: a, events: someEvents(2), expected: 'no_stream' },
        { streamId: b, events: someEvents(1), expected: 3n },
        { streamId: c, events: retried, expected: 'no_stream' },
        { streamId: b, events: someEvents(3), expected: 'any' },
        { streamId: a, events: someEvents(1), expected: 1n },
      ]);
      const at = async (stream: string, revision: bigint) => {
        const [event] = await store.readStream(stream, { fromRevision: revision, maxCount: 1 });
        return { nextRevision: revision, position: event?.position };
      };
      expect(outcomes[0]).toEqual(await at(a, 1n));
      expect(outcomes[1]).toMatchObject({ streamId: b, actual: 'no_stream' });
      expect(outcomes[2]).toEqual(await at(c, 1n));
      expect(outcomes[3]).toEqual(await at(b, 2n));
      expect(outcomes[4]).toEqual(await at(a, 2n));
      expect((await store.readStream(c)).map((e) => e.id)).toEqual(retried.map((e) => e.id));
    },
  );
}
