import {
  comparePositions,
  formatPosition,
  MAX_READ_COUNT,
  type EventStore,
  type Position,
  type RecordedEvent,
} from './event-store.port';

/** Another instance moved the checkpoint since this one read it: the batch must roll back. */
export class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
  constructor(
    readonly reader: string,
    readonly expected: Position,
  ) {
    super(`Checkpoint of ${reader} is no longer at ${formatPosition(expected)}`);
  }
}

/**
 * What a checkpointed reader needs of its checkpoint and its lease. The SQL
 * implementation is one table for every reader (`@ledger/event-store/sql`,
 * `log_checkpoints`); the lease is the database's advisory lock.
 */
export interface ReaderCheckpoints {
  /** The stored checkpoint, created at START the first time. */
  load(): Promise<Position>;
  /** The lease that makes this instance the active one; undefined while another holds it. */
  lease(): Promise<{ release(): Promise<void> } | undefined>;
}

/**
 * A handler of the log. `commit` receives a batch read after `from` and
 * commits its effects together with the compare-and-set of the checkpoint
 * from `from` to the batch's last position, in one transaction; it throws
 * `CheckpointMoved` when another instance moved the row (the reader then
 * reloads it) and anything else on an outage (the reader backs off and
 * reads the batch again).
 */
export interface LogHandler {
  commit(from: Position, events: readonly RecordedEvent[]): Promise<void>;
  /** Runs while the lease is held, before the first batch (resuming unfinished work). */
  onLeased?(): Promise<void>;
  /** Runs after each pass of the loop, busy or idle (retries, timers). */
  afterPass?(): Promise<void>;
}

export interface CheckpointedReaderOptions {
  /** Events per batch; at most MAX_READ_COUNT. */
  readonly batchSize: number;
  /** Batches per pass before `afterPass` runs; a pass also ends when the log has no more. */
  readonly batchesPerPass?: number;
  /** Pause between reads once caught up (`poke()` cuts it short). */
  readonly idlePollMs: number;
  /**
   * In the background loop, the least time between the starts of two reads
   * while batches come back smaller than `batchSize` (a full batch means a
   * backlog: the next read starts at once). Each batch costs its
   * transaction's statements whatever its size, so under a steady trickle of
   * appends a pause gathers more events per batch; it is also the most a
   * batch waits for. `poke()` and `stop()` cut it short. Default 0: read the
   * next batch as soon as the current one starts to commit.
   */
  readonly minReadIntervalMs?: number;
  /** Pause before asking again for a lease another instance holds. */
  readonly leaseRetryMs: number;
  /** First pause after a failed pass (an outage); it doubles per failure in a row, up to errorBackoffMaxMs. */
  readonly errorBackoffMs: number;
  readonly errorBackoffMaxMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Told of every committed batch (read-your-writes waiters, metrics). */
  readonly onCommitted?: (position: Position, events: readonly RecordedEvent[]) => void;
}

/**
 * The one checkpointed reader of the global log that the projector and the
 * saga driver are handlers of: a subscription that reads after its stored
 * checkpoint, hands each batch to its handler (which commits the effects and
 * the checkpoint by compare-and-set), reads the next batch while the current
 * one commits, and, in the background, runs only while it holds its lease,
 * pausing when caught up until the pause ends or `poke()` wakes it.
 * Delivery is at least once; the compare-and-set makes the effects of a batch
 * commit exactly once.
 */
export class CheckpointedReader {
  private readonly batchSize: number;
  private known?: Position;
  private loop?: Promise<void>;
  private stopping = false;
  private leased = false;
  private wake?: () => void;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: ReaderCheckpoints,
    private readonly handler: LogHandler,
    private readonly options: CheckpointedReaderOptions,
  ) {
    this.batchSize = Math.min(Math.max(Math.trunc(options.batchSize), 1), MAX_READ_COUNT);
  }

  /** Whether this instance holds the lease and is the active one. */
  get active(): boolean {
    return this.leased;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The checkpoint, from memory after the first read or commit. */
  async checkpoint(): Promise<Position> {
    this.known ??= await this.checkpoints.load();
    return this.known;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.runWithLease();
  }

  /** Lets the batch in hand commit, then stops. A crash is the same minus the commit, and equally safe. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
    this.loop = undefined;
  }

  /** Cuts an idle pause short: new events were appended in this process. */
  poke(): void {
    this.wake?.();
  }

  /**
   * Reads and commits batches until the log has no more, `until` is reached
   * or `maxBatches` were committed, reading the next batch while the current
   * one commits. Returns the events committed. Needs no lease: the
   * compare-and-set alone keeps a batch from committing twice. `reload`
   * reads the stored checkpoint first, for a caller without the lease that
   * another instance may have overtaken.
   */
  async drain(
    options: { until?: Position; maxBatches?: number; reload?: boolean } = {},
  ): Promise<number> {
    return this.drainBatches(options, 0);
  }

  /** `drain`, with reads `intervalMs` apart at least while batches are not full. */
  private async drainBatches(
    options: { until?: Position; maxBatches?: number; reload?: boolean },
    intervalMs: number,
  ): Promise<number> {
    const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
    if (options.reload) this.known = undefined;
    let from = await this.checkpoint();
    let readAt = Date.now();
    let next = this.read(from);
    let applied = 0;
    for (let batches = 1; ; batches++) {
      const events = await next;
      const last = events[events.length - 1];
      if (!last) return applied;
      const to = last.position;
      const done =
        this.stopping ||
        batches >= maxBatches ||
        (options.until !== undefined && comparePositions(to, options.until) >= 0);
      const wait =
        intervalMs > 0 && events.length < this.batchSize ? readAt + intervalMs - Date.now() : 0;
      if (done) next = Promise.resolve([]);
      else if (wait > 0) {
        // Read after the pause, while this batch commits; the wait ends early on poke() or stop().
        next = this.pause(wait).then(() => {
          readAt = Date.now();
          return this.read(to);
        });
      } else {
        readAt = Date.now();
        next = this.read(to);
      }
      try {
        await this.handler.commit(from, events);
      } catch (error) {
        // Whatever happened, the stored checkpoint is the truth to resume from.
        this.known = undefined;
        next.catch(() => undefined);
        throw error;
      }
      this.known = to;
      this.options.onCommitted?.(to, events);
      from = to;
      applied += events.length;
    }
  }

  /** Sleeps, but wakes at once on `poke()` or `stop()`. */
  pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private read(after: Position): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: this.batchSize });
  }

  private async runWithLease(): Promise<void> {
    while (!this.stopping) {
      const lease = await this.checkpoints.lease().catch((error: unknown) => {
        this.options.onError?.(error);
        return undefined;
      });
      if (!lease) {
        await this.pause(this.options.leaseRetryMs);
        continue;
      }
      this.leased = true;
      try {
        await this.runLeased();
      } finally {
        this.leased = false;
        await lease.release();
      }
    }
  }

  private async runLeased(): Promise<void> {
    // The previous lease holder may have moved the checkpoint.
    this.known = undefined;
    await this.handler.onLeased?.().catch((error: unknown) => this.options.onError?.(error));
    const { errorBackoffMs, errorBackoffMaxMs = errorBackoffMs } = this.options;
    let failures = 0;
    while (!this.stopping) {
      let applied = 0;
      let moved = false;
      try {
        applied = await this.drainBatches(
          { maxBatches: this.options.batchesPerPass },
          this.options.minReadIntervalMs ?? 0,
        );
        failures = 0;
      } catch (error) {
        // Moved under this instance (a rebuild's swap): read again from the stored row at once.
        moved = error instanceof CheckpointMoved;
        if (!moved) {
          failures++;
          this.options.onError?.(error);
        }
      }
      await this.handler.afterPass?.().catch((error: unknown) => this.options.onError?.(error));
      if (moved) continue;
      if (failures > 0)
        await this.pause(
          Math.min(errorBackoffMaxMs, errorBackoffMs * 2 ** Math.min(failures - 1, 30)),
        );
      else if (applied === 0) await this.pause(this.options.idlePollMs);
    }
  }
}
