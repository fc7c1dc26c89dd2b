import { must } from '@ledger/invariant';
import {
  comparePositions,
  eventHash,
  GENESIS_HASH,
  IdempotencyViolationError,
  MAX_READ_COUNT,
  readEachStream,
  START,
  validateAppendGroup,
  WrongExpectedVersionError,
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
} from '@ledger/event-store';

/**
 * An event store in memory, for pure tests of code above the port (command
 * path, deciders, sagas). It keeps the port's semantics; the SQL and
 * EventStoreDB adapters are proven by the contract suite.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  /** Appends seen by the store, for tests that count round trips. */
  appendCalls = 0;
  /** Events returned by readStream, for tests that count replays. */
  streamEventsRead = 0;
  /** Calls of readStreams (each one round trip on the SQL adapters). */
  readStreamsCalls = 0;

  async append(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    this.appendCalls++;
    return this.appendNow(streamId, events, expected);
  }

  async appendMany(requests: readonly AppendRequest[]): Promise<Array<AppendResult | AppendError>> {
    this.appendCalls++;
    return requests.map((r) => {
      try {
        return this.appendNow(r.streamId, r.events, r.expected);
      } catch (error) {
        if (
          error instanceof WrongExpectedVersionError ||
          error instanceof IdempotencyViolationError
        )
          return error;
        throw error;
      }
    });
  }

  /**
   * Each group decided whole, as on the SQL adapters: every member is
   * checked (a retry, an overlap, its expectation) before any is written,
   * and a group's events share one commit (the first one's sequence number).
   */
  async appendGroups(
    groups: readonly (readonly AppendRequest[])[],
  ): Promise<Array<AppendResult[] | AppendError>> {
    this.appendCalls++;
    groups.forEach(validateAppendGroup);
    return groups.map((group) => this.appendGroupNow(group));
  }

  private appendGroupNow(group: readonly AppendRequest[]): AppendResult[] | AppendError {
    const decisions = group.map((r) => this.decide(r.streamId, r.events, r.expected));
    const retries = decisions.filter((d) => d.kind === 'retry');
    if (retries.length === group.length) return retries.map((d) => d.result);
    const first = must(group[0], 'first member of the group');
    if (retries.length > 0) {
      return new IdempotencyViolationError(
        first.streamId,
        "some of the group's appends were written before, not all",
      );
    }
    const refused = decisions.find((d) => d.kind === 'refused');
    if (refused) return refused.error;
    const ids = new Set<string>();
    for (const { events } of group) {
      for (const { id } of events) {
        if (ids.has(id)) {
          return new IdempotencyViolationError(
            first.streamId,
            'an event id is used by two appends of the group',
          );
        }
        ids.add(id);
      }
    }
    const commit = BigInt(this.log.length);
    return group.map((r) => this.write(r.streamId, r.events, commit));
  }

  /** What an append would do now, without doing it. */
  private decide(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ):
    | { kind: 'retry'; result: AppendResult }
    | { kind: 'refused'; error: AppendError }
    | { kind: 'write' } {
    const stream = this.streams.get(streamId) ?? [];
    const existing = events.map((e) => this.byId.get(e.id));
    if (existing.every((e) => e && e.streamId === streamId) && existing.length > 0) {
      const last = existing[existing.length - 1]!;
      return { kind: 'retry', result: { nextRevision: last.revision, position: last.position } };
    }
    if (existing.some((e) => e !== undefined)) {
      return {
        kind: 'refused',
        error: new IdempotencyViolationError(streamId, 'some event ids were already written'),
      };
    }
    const actual: StreamRevision = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === 'no_stream') ||
      (expected === 'stream_exists' && actual !== 'no_stream') ||
      (typeof expected === 'bigint' && actual === expected);
    if (!ok)
      return { kind: 'refused', error: new WrongExpectedVersionError(streamId, expected, actual) };
    return { kind: 'write' };
  }

  private appendNow(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): AppendResult {
    const decision = this.decide(streamId, events, expected);
    if (decision.kind === 'retry') return decision.result;
    if (decision.kind === 'refused') throw decision.error;
    return this.write(streamId, events);
  }

  /** Writes the events; each its own commit unless `commit` (a group's) is given. */
  private write(streamId: string, events: readonly EventData[], commit?: bigint): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
    for (const e of events) {
      const seq = BigInt(this.log.length);
      const revision = BigInt(stream.length);
      const previous = stream.at(-1)?.hash ?? GENESIS_HASH;
      const recorded: RecordedEvent = {
        id: e.id,
        streamId,
        type: e.type,
        revision,
        position: { commit: commit ?? seq, prepare: seq },
        data: structuredClone(e.data),
        metadata: { ...(e.metadata ?? {}) },
        createdAt: new Date(),
        hash: eventHash(previous, streamId, revision, e),
      };
      stream.push(recorded);
      this.log.push(recorded);
      this.byId.set(e.id, recorded);
    }
    this.streams.set(streamId, stream);
    const last = must(stream.at(-1), 'last event of the stream');
    return { nextRevision: last.revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = Number(options.fromRevision ?? 0n);
    const page = (this.streams.get(streamId) ?? []).slice(
      from,
      from + (options.maxCount ?? MAX_READ_COUNT),
    );
    this.streamEventsRead += page.length;
    return page;
  }

  /** One call however many streams, as on the SQL adapters; counted in `readStreamsCalls`. */
  async readStreams(requests: readonly ReadStreamsRequest[]): Promise<RecordedEvent[][]> {
    this.readStreamsCalls++;
    return readEachStream(this, requests);
  }

  async streamRevision(streamId: string): Promise<StreamRevision> {
    const stream = this.streams.get(streamId);
    return stream && stream.length > 0 ? BigInt(stream.length - 1) : 'no_stream';
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const start = this.log.findIndex((e) => comparePositions(e.position, after) > 0);
    return start < 0 ? [] : this.log.slice(start, start + (options.maxCount ?? MAX_READ_COUNT));
  }

  async headPosition(): Promise<Position> {
    return this.log.at(-1)?.position ?? START;
  }

  /** Appends are visible the moment they commit: the head is the last committed event. */
  lastCommittedPosition(): Promise<Position> {
    return this.headPosition();
  }

  async close(): Promise<void> {}
}
