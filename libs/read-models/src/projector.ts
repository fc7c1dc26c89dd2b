import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import {
  CheckpointedReader,
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { loadCheckpoint, lockCheckpoint, moveCheckpoint } from '@ledger/event-store/sql';
import { processProgress, waitForPosition, type ProjectionProgress } from './progress';

/**
 * A projector turns batches of the global log into rows. `apply` runs inside
 * the runner's transaction, which also moves the checkpoint; it must ignore
 * events it does not know and must be a no-op for events it already applied
 * (rows are guarded by event id, revision or position).
 */
export interface Projector {
  readonly name: string;
  apply(tx: SqlExecutor, events: readonly RecordedEvent[]): Promise<void>;
}

export interface RunnerOptions {
  /** Events per transaction; at most MAX_READ_COUNT. */
  readonly batchSize?: number;
  /** Pause between polls of the log once caught up (poke() cuts it short). */
  readonly idlePollMs?: number;
  /**
   * While batches come back smaller than `batchSize`, the least time between
   * the starts of two reads of the running loop (`CheckpointedReader`); 0
   * reads again as soon as a batch starts to commit. `catchUp()` never waits.
   */
  readonly minReadIntervalMs?: number;
  /** Pause before asking again for a lease another instance holds. */
  readonly leaseRetryMs?: number;
  /** Pause after an unexpected error (an outage) before trying again. */
  readonly errorBackoffMs?: number;
  /** Checkpoint row name; defaults to the projector's name. A rebuild uses its own. */
  readonly checkpoint?: string;
  readonly progress?: ProjectionProgress;
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_BATCH_SIZE = 2_000;

/**
 * The running projector reads at most every 100 ms while batches are not
 * full. A batch's transaction costs about 6 ms of CPU (this process and
 * Postgres together) whatever it holds, on top of about 0.3 ms per
 * transfer's events (docs/performance.md, "Transfers, eighth round"), so
 * under load the pause makes batches several times larger for the same
 * events; it delays a projection by at most that much.
 */
export const DEFAULT_MIN_READ_INTERVAL_MS = 100;

/**
 * Runs one projector as a handler of the shared `CheckpointedReader`: each
 * batch of the log after its checkpoint commits together with a
 * compare-and-set on the checkpoint (`log_checkpoints`). `start()` runs it in
 * the background while this instance holds the lease `projector:<name>`, so
 * one instance per projector is active; others wait for the lease.
 * `catchUp()` runs in the caller without the lease and relies on the
 * checkpoint CAS alone, which is enough for exactly-once (tools and tests).
 */
export class ProjectionRunner {
  readonly name: string;
  private readonly progress: ProjectionProgress;
  private readonly reader: CheckpointedReader;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    readonly projector: Projector,
    options: RunnerOptions = {},
  ) {
    const name = options.checkpoint ?? projector.name;
    this.name = name;
    this.progress = options.progress ?? processProgress;
    this.reader = new CheckpointedReader(
      store,
      {
        load: async () => (await loadCheckpoint(db, name)).position,
        lease: () => db.tryLock(`projector:${name}`),
      },
      { commit: (from, events) => this.commit(from, events) },
      {
        batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
        idlePollMs: options.idlePollMs ?? 250,
        minReadIntervalMs: options.minReadIntervalMs ?? DEFAULT_MIN_READ_INTERVAL_MS,
        leaseRetryMs: options.leaseRetryMs ?? 2_000,
        errorBackoffMs: options.errorBackoffMs ?? 1_000,
        onError: options.onError,
        onCommitted: (position) => this.progress.publish(name, position),
      },
    );
  }

  /** Whether this instance holds the lease and is the active one. */
  get active(): boolean {
    return this.reader.active;
  }

  /** Applies batches until the head as it was when called; returns the events applied. */
  async catchUp(): Promise<number> {
    const head = await this.store.headPosition();
    let applied = 0;
    // Each pass either reaches the head or makes progress, so this ends.
    for (;;) {
      const from = await this.reader.checkpoint();
      if (comparePositions(from, head) >= 0) return applied;
      const count = await this.reader.drain({ until: head });
      if (count === 0) return applied;
      applied += count;
    }
  }

  start(): void {
    this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  /** Cuts an idle pause short: new events were appended in this process. */
  poke(): void {
    this.reader.poke();
  }

  /** Read-your-writes: resolves true once this projector has applied `position`. */
  waitForPosition(position: Position, timeoutMs: number): Promise<boolean> {
    this.poke();
    return waitForPosition(this.db, this.name, position, timeoutMs, { progress: this.progress });
  }

  private async commit(from: Position, events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    await this.db.transaction(async (tx) => {
      await lockCheckpoint(tx, this.name, from);
      await this.projector.apply(tx, events);
      await moveCheckpoint(tx, this.name, from, last.position, last.createdAt);
    });
  }
}
