import { must } from '@ledger/invariant';
/**
 * The storage and write rules of the EventStoreDB stand-in (esdb.stand-in.ts),
 * in memory. It follows the single-node server: every event is its own log
 * record, so an event's position in `$all` is (its log position, its log
 * position); an append answers with the position of its last event; and the
 * expected-revision check, the idempotency check and the `$all` read bounds
 * are the server's, as docs/adr/0001-event-store-port.md describes.
 */

/** What an append expects. `-1n` is EventStoreDB's "no stream". */
export type StandInExpected = 'any' | 'stream_exists' | bigint;

export interface StandInProposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface StandInRecord extends StandInProposed {
  readonly streamId: string;
  readonly revision: bigint;
  readonly logPosition: bigint;
  /** The log position just after this record: where a backwards read that excludes it starts. */
  readonly postPosition: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server stores `created`. */
  readonly createdTicks: bigint;
}

export type StandInAppendOutcome =
  | { readonly kind: 'success'; readonly revision: bigint; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly current: bigint };

export type ReadFrom = 'start' | 'end' | bigint;
export type AllFrom = 'start' | 'end' | { readonly commit: bigint; readonly prepare: bigint };

/** Bytes of framing the server's log adds around each record's payload; positions are byte offsets. */
const RECORD_OVERHEAD = 90n;
/** Ids the stand-in remembers for `any` and `stream_exists` retries, like the server's recent-commit cache. */
const DEFAULT_IDEMPOTENCY_WINDOW = 10_000;
/** The first log record of a fresh database is an epoch record, which reads never return. */
const EPOCH_RECORD_SIZE = 128n;

export class StandInLog {
  private readonly records: StandInRecord[] = [];
  private readonly streams = new Map<string, StandInRecord[]>();
  /** Recently committed events by id, oldest first, evicted past the window. */
  private readonly recent = new Map<string, StandInRecord>();
  private nextPosition = EPOCH_RECORD_SIZE;

  constructor(private readonly idempotencyWindow = DEFAULT_IDEMPOTENCY_WINDOW) {}

  /** The stream's last revision, or -1 for a stream without events. */
  currentRevision(streamId: string): bigint {
    return BigInt((this.streams.get(streamId)?.length ?? 0) - 1);
  }

  append(
    streamId: string,
    expected: StandInExpected,
    events: readonly StandInProposed[],
  ): StandInAppendOutcome {
    const current = this.currentRevision(streamId);
    const conflict = { kind: 'wrong_expected_version', current } as const;
    if (expected === 'stream_exists' && current < 0n) return conflict;
    if (expected === 'any' || expected === 'stream_exists') {
      return this.retryByRecentIds(streamId, events) ?? this.write(streamId, events);
    }
    if (expected > current) return conflict;
    if (expected < current) return this.retryAtRevisions(streamId, expected, events) ?? conflict;
    return this.write(streamId, events);
  }

  /**
   * With `any` or `stream_exists` the server can only look the ids up in its
   * recent-commit cache: if the first id is not there, the append is new and
   * is written whole (even when a later id was written before); if the first
   * is there and a later one is not, the retry is corrupt and answers as a
   * version conflict.
   */
  private retryByRecentIds(
    streamId: string,
    events: readonly StandInProposed[],
  ): StandInAppendOutcome | undefined {
    let last: StandInRecord | undefined;
    for (const [i, event] of events.entries()) {
      const known = this.recent.get(event.id.toLowerCase());
      if (!known || known.streamId !== streamId) {
        if (i === 0) return undefined;
        return { kind: 'wrong_expected_version', current: this.currentRevision(streamId) };
      }
      last = known;
    }
    if (!last) return undefined;
    return { kind: 'success', revision: last.revision, position: last.logPosition };
  }

  /**
   * With an exact expectation behind the stream's head, the server compares
   * the ids with the events at the revisions they would have had: all equal is
   * the first append's result; the first different is a plain conflict; a
   * later one different is a corrupt retry, also answered as a conflict.
   */
  private retryAtRevisions(
    streamId: string,
    expected: bigint,
    events: readonly StandInProposed[],
  ): StandInAppendOutcome | undefined {
    const stream = this.streams.get(streamId) ?? [];
    let last: StandInRecord | undefined;
    for (const [i, event] of events.entries()) {
      const existing = stream[Number(expected) + 1 + i];
      if (!existing || existing.id !== event.id.toLowerCase()) return undefined;
      last = existing;
    }
    if (!last) return undefined;
    return { kind: 'success', revision: last.revision, position: last.logPosition };
  }

  private write(streamId: string, events: readonly StandInProposed[]): StandInAppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const createdTicks = BigInt(Date.now()) * 10_000n;
    for (const event of events) {
      const size =
        RECORD_OVERHEAD +
        BigInt(Buffer.byteLength(streamId) + Buffer.byteLength(event.type)) +
        BigInt(event.data.length + event.metadata.length);
      const record: StandInRecord = {
        ...event,
        id: event.id.toLowerCase(),
        streamId,
        revision: BigInt(stream.length),
        logPosition: this.nextPosition,
        postPosition: this.nextPosition + size,
        createdTicks,
      };
      this.nextPosition += size;
      stream.push(record);
      this.records.push(record);
      this.remember(record);
    }
    const last = stream[stream.length - 1];
    // An empty append to an existing stream changes nothing; its position is unknown (-1).
    return {
      kind: 'success',
      revision: last?.revision ?? -1n,
      position: events.length > 0 && last ? last.logPosition : -1n,
    };
  }

  private remember(record: StandInRecord): void {
    this.recent.set(record.id, record);
    if (this.recent.size > this.idempotencyWindow) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }

  /** A stream's events from a revision, forwards or backwards, both inclusive; undefined for no stream. */
  readStream(
    streamId: string,
    from: ReadFrom,
    backwards: boolean,
    count: number,
  ): StandInRecord[] | undefined {
    const stream = this.streams.get(streamId);
    if (!stream || stream.length === 0) return undefined;
    if (backwards) {
      const top = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Number(from);
      const end = Math.min(top, stream.length - 1) + 1;
      return stream.slice(Math.max(0, end - count), end).reverse();
    }
    const start = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
    return stream.slice(start, start + count);
  }

  /**
   * `$all` from a position: forwards includes the event at the position,
   * backwards starts with the event before it, as the server's reads do.
   */
  readAll(from: AllFrom, backwards: boolean, count: number): StandInRecord[] {
    const out: StandInRecord[] = [];
    if (backwards) {
      const bound =
        from === 'end' ? undefined : from === 'start' ? { commit: 0n, prepare: 0n } : from;
      for (let i = this.records.length - 1; i >= 0 && out.length < count; i--) {
        const r = must(this.records[i], 'record');
        if (!bound || compare(r.postPosition, r.postPosition, bound) <= 0) out.push(r);
      }
      return out;
    }
    if (from === 'end') return out;
    const bound = from === 'start' ? { commit: 0n, prepare: 0n } : from;
    for (let i = this.firstAtOrAfter(bound); i < this.records.length && out.length < count; i++) {
      out.push(must(this.records[i], 'record'));
    }
    return out;
  }

  /** Index of the first record at or after a position: records are in log order, so a binary search. */
  private firstAtOrAfter(bound: { commit: bigint; prepare: bigint }): number {
    let [low, high] = [0, this.records.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      const r = must(this.records[mid], 'record');
      if (compare(r.logPosition, r.logPosition, bound) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function compare(commit: bigint, prepare: bigint, p: { commit: bigint; prepare: bigint }): number {
  if (commit !== p.commit) return commit < p.commit ? -1 : 1;
  if (prepare !== p.prepare) return prepare < p.prepare ? -1 : 1;
  return 0;
}
