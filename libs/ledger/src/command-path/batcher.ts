/** A request waiting for its batch, and how to answer it. */
export interface Waiting<Q, A> {
  readonly request: Q;
  resolve(answer: A): void;
  reject(error: unknown): void;
}

export interface BatcherOptions<Q, A> {
  /** Most requests in one call to `run`. */
  readonly maxBatch: number;
  /** Most calls to `run` in flight at once. */
  readonly maxInFlight: number;
  /**
   * When set, a call beyond the first in flight is made only once the
   * waiting requests fill a batch, or once the oldest call in flight has
   * been out this many milliseconds (it waits on something else than its
   * own work: a lock another process holds, a slow disk). Until then they
   * wait for the call in flight and go together after it.
   */
  readonly overlapAfterMs?: number;
  /** Sends one batch to the store and answers every request in it, or rejects them. */
  readonly run: (batch: Waiting<Q, A>[]) => Promise<void>;
}

/**
 * The queue behind group commit and the batched cold reads: requests that
 * arrive while earlier batches are in flight wait, then go to the store
 * together, at most `maxBatch` per call and `maxInFlight` calls at once.
 *
 * A batch is flushed on the next turn of the event loop rather than at once.
 * When a batch completes, its callers' next commands are decided in the same
 * turn (their states are cached, so no I/O intervenes); waiting one turn lets
 * all of them join one batch instead of the first leaving alone.
 *
 * With `overlapAfterMs`, requests that arrive while a call is in flight wait
 * for it rather than leave in a second, smaller call at once: fewer, larger
 * calls cost the store and this process less per request, and the wait is
 * about what the second call would have taken anyway when both share the
 * same cores. A call that stays out past `overlapAfterMs`, or a full batch
 * waiting, lets the next one go (up to `maxInFlight`), so one slow call
 * does not hold up every request behind it.
 */
export class Batcher<Q, A> {
  private pending: Waiting<Q, A>[] = [];
  private flushScheduled = false;
  /** When each call in flight went out (`performance.now()`), oldest first: one entry per call. */
  private readonly sentAt: number[] = [];
  private overlapTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BatcherOptions<Q, A>) {}

  submit(request: Q): Promise<A> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.sentAt.length < this.options.maxInFlight && this.pending.length > 0) {
      if (this.mustWaitForCallInFlight()) return;
      const batch = this.pending.splice(0, this.options.maxBatch);
      const sentAt = performance.now();
      this.sentAt.push(sentAt);
      void this.send(batch).finally(() => {
        this.sentAt.splice(this.sentAt.indexOf(sentAt), 1);
        this.scheduleFlush();
      });
    }
  }

  /**
   * True when a call is in flight, the waiting requests do not fill a batch
   * and the oldest call has been out less than `overlapAfterMs`; then a
   * flush is armed for the moment it will have been out that long (the
   * call's end flushes sooner).
   */
  private mustWaitForCallInFlight(): boolean {
    const { overlapAfterMs } = this.options;
    const oldest = this.sentAt[0];
    if (overlapAfterMs === undefined || oldest === undefined) return false;
    if (this.pending.length >= this.options.maxBatch) return false;
    const leftMs = oldest + overlapAfterMs - performance.now();
    if (leftMs <= 0) return false;
    if (this.overlapTimer === undefined) {
      this.overlapTimer = setTimeout(() => {
        this.overlapTimer = undefined;
        this.flush();
      }, Math.ceil(leftMs));
      this.overlapTimer.unref();
    }
    return true;
  }

  private async send(batch: Waiting<Q, A>[]): Promise<void> {
    try {
      await this.options.run(batch);
    } catch (error) {
      // The whole call failed (an outage): every request in it shares the failure.
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
