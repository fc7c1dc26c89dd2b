import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import {
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { eventStoreContract, newStream, someEvents } from '../event-store.contract';
import { START, comparePositions } from '../event-store.port';
import { EsdbEventStore } from './esdb.event-store';
import { EsdbStandIn, type EsdbStandInOptions } from './esdb.stand-in';

/**
 * The EventStoreDB adapter against the local stand-in of the server's gRPC
 * protocol: the whole contract suite through BatchAppend (servers from
 * 21.10), through Append (older servers, or per-call credentials), and with
 * the server's own events between every two of the ledger's, as when system
 * projections run.
 */
function standInLeg(options: EsdbStandInOptions) {
  return async () => {
    const standIn = await EsdbStandIn.start(options);
    const store = EsdbEventStore.connect(standIn.connectionString);
    return {
      store,
      dispose: async () => {
        await store.close();
        await standIn.stop();
      },
    };
  };
}

eventStoreContract('eventstoredb stand-in, BatchAppend', {
  shared: true,
  open: standInLeg({ batchAppend: true }),
});
eventStoreContract('eventstoredb stand-in, Append', {
  shared: true,
  open: standInLeg({ batchAppend: false }),
});
eventStoreContract('eventstoredb stand-in, projections writing links', {
  shared: true,
  open: standInLeg({ batchAppend: true, linksPerAppend: 2 }),
});

describe('the EventStoreDB adapter and the server’s own events', () => {
  let standIn: EsdbStandIn;
  let store: EsdbEventStore;
  beforeAll(async () => {
    standIn = await EsdbStandIn.start();
    store = EsdbEventStore.connect(standIn.connectionString);
  });
  afterAll(async () => {
    await store.close();
    await standIn.stop();
  });

  it('leaves the $ streams of a fresh server out of readAll and headPosition', async () => {
    expect(await store.readAll()).toEqual([]);
    expect(await store.headPosition()).toEqual(START);
  });

  it('pages past more system events than one read returns, to the next ledger event', async () => {
    const stream = newStream();
    const first = await store.append(stream, someEvents(1), 'no_stream');
    // A server that writes its statistics to the database adds $statsCollected while the ledger is idle.
    standIn.writeStatsEvents(250);
    expect(await store.headPosition()).toEqual(first.position);
    expect(await store.readAll({ after: first.position, maxCount: 10 })).toEqual([]);
    const second = await store.append(stream, someEvents(1), 0n);
    standIn.writeStatsEvents(3);
    const page = await store.readAll({ after: first.position, maxCount: 10 });
    expect(page.map((e) => [e.streamId, e.revision])).toEqual([[stream, 1n]]);
    expect(page[0]?.position).toEqual(second.position);
    expect(await store.headPosition()).toEqual(second.position);
  });

  it('positions are the server’s log offsets: increasing, not consecutive, commit equal to prepare', async () => {
    const stream = newStream();
    const from = await store.headPosition();
    await store.append(stream, someEvents(3), 'no_stream');
    const events = await store.readAll({ after: from });
    expect(events).toHaveLength(3);
    for (const [i, e] of events.entries()) {
      expect(e.position.commit).toBe(e.position.prepare);
      const previous = events[i - 1];
      if (previous) expect(e.position.commit - previous.position.commit).toBeGreaterThan(1n);
    }
    expect(comparePositions(must(events[0], 'first event').position, from)).toBe(1);
  });
});

/**
 * The stand-in's own rules, through the plain client, where the server's
 * behaviour is easy to get wrong: these are what make the contract legs above
 * mean something.
 */
describe('the EventStoreDB stand-in', () => {
  let standIn: EsdbStandIn;
  let client: EventStoreDBClient;
  const event = (id = randomUUID()) => jsonEvent({ id, type: 'Happened', data: { n: 1 } });
  beforeAll(async () => {
    standIn = await EsdbStandIn.start({ idempotencyWindow: 5 });
    client = EventStoreDBClient.connectionString(standIn.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await standIn.stop();
  });

  it('reports a conflict with the current revision, and the position of the last event on success', async () => {
    const stream = newStream();
    const written = await client.appendToStream(stream, [event(), event()], {
      expectedRevision: 'no_stream',
    });
    expect(written.nextExpectedRevision).toBe(1n);
    const conflict = await client
      .appendToStream(stream, event(), { expectedRevision: 5n })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({ expectedVersion: 5n, actualVersion: 1n });
    const [last] = await collect(
      client.readStream(stream, { fromRevision: 'end', direction: 'backwards', maxCount: 1 }),
    );
    expect(last?.event?.position).toEqual(written.position);
  });

  it('with any, recognises a retry only by its first id, and only while the ids are recent', async () => {
    const stream = newStream();
    const [a, b] = [randomUUID(), randomUUID()];
    await client.appendToStream(stream, event(a), { expectedRevision: 'any' });
    // A new first id makes the append new, even though `a` is in the stream: EventStoreDB writes it again.
    await client.appendToStream(stream, [event(b), event(a)], { expectedRevision: 'any' });
    expect((await collect(client.readStream(stream))).map((e) => e.event?.id)).toEqual([a, b, a]);
    // Once the window of 5 recent ids has moved past `b`, its retry is written again too.
    await client.appendToStream(newStream(), [event(), event(), event(), event(), event()]);
    await client.appendToStream(stream, event(b), { expectedRevision: 'any' });
    expect(await collect(client.readStream(stream))).toHaveLength(4);
  });

  it('refuses an append over the server’s 1 MiB limit, through BatchAppend and through Append, and writes nothing', async () => {
    const appendOnly = await EsdbStandIn.start({ batchAppend: false });
    const oldClient = EventStoreDBClient.connectionString(appendOnly.connectionString);
    try {
      for (const c of [client, oldClient]) {
        const stream = newStream();
        const big = jsonEvent({
          id: randomUUID(),
          type: 'Big',
          data: { text: 'x'.repeat(1_100_000) },
        });
        const refused = await c.appendToStream(stream, big).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(MaxAppendSizeExceededError);
        expect(refused).toMatchObject({ maxAppendSize: 1_048_576 });
        expect(await collect(c.readStream(stream)).catch((e: unknown) => e)).toBeInstanceOf(
          StreamNotFoundError,
        );
      }
    } finally {
      await oldClient.dispose();
      await appendOnly.stop();
    }
  });

  it('reads $all forwards from a position inclusively and backwards from it exclusively', async () => {
    const stream = newStream();
    await client.appendToStream(stream, [event(), event(), event()], {
      expectedRevision: 'no_stream',
    });
    const mine = await collect(client.readStream(stream));
    const middle = must(mine[1]?.event?.position, "the middle event's position");
    const forwards = await collect(client.readAll({ fromPosition: middle, maxCount: 2 }));
    expect(forwards.map((e) => e.event?.id)).toEqual([mine[1]?.event?.id, mine[2]?.event?.id]);
    const backwards = await collect(
      client.readAll({ fromPosition: middle, direction: 'backwards', maxCount: 1 }),
    );
    expect(backwards.map((e) => e.event?.id)).toEqual([mine[0]?.event?.id]);
  });
});

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of read) out.push(item);
  return out;
}
