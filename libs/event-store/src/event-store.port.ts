/**
 * The event store port. Every adapter (EventStoreDB, Postgres, PGlite) has
 * EventStoreDB's semantics, proven by one shared contract suite
 * (`event-store.contract.ts`):
 *
 * - Stream revisions count from 0; a stream with no events is "no stream".
 * - An append states what it expects (`any`, `no_stream`, `stream_exists` or an
 *   exact revision); a mismatch is a `WrongExpectedVersionError`.
 * - Every event carries an id. Retrying an append with the same event ids and
 *   the same expectation returns the first result and writes nothing; a retry
 *   that overlaps only partly is an `IdempotencyViolationError`.
 * - Appends to one stream are atomic.
 * - Reading the global log forwards from a position never skips an event, even
 *   when writers commit out of order.
 * - Nothing is ever updated or deleted.
 * - Every event carries its stream's chain hash (hash-chain.ts), identical
 *   whichever adapter wrote it.
 */

/** What an append expects of the stream. A bigint is the exact current revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** The revision a stream has: the last event's revision, or `no_stream`. */
export type StreamRevision = bigint | 'no_stream';

/**
 * A position in the global log. It mirrors EventStoreDB's (commit, prepare)
 * pair; on Postgres `commit` is the writing transaction's id and `prepare` the
 * event's sequence number. Positions are totally ordered by (commit, prepare),
 * which is the order `readAll` returns events in.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START: Position = Object.freeze({ commit: -1n, prepare: -1n });

export interface EventMetadata {
  /** The request or process that this event belongs to, across every stream it touched. */
  readonly correlationId?: string;
  /** The command or event that directly caused this event. */
  readonly causationId?: string;
  readonly [key: string]: unknown;
}

/** An event to append. `id` must be a UUID, derived from the command id so that a retry reproduces it. */
export interface EventData<T extends string = string, D = Record<string, unknown>> {
  readonly id: string;
  readonly type: T;
  readonly data: D;
  readonly metadata?: EventMetadata;
}

export interface RecordedEvent<T extends string = string, D = Record<string, unknown>> {
  readonly id: string;
  readonly streamId: string;
  readonly type: T;
  readonly revision: bigint;
  readonly position: Position;
  readonly data: D;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
  /**
   * The event's link in its stream's hash chain (hash-chain.ts): lower-case
   * hex SHA-256. Absent only for events written before the chain existed.
   */
  readonly hash?: string;
}

export interface AppendResult {
  /** The stream's revision after the append: the revision of its last event. */
  readonly nextRevision: bigint;
  /** The global position of the append's last event. */
  readonly position: Position;
}

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly EventData[];
  readonly expected: ExpectedRevision;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Defaults to 0. */
  readonly fromRevision?: bigint;
  /** At most this many events. Defaults to `MAX_READ_COUNT`. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position. Defaults to the start of the log. */
  readonly after?: Position;
  /** At most this many events. Defaults to `MAX_READ_COUNT`. */
  readonly maxCount?: number;
}

/** Upper bound on one read, so no caller can ask an adapter to buffer the whole log. */
export const MAX_READ_COUNT = 10_000;

/** One stream's part of a `readStreams` call. */
export interface ReadStreamsRequest extends ReadStreamOptions {
  readonly streamId: string;
}

/**
 * Most streams in one `readStreams` call, and most events it returns in all:
 * the sum of the requests' `maxCount` (each at most `MAX_READ_COUNT`, its
 * default) may not exceed `MAX_READ_COUNT`, so one call buffers no more than
 * one `readStream` does.
 */
export const MAX_STREAMS_PER_READ = 256;

export interface EventStore {
  /**
   * Appends events to one stream, atomically.
   * @throws WrongExpectedVersionError when the stream is not where `expected` says.
   * @throws IdempotencyViolationError when some, not all, of the event ids were already written.
   */
  append(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;

  /**
   * Appends to several streams in as few round trips as the adapter can. Each
   * request keeps its own outcome: one conflict does not fail the others.
   * The returned array is in the order of `requests`.
   */
  appendMany(requests: readonly AppendRequest[]): Promise<Array<AppendResult | AppendError>>;

  /**
   * Writes each group of appends whole or not at all: every request of a
   * group is decided (its expectation, a retry of events already written)
   * and, only when all of them would be written, all are, in one
   * transaction; otherwise none is and the group's outcome is the first
   * member's error. Groups of one call are decided in order, each seeing
   * what the groups before it wrote, and one group's failure does not fail
   * the others, as with `appendMany`. A group retried whole returns the
   * first results; a group some but not all of whose requests were written
   * before is an `IdempotencyViolationError`. A group names each stream at
   * most once, has at most `MAX_STREAMS_PER_GROUP` requests and at most
   * `MAX_EVENTS_PER_APPEND` events in all.
   *
   * Present only on adapters that can commit several streams in one
   * transaction (the SQL ones and the in-memory one); EventStoreDB's append
   * is one stream's, so its adapter has none and callers take a path of
   * single-stream appends instead.
   * @throws InvalidAppendError (before writing anything) when any group is malformed.
   */
  appendGroups?(
    groups: readonly (readonly AppendRequest[])[],
  ): Promise<Array<AppendResult[] | AppendError>>;

  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Several `readStream`s at once, in as few round trips as the adapter can
   * (one on the SQL adapters; `readEachStream` for one without a batched
   * read). The answer is in the order of `requests`, one array per request,
   * each exactly what `readStream` with the same options returns.
   * @throws RangeError beyond `MAX_STREAMS_PER_READ` requests or `MAX_READ_COUNT` events in all.
   */
  readStreams(requests: readonly ReadStreamsRequest[]): Promise<RecordedEvent[][]>;

  /** The current revision of a stream, or `no_stream`. */
  streamRevision(streamId: string): Promise<StreamRevision>;

  /**
   * Events of all streams strictly after `options.after`, in global order.
   * Never skips an event: an event that is not returned now is returned by a
   * later call from the same position.
   */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The position of the last event that `readAll` can return now, or `START` for an empty log. */
  headPosition(): Promise<Position>;

  /**
   * The position of the last event that committed, or `START`. It may be
   * ahead of `headPosition()` on a store whose global log waits for older
   * open transactions (the SQL store); a client answered for a write can
   * always wait for this position to become readable.
   */
  lastCommittedPosition(): Promise<Position>;

  close(): Promise<void>;
}

export type AppendError = WrongExpectedVersionError | IdempotencyViolationError;

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: StreamRevision,
  ) {
    super(`Stream ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

export class IdempotencyViolationError extends Error {
  override readonly name = 'IdempotencyViolationError';
  constructor(
    readonly streamId: string,
    readonly detail: string,
  ) {
    super(`Stream ${streamId}: ${detail}`);
  }
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Positions travel over HTTP and into checkpoints as `commit.prepare`, both decimal. */
export function formatPosition(p: Position): string {
  return `${p.commit}.${p.prepare}`;
}

const POSITION_PATTERN = /^(-1|\d{1,20})\.(-1|\d{1,20})$/;

/** Parses `formatPosition`'s output; returns undefined for anything else. */
export function parsePosition(text: string): Position | undefined {
  const match = POSITION_PATTERN.exec(text);
  const [, commit, prepare] = match ?? [];
  if (commit === undefined || prepare === undefined) return undefined;
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}
