import { must } from '@ledger/invariant';
import type { AppendRequest, AppendResult, EventStore } from '@ledger/event-store';
import { Batcher, type Waiting } from './batcher';
import { commandPathObserver, secondsSince } from './command-path.observer';

export interface AppendBatcherOptions {
  /** Most appends in one `appendMany` (one transaction on the SQL adapters). */
  readonly maxBatch?: number;
  /** Most `appendMany` calls in flight at once. */
  readonly maxInFlight?: number;
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
  private readonly batcher: Batcher<AppendRequest, AppendResult>;

  constructor(
    private readonly store: EventStore,
    options: AppendBatcherOptions = {},
  ) {
    this.batcher = new Batcher({
      maxBatch: options.maxBatch ?? 256,
      maxInFlight: options.maxInFlight ?? 2,
      run: (batch) => this.write(batch),
    });
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.batcher.submit(request);
  }

  private async write(batch: Waiting<AppendRequest, AppendResult>[]): Promise<void> {
    const startedMs = performance.now();
    let results: Awaited<ReturnType<EventStore['appendMany']>>;
    try {
      results = await this.store.appendMany(batch.map((p) => p.request));
    } catch (error) {
      commandPathObserver().appendBatch(batch.length, secondsSince(startedMs), true);
      throw error;
    }
    commandPathObserver().appendBatch(batch.length, secondsSince(startedMs), false);
    batch.forEach((p, i) => {
      const result = results[i];
      if (result instanceof Error) p.reject(result);
      else p.resolve(must(result, `append outcome ${i}`));
    });
  }
}
