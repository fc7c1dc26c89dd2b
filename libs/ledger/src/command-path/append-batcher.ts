import { must } from '@ledger/invariant';
import type { AppendError, AppendRequest, AppendResult, EventStore } from '@ledger/event-store';
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
 *
 * On a store that writes several streams in one transaction
 * (`EventStore.appendGroups`), `appendTogether` sends a group of appends
 * that is written whole or not at all, in the same batches as the single
 * appends.
 */
export class AppendBatcher {
  /** Each entry is a group of appends written all or none; a single append is a group of one. */
  private readonly batcher: Batcher<readonly AppendRequest[], AppendResult[]>;

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

  async append(request: AppendRequest): Promise<AppendResult> {
    const [result] = await this.batcher.submit([request]);
    return must(result, 'append outcome');
  }

  /** Whether the store can write a group of appends all or none (`appendTogether`). */
  get groups(): boolean {
    return this.store.appendGroups !== undefined;
  }

  /**
   * Appends to several streams, written all or none in one transaction of
   * the group commit; the results are in the order of `requests`. Rejects
   * with the first failing request's error (`WrongExpectedVersionError`,
   * `IdempotencyViolationError`), nothing of the group written.
   * @throws RangeError on a store without `appendGroups` (see `groups`).
   */
  appendTogether(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    if (!this.groups)
      throw new RangeError('This event store cannot append to several streams at once');
    return this.batcher.submit(requests);
  }

  private async write(batch: Waiting<readonly AppendRequest[], AppendResult[]>[]): Promise<void> {
    const startedMs = performance.now();
    let results: Array<AppendResult[] | AppendError>;
    try {
      results = await this.send(batch.map((p) => p.request));
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

  /** A batch of single appends goes as `appendMany`, as on every store; one with a group as `appendGroups`. */
  private async send(
    groups: readonly (readonly AppendRequest[])[],
  ): Promise<Array<AppendResult[] | AppendError>> {
    const appendGroups = this.store.appendGroups?.bind(this.store);
    if (appendGroups && groups.some((group) => group.length !== 1)) return appendGroups(groups);
    const results = await this.store.appendMany(groups.map((group) => must(group[0], 'append')));
    return results.map((result) => (result instanceof Error ? result : [result]));
  }
}
