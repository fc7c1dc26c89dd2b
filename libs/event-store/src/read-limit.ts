import {
  MAX_READ_COUNT,
  MAX_STREAMS_PER_READ,
  type EventStore,
  type ReadStreamsRequest,
  type RecordedEvent,
} from './event-store.port';

/** A read's page size: `maxCount` when given (0 is allowed), never more than MAX_READ_COUNT. */
export function readLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return MAX_READ_COUNT;
  if (!Number.isInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a whole number ≥ 0, got ${maxCount}`);
  }
  return Math.min(maxCount, MAX_READ_COUNT);
}

/** Each request's page size, once the call as a whole is checked against the port's limits. */
export function readStreamsLimits(requests: readonly ReadStreamsRequest[]): number[] {
  if (requests.length > MAX_STREAMS_PER_READ) {
    throw new RangeError(
      `readStreams takes at most ${MAX_STREAMS_PER_READ} streams, got ${requests.length}`,
    );
  }
  const limits = requests.map((r) => readLimit(r.maxCount));
  const total = limits.reduce((sum, limit) => sum + limit, 0);
  if (total > MAX_READ_COUNT) {
    throw new RangeError(
      `readStreams returns at most ${MAX_READ_COUNT} events in all; the requests' maxCount add up to ${total}`,
    );
  }
  return limits;
}

/** `readStreams` for an adapter without a batched read: one `readStream` per request, concurrently. */
export async function readEachStream(
  store: Pick<EventStore, 'readStream'>,
  requests: readonly ReadStreamsRequest[],
): Promise<RecordedEvent[][]> {
  // Checked inside the async function, so that a refusal is a rejection, as on every adapter.
  const limits = readStreamsLimits(requests);
  return Promise.all(
    requests.map(({ streamId, fromRevision }, i) =>
      store.readStream(streamId, { fromRevision, maxCount: limits[i] }),
    ),
  );
}
