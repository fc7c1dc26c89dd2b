import { must } from '@ledger/invariant';
import type { AppendRequest, AppendResult, EventStore } from '@ledger/event-store';
import { commandPathObserver, secondsSince } from './command-path.observer';

export interface AppendBatcherOptions {
  /** Most appends in one `appendMany` (one transaction on the SQL adapters). */
  readonly maxBatch?: number;
  /** Most `appendMany` calls in flight at once. */
  readonly maxInFlight?: number;
}

interface Pending {
  readonly request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit. Appends that arrive while earlier ones are being written wait
 * and then go to the store together in one `appendMany`, so that many
 * concurrent commands share one transaction and one round trip. Each append
 * keeps its own outcome: a conflict on one stream fails only that append.
 *
 * The callers (stream lanes) never have two appends to the same stream in
 * flight, so a batch never conflicts with itself.
 */
export class AppendBatcher {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private pending: Pending[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(
    private readonly store: EventStore,
    options: AppendBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Flushes on the next turn of the event loop rather than at once. When a
   * batch completes, its callers' next commands are decided in the same turn
   * (their states are cached, so no I/O intervenes); waiting one turn lets
   * all of them join one batch instead of the first leaving alone.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.scheduleFlush();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const startedMs = performance.now();
    try {
      const results = await this.store.appendMany(batch.map((p) => p.request));
      commandPathObserver().appendBatch(batch.length, secondsSince(startedMs), false);
      batch.forEach((p, i) => {
        const result = results[i];
        if (result instanceof Error) p.reject(result);
        else p.resolve(must(result, `append outcome ${i}`));
      });
    } catch (error) {
      // The whole call failed (an outage): every append in it shares the failure.
      commandPathObserver().appendBatch(batch.length, secondsSince(startedMs), true);
      for (const p of batch) p.reject(error);
    }
  }
}
