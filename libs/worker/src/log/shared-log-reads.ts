import {
  comparePositions,
  formatPosition,
  MAX_READ_COUNT,
  START,
  type AppendRequest,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamsRequest,
  type RecordedEvent,
} from '@ledger/event-store';

/** Events kept from the latest reads: a batch of each reader of the process, twice over. */
export const SHARED_LOG_WINDOW = 5_000;

/**
 * The event store, with the global log's reads shared between the readers of
 * one process (the projector and the saga driver each tail the log with a
 * checkpoint of their own). What one reader's `readAll` returned is kept:
 * the events after its `after`, up to the last one returned, are the whole of
 * the log in that range (a later event can never land inside it, the port's
 * promise that lets a checkpoint move to the last event read), and the log
 * is never rewritten. So the other reader, asking from a position inside
 * that range, takes the events kept from memory, without a statement for
 * them and without decoding their rows a second time; the store is asked only for what lies
 * past the last event kept (and not at all when memory holds a whole batch),
 * so each answer has the events a read of the store would have given, and
 * the batches stay as large. A read from the same position as one in flight
 * shares that read. Everything else goes to the store unchanged.
 *
 * The kept events are the store's objects, handed to each reader as they
 * are; no reader of the log changes an event.
 */
export class SharedLogReads implements EventStore {
  /** The events of the log strictly after `after`, all of them, in order, up to the last one. */
  private window?: { after: Position; events: RecordedEvent[] };
  private readonly inFlight = new Map<
    string,
    { maxCount: number; read: Promise<RecordedEvent[]> }
  >();
  private readonly counts = { fromMemory: 0, fromStore: 0, eventsFromMemory: 0 };

  /** The store's own, when it has one (undefined otherwise, so callers can tell). */
  readonly appendGroups: EventStore['appendGroups'];

  constructor(
    private readonly store: EventStore,
    private readonly capacity: number = SHARED_LOG_WINDOW,
  ) {
    this.appendGroups = store.appendGroups?.bind(store);
  }

  /**
   * Since the start: reads answered from memory alone, reads of the store,
   * and events handed out from memory (for tests and metrics).
   */
  get reads(): {
    readonly fromMemory: number;
    readonly fromStore: number;
    readonly eventsFromMemory: number;
  } {
    return { ...this.counts };
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const maxCount = options.maxCount ?? MAX_READ_COUNT;
    // Anything out of the ordinary is the store's to answer (and refuse).
    if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > MAX_READ_COUNT)
      return this.store.readAll(options);
    // What is kept from `after` on, then the store from the last event kept: the
    // same events the store would answer from `after`, with fewer rows to decode.
    const kept = this.fromWindow(after, maxCount);
    this.counts.eventsFromMemory += kept?.length ?? 0;
    if (kept && kept.length === maxCount) {
      this.counts.fromMemory++;
      return kept;
    }
    const last = kept?.[kept.length - 1];
    const rest = await this.fromStore(last ? last.position : after, maxCount - (kept?.length ?? 0));
    return kept ? [...kept, ...rest] : rest;
  }

  /** One read of the store, shared with a read in flight from the same position. */
  private async fromStore(after: Position, maxCount: number): Promise<RecordedEvent[]> {
    const key = formatPosition(after);
    const pending = this.inFlight.get(key);
    if (pending && pending.maxCount >= maxCount) {
      return (await pending.read).slice(0, maxCount);
    }
    this.counts.fromStore++;
    const read = this.store.readAll({ after, maxCount });
    const entry = { maxCount, read };
    this.inFlight.set(key, entry);
    try {
      const events = await read;
      this.keep(after, events);
      return events;
    } finally {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    }
  }

  /** The kept events after `after`, or undefined when the window does not reach past it. */
  private fromWindow(after: Position, maxCount: number): RecordedEvent[] | undefined {
    const window = this.window;
    if (!window) return undefined;
    const { events } = window;
    const last = events[events.length - 1];
    if (!last) return undefined;
    if (comparePositions(after, window.after) < 0 || comparePositions(after, last.position) >= 0)
      return undefined;
    const from = firstAfter(events, after);
    return events.slice(from, from + maxCount);
  }

  /** Adds a read to the window when it continues or overlaps it; starts a new window otherwise. */
  private keep(after: Position, read: readonly RecordedEvent[]): void {
    const last = read[read.length - 1];
    if (!last) return;
    const window = this.window;
    const windowLast = window?.events[window.events.length - 1];
    if (
      window &&
      windowLast &&
      comparePositions(after, window.after) >= 0 &&
      comparePositions(after, windowLast.position) <= 0
    ) {
      // Nothing new: the window already reaches as far.
      if (comparePositions(last.position, windowLast.position) <= 0) return;
      window.events = [...window.events.slice(0, firstAfter(window.events, after)), ...read];
    } else {
      this.window = { after, events: [...read] };
    }
    const kept = this.window!;
    const excess = kept.events.length - this.capacity;
    if (excess > 0) {
      kept.after = kept.events[excess - 1]!.position;
      kept.events = kept.events.slice(excess);
    }
  }

  append(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): ReturnType<EventStore['append']> {
    return this.store.append(streamId, events, expected);
  }

  appendMany(requests: readonly AppendRequest[]): ReturnType<EventStore['appendMany']> {
    return this.store.appendMany(requests);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId, options);
  }

  readStreams(requests: readonly ReadStreamsRequest[]): Promise<RecordedEvent[][]> {
    return this.store.readStreams(requests);
  }

  streamRevision(streamId: string): ReturnType<EventStore['streamRevision']> {
    return this.store.streamRevision(streamId);
  }

  headPosition(): Promise<Position> {
    return this.store.headPosition();
  }

  lastCommittedPosition(): Promise<Position> {
    return this.store.lastCommittedPosition();
  }

  /** The store belongs to whoever made it: closing this view closes nothing. */
  async close(): Promise<void> {}
}

/** Index of the first event strictly after `position` in events sorted by position. */
function firstAfter(events: readonly RecordedEvent[], position: Position): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (comparePositions(events[mid]!.position, position) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
