import { must } from '@ledger/invariant';
import {
  IdempotencyViolationError,
  WrongExpectedVersionError,
  type AppendRequest,
  type EventStore,
} from './event-store.port';
import { InvalidAppendError, MAX_EVENTS_PER_APPEND, MAX_STREAMS_PER_GROUP } from './append-request';
import { newStream, someEvents } from './contract-events';
import { groupsTest, ids, request, resultsOf } from './append-groups-helpers';

/**
 * `appendGroups`, the groups it refuses: a conflict, a partial retry or an
 * event id another stream uses refuses the whole group and no other; a
 * malformed group refuses the whole call.
 */
export function refusedGroupTests(store: () => EventStore): void {
  const groupsIt = groupsTest(store);

  groupsIt(
    "writes nothing of a group one of whose appends conflicts: that append's error, the other groups written",
    async (appendGroups) => {
      const [a, b, c, d, e] = [newStream(), newStream(), newStream(), newStream(), newStream()];
      await store().append(d, someEvents(2), 'no_stream');
      const outcomes = await appendGroups([
        [request(a, someEvents(1), 'no_stream'), request(b, someEvents(2), 'no_stream')],
        [
          request(c, someEvents(1), 'no_stream'),
          request(d, someEvents(1), 5n),
          request(e, someEvents(1), 'any'),
        ],
        [request(e, someEvents(1), 'no_stream')],
      ]);
      expect(resultsOf(outcomes[0]).map((r) => r.nextRevision)).toEqual([0n, 1n]);
      expect(outcomes[1]).toBeInstanceOf(WrongExpectedVersionError);
      expect(outcomes[1]).toMatchObject({ streamId: d, expected: 5n, actual: 1n });
      // e was not written by the refused group, so the third group finds no stream.
      expect(resultsOf(outcomes[2]).map((r) => r.nextRevision)).toEqual([0n]);
      expect(await store().streamRevision(c)).toBe('no_stream');
      expect(await store().streamRevision(d)).toBe(1n);
      expect(await store().readStream(e)).toHaveLength(1);

      // A conflict on the first append refuses the second one too, whose stream does not exist.
      const [outcome] = await appendGroups([
        [request(a, someEvents(1), 'no_stream'), request(newStream(), someEvents(1))],
      ]);
      expect(outcome).toMatchObject({ streamId: a, expected: 'no_stream', actual: 0n });
      expect(await store().streamRevision(a)).toBe(0n);
    },
  );

  groupsIt(
    'a group written in part before is an IdempotencyViolationError and writes nothing',
    async (appendGroups) => {
      const [a, b, c] = [newStream(), newStream(), newStream()];
      const [x, y] = someEvents(2);
      const written = await store().append(a, [x], 'no_stream');
      // One append of the group is a retry, the other new.
      const [partly] = await appendGroups([
        [request(a, [x], 'no_stream'), request(b, someEvents(1), 'no_stream')],
      ]);
      expect(partly).toBeInstanceOf(IdempotencyViolationError);
      // One append of the group overlaps its first write partly.
      const [overlapping] = await appendGroups([
        [request(c, someEvents(1)), request(a, [x, y], 'any')],
      ]);
      expect(overlapping).toBeInstanceOf(IdempotencyViolationError);
      expect(await store().streamRevision(b)).toBe('no_stream');
      expect(await store().streamRevision(c)).toBe('no_stream');
      expect(await store().readStream(a)).toEqual([
        expect.objectContaining({ id: x.id, position: written.position }),
      ]);
    },
  );

  groupsIt(
    'an event id that another stream uses fails its group only, the rest of the call is written',
    async (appendGroups) => {
      const streams = Array.from({ length: 9 }, () => newStream());
      const [a, b, c, d, e, f, g, h, i] = streams as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const [before] = someEvents(1);
      await store().append(h, [before], 'no_stream');
      const [first, reused, own] = someEvents(3);
      const outcomes = await appendGroups([
        [request(a, [first], 'no_stream'), request(b, someEvents(1), 'no_stream')],
        // The same id in two appends of one group.
        [request(c, [reused], 'no_stream'), request(d, [reused], 'no_stream')],
        // An id an earlier group of the same call writes to another stream.
        [request(e, someEvents(1), 'no_stream'), request(f, [first], 'no_stream')],
        // An id written to another stream before the call.
        [request(g, [own], 'no_stream'), request(i, [before], 'no_stream')],
        [request(i, someEvents(2), 'no_stream')],
      ]);
      expect(resultsOf(outcomes[0]).map((r) => r.nextRevision)).toEqual([0n, 0n]);
      for (const refused of outcomes.slice(1, 4))
        expect(refused).toBeInstanceOf(IdempotencyViolationError);
      expect(resultsOf(outcomes[4]).map((r) => r.nextRevision)).toEqual([1n]);
      expect(
        await Promise.all([c, d, e, f, g].map((stream) => store().streamRevision(stream))),
      ).toEqual(['no_stream', 'no_stream', 'no_stream', 'no_stream', 'no_stream']);
      // Each written append answers with its own last event.
      const lastOf = async (stream: string) =>
        must((await store().readStream(stream)).at(-1), 'last event').position;
      expect(resultsOf(outcomes[0]).map((r) => r.position)).toEqual([
        await lastOf(a),
        await lastOf(b),
      ]);
      expect(resultsOf(outcomes[4])[0]?.position).toEqual(await lastOf(i));
      expect(ids(await store().readStream(h))).toEqual([before.id]);
    },
  );

  groupsIt('refuses a malformed group before writing anything', async (appendGroups) => {
    const valid = [request(newStream(), someEvents(1), 'no_stream')];
    const stream = newStream();
    const malformed: AppendRequest[][] = [
      [],
      [request(stream, someEvents(1)), request(stream, someEvents(1))],
      Array.from({ length: MAX_STREAMS_PER_GROUP + 1 }, () => request(newStream(), someEvents(1))),
      [
        request(newStream(), someEvents(MAX_EVENTS_PER_APPEND / 2)),
        request(newStream(), someEvents(MAX_EVENTS_PER_APPEND / 2 + 1)),
      ],
      [request(newStream(), [{ id: 'not-a-uuid', type: 'Happened', data: {} }])],
    ];
    for (const group of malformed) {
      await expect(appendGroups([valid, group])).rejects.toThrow(InvalidAppendError);
    }
    const written = [valid, ...malformed].flat().map((r) => r.streamId);
    const revisions = await Promise.all(written.map((s) => store().streamRevision(s)));
    expect(revisions.every((r) => r === 'no_stream')).toBe(true);
    // The largest group that is well formed is written.
    const largest = Array.from({ length: MAX_STREAMS_PER_GROUP }, (_, n) =>
      request(newStream(), someEvents(n === 0 ? MAX_EVENTS_PER_APPEND - 15 : 1)),
    );
    const [outcome] = await appendGroups([largest]);
    expect(resultsOf(outcome)).toHaveLength(MAX_STREAMS_PER_GROUP);
    expect(await appendGroups([])).toEqual([]);
  });
}
