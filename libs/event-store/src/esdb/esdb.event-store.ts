import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
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
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamRevision,
} from '../event-store.port';
import { MAX_EVENTS_PER_APPEND, validateAppendRequest } from '../append-request';
import { readLimit } from '../read-limit';

/** Streams appended to at once by one appendMany; the rest wait their turn. */
const MAX_PARALLEL_STREAMS = 32;
/** Pages of `$` system events readAll skips in one call before returning what it has. */
const MAX_SYSTEM_PAGES = 100;
/** headPosition reads backwards in pages this small: the newest event is nearly always the ledger's own. */
const HEAD_SCAN_PAGE = 100;

/**
 * The event store on EventStoreDB. Its own semantics are the port's; this
 * adapter translates names, skips the server's `$` system events in the global
 * log, and turns a partly repeated append (which the server reports as a
 * version conflict) into an IdempotencyViolationError.
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
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEsdbEvent), {
        expectedRevision: toEsdbExpected(expected),
      });
      const position = result.position
        ? fromEsdbPosition(result.position)
        : await this.positionOf(streamId, result.nextExpectedRevision);
      return { nextRevision: result.nextExpectedRevision, position };
    } catch (error) {
      throw await this.appendError(error, streamId, events, expected);
    }
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
        for (const i of queue) outcomes[i] = await this.appendOutcome(requests[i]);
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
      if (fresh.length === 0 || raw.length <= maxCount) break;
      cursor = fromEsdbPosition(raw[raw.length - 1].position);
    }
    return events.slice(0, maxCount);
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
      if (raw.length < HEAD_SCAN_PAGE) return START;
      cursor = fromEsdbPosition(raw[raw.length - 1].position);
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
   * it is an overlap, as the port names it.
   */
  private async appendError(
    error: unknown,
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<unknown> {
    if (!(error instanceof EsdbWrongExpectedVersionError)) return error;
    const recent = await collect(
      this.client.readStream(streamId, {
        fromRevision: END,
        direction: BACKWARDS,
        maxCount: MAX_EVENTS_PER_APPEND,
      }),
      (r) => r.event?.id,
    ).catch(() => [] as string[]);
    const ids = new Set(events.map((e) => e.id.toLowerCase()));
    if (recent.some((id) => ids.has(id.toLowerCase()))) {
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

  private async positionOf(streamId: string, revision: bigint): Promise<Position> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? START;
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function toEsdbEvent(event: EventData) {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as JSONType,
    metadata: (event.metadata ?? {}) as JSONType,
  });
}

interface EsdbRecorded {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { commit: bigint; prepare: bigint };
}

function fromEsdbEvent(event: EsdbRecorded): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position: event.position ? fromEsdbPosition(event.position) : START,
    data: event.data as Record<string, unknown>,
    metadata: (event.metadata ?? {}) as EventMetadata,
    createdAt: event.created,
  };
}

function fromEsdbPosition(p: { commit: bigint; prepare: bigint }): Position {
  return { commit: p.commit, prepare: p.prepare };
}

function toEsdbPosition(p: Position): typeof ESDB_START | { commit: bigint; prepare: bigint } {
  return p.commit < 0n ? ESDB_START : { commit: p.commit, prepare: p.prepare };
}

/** The server's own bookkeeping ($stats, $settings, $metadata, …) is not part of the ledger's log. */
function isSystemEvent(event: EsdbRecorded): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Drains a streaming read; a stream that does not exist reads as empty. */
async function collect<E extends ResolvedEvent | AllStreamResolvedEvent, T>(
  read: AsyncIterable<E>,
  map: (resolved: E) => T | undefined,
): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const resolved of read) {
      const value = map(resolved);
      if (value !== undefined) out.push(value);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return out;
    throw error;
  }
  return out;
}
