import { must } from '@ledger/invariant';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  IdempotencyViolationError,
  START,
  WrongExpectedVersionError,
  comparePositions,
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamsRequest,
  type RecordedEvent,
  type StreamRevision,
} from '../event-store.port';
import { MAX_EVENTS_PER_APPEND, validateAppendRequest } from '../append-request';
import { readEachStream, readLimit } from '../read-limit';
import {
  collect,
  fromEsdbEvent,
  fromEsdbPosition,
  isSystemEvent,
  toEsdbEvent,
  toEsdbExpected,
  toEsdbPosition,
} from './esdb.mapping';
import { chainEvents, chainPointAfter } from './esdb.chain';

/** Streams appended to at once by one appendMany; the rest wait their turn. */
const MAX_PARALLEL_STREAMS = 32;
/** Pages of `$` system events readAll skips in one call before returning what it has. */
const MAX_SYSTEM_PAGES = 100;
/** headPosition reads backwards in pages this small: the newest event is nearly always the ledger's own. */
const HEAD_SCAN_PAGE = 100;
/** Head reads and appends an `any` append tries before a busy stream's conflict is the caller's. */
const MAX_CHAIN_ATTEMPTS = 8;

/**
 * The event store on EventStoreDB. Its own semantics are the port's; this
 * adapter translates names, skips the server's `$` system events in the global
 * log, and turns a partly repeated append (which the server reports as a
 * version conflict) into an IdempotencyViolationError.
 * No `appendGroups`: the server commits one stream per append, never several together.
 */
export class EsdbEventStore implements EventStore {
  constructor(private readonly client: EventStoreDBClient) {}

  static connect(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async append(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    validateAppendRequest({ streamId, events, expected });
    for (let attempt = 1; ; attempt++) {
      const point = chainPointAfter(await this.chainHead(streamId, expected), expected);
      try {
        const result = await this.client.appendToStream(
          streamId,
          chainEvents(streamId, events, point).map(toEsdbEvent),
          { expectedRevision: toEsdbExpected(point.expected) },
        );
        const position = result.position
          ? fromEsdbPosition(result.position)
          : await this.positionOf(streamId, result.nextExpectedRevision);
        return { nextRevision: result.nextExpectedRevision, position };
      } catch (error) {
        const failure = await this.appendError(error, streamId, events, expected);
        // Another writer moved the head between the read and the append:
        // the caller's `any` or `stream_exists` still holds, so join the chain again.
        const overtaken =
          failure instanceof WrongExpectedVersionError &&
          point.expected !== expected &&
          attempt < MAX_CHAIN_ATTEMPTS;
        if (!overtaken) throw failure;
      }
    }
  }

  /**
   * The event an append follows: the one at the expected revision, or the
   * stream's last one for `any` and `stream_exists`. A retry of an earlier
   * append finds the same event, so it sends the same hashes.
   */
  private async chainHead(
    streamId: string,
    expected: ExpectedRevision,
  ): Promise<RecordedEvent | undefined> {
    if (expected === 'no_stream') return undefined;
    if (typeof expected === 'bigint') {
      const [event] = await this.readStream(streamId, { fromRevision: expected, maxCount: 1 });
      return event?.revision === expected ? event : undefined;
    }
    const [last] = await collect(
      this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }),
      (r) => (r.event ? fromEsdbEvent(r.event) : undefined),
    );
    return last;
  }

  /**
   * EventStoreDB has no multi-stream transaction: the requests run as
   * separate appends, streams in parallel, requests to one stream in order.
   * Rejects only for an outage; conflicts and overlaps are per-request outcomes.
   */
  async appendMany(requests: readonly AppendRequest[]): Promise<Array<AppendResult | AppendError>> {
    requests.forEach(validateAppendRequest);
    const outcomes = new Array<AppendResult | AppendError>(requests.length);
    const byStream = new Map<string, number[]>();
    requests.forEach((r, i) => {
      const queue = byStream.get(r.streamId);
      if (queue) queue.push(i);
      else byStream.set(r.streamId, [i]);
    });
    const queues = [...byStream.values()];
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const i of queue) outcomes[i] = await this.appendOutcome(must(requests[i], 'request'));
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(MAX_PARALLEL_STREAMS, queues.length) }, worker),
    );
    return outcomes;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = readLimit(options.maxCount);
    if (maxCount === 0) return [];
    const read = this.client.readStream(streamId, {
      fromRevision: options.fromRevision ?? ESDB_START,
      maxCount,
      direction: FORWARDS,
    });
    return collect(read, (resolved) =>
      resolved.event ? fromEsdbEvent(resolved.event) : undefined,
    );
  }

  /** EventStoreDB has no read of several streams in one call: one read each, concurrently. */
  readStreams(requests: readonly ReadStreamsRequest[]): Promise<RecordedEvent[][]> {
    return readEachStream(this, requests);
  }

  async streamRevision(streamId: string): Promise<StreamRevision> {
    const [last] = await collect(
      this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }),
      (r) => r.event,
    );
    return last ? last.revision : 'no_stream';
  }

  /** EventStoreDB reads $all from a position inclusively: the event at `after` itself is dropped here. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = readLimit(options.maxCount);
    const after = options.after ?? START;
    const events: RecordedEvent[] = [];
    let cursor = after;
    for (let page = 0; maxCount > 0 && events.length === 0 && page < MAX_SYSTEM_PAGES; page++) {
      const raw = await collect(
        this.client.readAll({
          fromPosition: toEsdbPosition(cursor),
          maxCount: maxCount + 1,
          direction: FORWARDS,
        }),
        (r) => r.event,
      );
      const fresh = raw.filter((e) => comparePositions(fromEsdbPosition(e.position), after) > 0);
      events.push(...fresh.filter((e) => !isSystemEvent(e)).map((e) => fromEsdbEvent(e)));
      const last = raw.at(-1);
      if (fresh.length === 0 || raw.length <= maxCount || !last) break;
      cursor = fromEsdbPosition(last.position);
    }
    return events.slice(0, maxCount);
  }

  /** EventStoreDB shows an event in `$all` as soon as it is written: the head is the last committed event. */
  lastCommittedPosition(): Promise<Position> {
    return this.headPosition();
  }

  async headPosition(): Promise<Position> {
    let cursor: Position | typeof END = END;
    for (let page = 0; page < MAX_SYSTEM_PAGES; page++) {
      const raw = await collect(
        this.client.readAll({
          fromPosition: cursor === END ? END : toEsdbPosition(cursor),
          maxCount: HEAD_SCAN_PAGE,
          direction: BACKWARDS,
        }),
        (r) => r.event,
      );
      const user = raw.find((e) => !isSystemEvent(e));
      if (user) return fromEsdbPosition(user.position);
      const last = raw.at(-1);
      if (raw.length < HEAD_SCAN_PAGE || !last) return START;
      cursor = fromEsdbPosition(last.position);
    }
    return START;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async appendOutcome(request: AppendRequest): Promise<AppendResult | AppendError> {
    try {
      return await this.append(request.streamId, request.events, request.expected);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || error instanceof IdempotencyViolationError)
        return error;
      throw error;
    }
  }

  /**
   * The server reports a retry that repeats only some of the first append's
   * events as a version conflict. If any of the ids is already in the stream,
   * it is an overlap, as the port names it. The ids are looked for among the
   * stream's newest events and, for an exact expectation, at the revisions
   * the append would have had, which is where the server compares them: a
   * retry may come after the stream has moved on by more than one append.
   */
  private async appendError(
    error: unknown,
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<unknown> {
    if (!(error instanceof EsdbWrongExpectedVersionError)) return error;
    const ids = new Set(events.map((e) => e.id.toLowerCase()));
    const known = (found: string[]) => found.some((id) => ids.has(id.toLowerCase()));
    const recent = await this.idsFrom(streamId, END, BACKWARDS, MAX_EVENTS_PER_APPEND);
    const at =
      expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : undefined;
    if (
      known(recent) ||
      (at !== undefined && known(await this.idsFrom(streamId, at, FORWARDS, events.length)))
    ) {
      return new IdempotencyViolationError(
        streamId,
        'some of the event ids were written before, not all',
      );
    }
    const actual = error.actualVersion;
    return new WrongExpectedVersionError(
      streamId,
      expected,
      actual === NO_STREAM ? 'no_stream' : actual,
    );
  }

  /** Event ids of a stream from a revision; none when the read fails, so that the conflict is still reported. */
  private idsFrom(
    streamId: string,
    fromRevision: bigint | typeof END,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<string[]> {
    return collect(
      this.client.readStream(streamId, { fromRevision, direction, maxCount }),
      (r) => r.event?.id,
    ).catch(() => [] as string[]);
  }

  private async positionOf(streamId: string, revision: bigint): Promise<Position> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? START;
  }
}
