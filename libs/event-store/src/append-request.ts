import type { AppendRequest } from './event-store.port';

/** Most events in one append; a larger decision is a bug, not a workload. */
export const MAX_EVENTS_PER_APPEND = 1_000;

/** Longest stream id: ids are `<kind>-<uuid>`-like, far below this. */
export const MAX_STREAM_ID_LENGTH = 512;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An append that no store could accept: a caller's bug, thrown before
 * anything of the call is written (never returned as a per-request outcome).
 */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Append to ${JSON.stringify(streamId)} is invalid: ${reason}`);
  }
}

/** Checks what every adapter requires of an append, so they all refuse the same inputs. */
export function validateAppendRequest({ streamId, events, expected }: AppendRequest): void {
  const invalid = (reason: string) => new InvalidAppendError(streamId, reason);
  if (typeof streamId !== 'string' || streamId === '' || streamId.length > MAX_STREAM_ID_LENGTH) {
    throw invalid(`the stream id must be 1 to ${MAX_STREAM_ID_LENGTH} characters`);
  }
  if (streamId.startsWith('$'))
    throw invalid('stream ids starting with $ are reserved for the store');
  if (events.length === 0) throw invalid('an append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND)
    throw invalid(`more than ${MAX_EVENTS_PER_APPEND} events`);
  if (typeof expected === 'bigint' && expected < 0n)
    throw invalid('an exact expected revision is 0 or more');
  const ids = new Set<string>();
  for (const event of events) {
    if (!UUID_PATTERN.test(event.id))
      throw invalid(`event id ${JSON.stringify(event.id)} is not a UUID`);
    const id = event.id.toLowerCase();
    if (ids.has(id)) throw invalid(`event id ${id} appears twice`);
    ids.add(id);
    if (typeof event.type !== 'string' || event.type === '')
      throw invalid('every event needs a type');
  }
}

/** Most appends (so most streams) in one group of `appendGroups`. */
export const MAX_STREAMS_PER_GROUP = 16;

/**
 * Checks what every adapter requires of a group of `appendGroups`: each
 * request as `validateAppendRequest` does, at least one request, each stream
 * named once, at most `MAX_STREAMS_PER_GROUP` requests and at most
 * `MAX_EVENTS_PER_APPEND` events in all (a group is one decision, as large
 * as one append may be).
 */
export function validateAppendGroup(group: readonly AppendRequest[]): void {
  const [first] = group;
  if (first === undefined) throw new InvalidAppendError('', 'a group needs at least one append');
  if (group.length > MAX_STREAMS_PER_GROUP) {
    throw new InvalidAppendError(
      first.streamId,
      `a group has at most ${MAX_STREAMS_PER_GROUP} appends`,
    );
  }
  const streams = new Set<string>();
  let events = 0;
  for (const request of group) {
    validateAppendRequest(request);
    if (streams.has(request.streamId)) {
      throw new InvalidAppendError(request.streamId, 'a group names each stream at most once');
    }
    streams.add(request.streamId);
    events += request.events.length;
  }
  if (events > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendError(
      first.streamId,
      `a group has at most ${MAX_EVENTS_PER_APPEND} events in all`,
    );
  }
}
