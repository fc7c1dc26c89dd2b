import {
  MAX_READ_COUNT,
  MAX_STREAMS_PER_READ,
  type EventStore,
  type ReadStreamsRequest,
} from './event-store.port';
import { newStream, someEvents } from './contract-events';

/** `readStreams`: the same answers as one `readStream` per request, in request order. */
export function readStreamsContract(store: () => EventStore): void {
  describe('readStreams', () => {
    it('answers each request as readStream would, in request order', async () => {
      const [a, b, missing] = [newStream(), newStream(), newStream()];
      await store().append(a, someEvents(5), 'no_stream');
      await store().append(b, someEvents(3), 'no_stream');
      const requests: ReadStreamsRequest[] = [
        { streamId: b, maxCount: 100 },
        { streamId: missing, maxCount: 100 },
        { streamId: a, fromRevision: 2n, maxCount: 2 },
        // The same stream twice: each request gets its own answer.
        { streamId: b, fromRevision: 1n, maxCount: 100 },
        { streamId: a, fromRevision: 5n, maxCount: 100 },
        { streamId: a, maxCount: 0 },
      ];
      const answers = await store().readStreams(requests);
      const expected = await Promise.all(
        requests.map(({ streamId, ...options }) => store().readStream(streamId, options)),
      );
      expect(answers).toEqual(expected);
      expect(answers.map((events) => events.map((e) => `${e.streamId}@${e.revision}`))).toEqual([
        [`${b}@0`, `${b}@1`, `${b}@2`],
        [],
        [`${a}@2`, `${a}@3`],
        [`${b}@1`, `${b}@2`],
        [],
        [],
      ]);
    });

    it('answers no requests with no answers', async () => {
      expect(await store().readStreams([])).toEqual([]);
    });

    it('refuses more streams or events than one read may return, before reading', async () => {
      const many = Array.from({ length: MAX_STREAMS_PER_READ + 1 }, () => ({
        streamId: newStream(),
        maxCount: 1,
      }));
      await expect(store().readStreams(many)).rejects.toThrow(RangeError);
      const large = [{ streamId: newStream() }, { streamId: newStream(), maxCount: 1 }];
      // The first request defaults to MAX_READ_COUNT, so the second is one event too many.
      await expect(store().readStreams(large)).rejects.toThrow(
        new RegExp(`at most ${MAX_READ_COUNT} events`),
      );
    });
  });
}
