import { must } from '@ledger/invariant';
import type {
  AppendError,
  AppendRequest,
  AppendResult,
  Position,
  RecordedEvent,
} from './event-store.port';
import { newStream, someEvents } from './contract-events';
import { contentHash } from './hash-chain';
import { recomputeChain } from './hash-chain.contract';
import { pagingReader, readAllOf } from './global-log.contract';
import type { ContractSubject } from './event-store.contract';
import { groupsTest, ids, request, resultsOf } from './append-groups-helpers';
import { refusedGroupTests } from './append-groups-refused.contract';

/**
 * `appendGroups`: each group written whole or not at all, in one
 * transaction, groups of one call decided in order. Runs for a store that
 * has the method; EventStoreDB's adapter has none, and its leg passes these
 * tests without running them.
 */
export function appendGroupsContract(subject: () => ContractSubject): void {
  const store = () => subject().store;
  const groupsIt = groupsTest(store);

  /** What the log holds from `from` on, every stream's, paged to the end. */
  const logAfter = async (from: Position): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for (let page = await store().readAll({ after: from }); page.length > 0;) {
      events.push(...page);
      page = await store().readAll({ after: must(page.at(-1), 'last event').position });
    }
    return events;
  };

  describe('appendGroups', () => {
    groupsIt(
      "writes a group's appends in one transaction, one after another in the log, chained",
      async (appendGroups) => {
        const [existing, fresh, other] = [newStream(), newStream(), newStream()];
        await store().append(existing, someEvents(2), 'no_stream');
        const from = await store().headPosition();
        const group = [
          request(existing, someEvents(2), 1n),
          request(fresh, someEvents(1), 'no_stream'),
          request(other, someEvents(3), 'any'),
        ];
        const [outcome] = await appendGroups([group]);
        const results = resultsOf(outcome);
        expect(results.map((r) => r.nextRevision)).toEqual([3n, 0n, 2n]);

        // Nothing else between them in the log, in batch order and, within an append, in revision order.
        const log = await logAfter(from);
        const written = group.flatMap((r) => ids(r.events));
        const at = log.findIndex((e) => e.id === written[0]);
        expect(at).toBeGreaterThanOrEqual(0);
        const slice = log.slice(at, at + written.length);
        expect(ids(slice)).toEqual(written);
        expect(slice.map((e) => `${e.streamId}@${e.revision}`)).toEqual([
          `${existing}@2`,
          `${existing}@3`,
          `${fresh}@0`,
          `${other}@0`,
          `${other}@1`,
          `${other}@2`,
        ]);
        // One transaction: one commit for the whole group.
        expect(new Set(slice.map((e) => e.position.commit)).size).toBe(1);
        // Each result names its append's last event.
        expect(results.map((r) => r.position)).toEqual(
          [slice[1], slice[2], slice[5]].map((e) => must(e, 'event').position),
        );
        for (const stream of [existing, fresh, other]) {
          const events = await store().readStream(stream);
          expect(events.map((e) => e.hash)).toEqual(recomputeChain(events));
          expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
        }
      },
    );

    groupsIt(
      'decides the groups of one call in order, each seeing what the groups before it wrote',
      async (appendGroups) => {
        const [a, b, c] = [newStream(), newStream(), newStream()];
        const outcomes = await appendGroups([
          [request(a, someEvents(2), 'no_stream'), request(b, someEvents(1), 'no_stream')],
          [request(b, someEvents(1), 0n), request(c, someEvents(1), 'no_stream')],
          [request(a, someEvents(1), 1n), request(c, someEvents(1), 0n)],
          // Stale: a is at 2 by now.
          [request(a, someEvents(1), 1n), request(b, someEvents(1), 1n)],
          [request(b, someEvents(1), 1n)],
        ]);
        expect(outcomes.slice(0, 3).map((o) => resultsOf(o).map((r) => r.nextRevision))).toEqual([
          [1n, 0n],
          [1n, 0n],
          [2n, 1n],
        ]);
        expect(outcomes[3]).toMatchObject({ streamId: a, expected: 1n, actual: 2n });
        expect(resultsOf(outcomes[4]).map((r) => r.nextRevision)).toEqual([2n]);
        expect(
          await Promise.all([a, b, c].map((stream) => store().streamRevision(stream))),
        ).toEqual([2n, 2n, 1n]);
        for (const stream of [a, b, c]) {
          const events = await store().readStream(stream);
          expect(events.map((e) => e.hash)).toEqual(recomputeChain(events));
        }
      },
    );

    groupsIt(
      'a group retried whole returns the first results and writes nothing',
      async (appendGroups) => {
        const [a, b] = [newStream(), newStream()];
        const group = [request(a, someEvents(2), 'no_stream'), request(b, someEvents(1), 'any')];
        const [first] = await appendGroups([group]);
        expect(resultsOf(first)).toHaveLength(2);
        expect(await appendGroups([group])).toEqual([first]);
        // Still a retry once the streams have moved on, and beside a new group in the same call.
        await store().append(a, someEvents(1), 1n);
        const c = newStream();
        const [again, beside] = await appendGroups([group, [request(c, someEvents(1))]]);
        expect(again).toEqual(first);
        expect(resultsOf(beside)).toHaveLength(1);
        expect(await store().streamRevision(a)).toBe(2n);
        expect(await store().streamRevision(b)).toBe(0n);
      },
    );

    groupsIt(
      'a call of more groups than one round trip takes keeps every group in one transaction',
      async (appendGroups) => {
        // 18 groups of 15: more requests than one SQL batch, and no batch boundary between groups.
        const groups = Array.from({ length: 18 }, () =>
          Array.from({ length: 15 }, () => request(newStream(), someEvents(1), 'no_stream')),
        );
        const outcomes = await appendGroups(groups);
        expect(outcomes).toHaveLength(groups.length);
        for (const outcome of outcomes) {
          const results = resultsOf(outcome);
          expect(results).toHaveLength(15);
          expect(new Set(results.map((r) => r.position.commit)).size).toBe(1);
        }
      },
    );

    groupsIt('decides groups of one as appendMany decides its requests', async (appendGroups) => {
      // The same calls against two sets of streams: once appendMany, once in groups of one.
      const scenario = async (
        call: (requests: AppendRequest[]) => Promise<Array<AppendResult | AppendError>>,
      ) => {
        const [fresh, existing, other] = [newStream(), newStream(), newStream()];
        const [written] = someEvents(1);
        await store().append(existing, [written, ...someEvents(1)], 'no_stream');
        const outcomes = await call([
          request(fresh, someEvents(2), 'no_stream'),
          request(existing, someEvents(1), 5n),
          request(other, someEvents(1), 'any'),
          request(fresh, someEvents(1), 1n),
          request(existing, [written, ...someEvents(1)], 'no_stream'),
          request(existing, [written], 'stream_exists'),
        ]);
        return outcomes.map((o) =>
          o instanceof Error ? o.name : { nextRevision: o.nextRevision },
        );
      };
      const many = await scenario((requests) => store().appendMany(requests));
      const groups = await scenario(async (requests) =>
        (await appendGroups(requests.map((r) => [r]))).map((o) =>
          Array.isArray(o) ? must(o[0], 'result') : o,
        ),
      );
      expect(groups).toEqual(many);
      expect(many).toEqual([
        { nextRevision: 1n },
        'WrongExpectedVersionError',
        { nextRevision: 0n },
        { nextRevision: 2n },
        'IdempotencyViolationError',
        { nextRevision: 0n },
      ]);
    });

    groupsIt(
      'a reader paging concurrently with writers of groups sees every event once, each group in order',
      async (appendGroups) => {
        const streams = Array.from({ length: 6 }, () => newStream('groups'));
        const from = await store().headPosition();
        const written = new Set<string>();
        const groups: string[][] = [];
        const write = async (writer: number) => {
          for (let n = 0; n < 8; n++) {
            const group = [0, 1, 2].map((k) =>
              request(
                must(streams[(writer + n + k) % streams.length], 'stream'),
                someEvents(1 + ((writer + k) % 2)),
              ),
            );
            const [outcome] = await appendGroups([group]);
            resultsOf(outcome);
            groups.push(group.flatMap((r) => ids(r.events)));
            group.forEach((r) => r.events.forEach((e) => written.add(e.id)));
          }
        };
        const reader = pagingReader(readAllOf(store()), from, 5, (e) =>
          streams.includes(e.streamId),
        );
        const writers = Promise.all(Array.from({ length: 6 }, (_, w) => write(w)));
        const seen = await reader.readUntil(writers, () => written.size);
        expect(new Set(ids(seen)).size).toBe(seen.length);
        expect(new Set(ids(seen))).toEqual(written);
        const order = ids(seen);
        for (const group of groups) {
          const at = order.indexOf(must(group[0], 'first event of the group'));
          expect(order.slice(at, at + group.length)).toEqual(group);
        }
        for (const stream of streams) {
          const revisions = seen.filter((e) => e.streamId === stream).map((e) => e.revision);
          expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
        }
      },
    );

    refusedGroupTests(store);
    rawPayloadTests(subject);
  });
}

/** es_append_batch as the SQL adapters call it: a request without a group key is decided alone. */
function rawPayloadTests(subject: () => ContractSubject): void {
  type Raw = AppendRequest & { readonly g?: number };
  const call = async (requests: readonly Raw[]) => {
    const db = must(subject().sql, 'SQL database');
    const payload = requests.map((r) => ({
      s: r.streamId,
      x: String(r.expected),
      e: r.events.map((e) => ({ ...e, metadata: e.metadata ?? {}, h: contentHash(e) })),
      g: r.g,
    }));
    const { rows } = await db.query<{ outcomes: { status: string; actual?: string }[] }>(
      'SELECT es_append_batch($1::jsonb) AS outcomes',
      [JSON.stringify(payload)],
    );
    return must(rows[0], 'outcomes').outcomes.map(
      (o) => o.status + (o.actual ? ` ${o.actual}` : ''),
    );
  };
  /** Four requests to new streams: the first and third reuse one event id, the second conflicts. */
  const batch = (groupKeys: readonly (number | undefined)[] = []) => {
    const streams = [newStream(), newStream(), newStream(), newStream()] as const;
    const reused = someEvents(1);
    const requests: Raw[] = [
      { ...request(streams[0], reused, 'no_stream'), g: groupKeys[0] },
      { ...request(streams[1], someEvents(1), 3n), g: groupKeys[1] },
      { ...request(streams[2], reused, 'no_stream'), g: groupKeys[2] },
      { ...request(streams[3], someEvents(2), 'any'), g: groupKeys[3] },
    ];
    return { streams, requests };
  };

  it('es_append_batch decides a request without a group key alone, as before groups', async () => {
    if (!subject().sql) return;
    // The payload of appendMany: each request its own outcome, the reused id only its second
    // user's overlap (the batch retried request by request).
    const alone = batch();
    expect(await call(alone.requests)).toEqual(['ok', 'conflict -1', 'overlap', 'ok']);
    expect(await subject().store.streamRevision(alone.streams[3])).toBe(1n);
    // The first two as one group: the conflict takes the other with it; the rest as before.
    const grouped = batch([0, 0]);
    expect(await call(grouped.requests)).toEqual(['aborted', 'conflict -1', 'ok', 'ok']);
    expect(await subject().store.streamRevision(grouped.streams[0])).toBe('no_stream');
  });
}
