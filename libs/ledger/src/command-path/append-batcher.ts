import { must } from '@ledger/invariant';
import type { AppendRequest, AppendResult, EventStore } from '@ledger/event-store';
import { Batcher, type Waiting } from './batcher';
import { commandPathObserver, secondsSince } from './command-path.observer';

export interface AppendBatcherOptions {
  /** Most appends in one `appendMany` (one transaction on the SQL adapters). */
  readonly maxBatch?: number;
  /** Most `appendMany` calls in flight at once. */
  readonly maxInFlight?: number;
  /**
   * How long the one call in flight is out before appends that wait for it
   * go in a second call instead (see `BatcherOptions.overlapAfterMs`);
   * `undefined` sends them at once, whenever a slot is free.
   */
  readonly overlapAfterMs?: number | undefined;
}

/**
 * The default `overlapAfterMs`: several times what a batch takes on a
 * loaded two-core machine (docs/performance.md, "Transfers, eighth round",
 * "At 32 connections"), so that in the common case the appends that arrive
 * during a batch wait for it and go together, and a batch held up by a lock
 * of another process or a slow disk lets the next one go.
 */
export const DEFAULT_APPEND_OVERLAP_AFTER_MS = 20;

/**
 * Group commit. Appends that arrive while earlier ones are being written wait
 * and then go to the store together in one `appendMany`, so that many
 * concurrent commands share one transaction and one round trip. Each append
 * keeps its own outcome: a conflict on one stream fails only that append.
 *
 * The callers (stream lanes) never have two appends to the same stream in
 * flight, so a batch never conflicts with itself.
 *
 * Appends that arrive while a batch is out wait for it and go together in
 * the next one, unless they fill a batch or it has been out longer than
 * `overlapAfterMs`: one larger call costs Postgres and this process less per
 * append than two smaller ones at once.
 */
export class AppendBatcher {
  private readonly batcher: Batcher<AppendRequest, AppendResult>;

  constructor(
    private readonly store: EventStore,
    options: AppendBatcherOptions = {},
  ) {
    const overlapAfterMs =
      'overlapAfterMs' in options ? options.overlapAfterMs : DEFAULT_APPEND_OVERLAP_AFTER_MS;
    this.batcher = new Batcher({
      maxBatch: options.maxBatch ?? 256,
      maxInFlight: options.maxInFlight ?? 2,
      ...(overlapAfterMs !== undefined && { overlapAfterMs }),
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
