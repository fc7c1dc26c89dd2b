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
 */
export class Batcher<Q, A> {
  private pending: Waiting<Q, A>[] = [];
  private inFlight = 0;
  private flushScheduled = false;

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
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.scheduleFlush();
      });
    }
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
