import { must } from '@ledger/invariant';
import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import {
  comparePositions,
  MAX_READ_COUNT,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { CheckpointMoved, loadCheckpoint, lockCheckpoint, moveCheckpoint } from './checkpoints';
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
  readonly batch_size?: number;
  /** Pause between polls of the log once caught up (poke() cuts it short). */
  readonly idle_poll_ms?: number;
  /** Pause before asking again for a lease another instance holds. */
  readonly lease_retry_ms?: number;
  /** Pause after an unexpected error (an outage) before trying again. */
  readonly error_backoff_ms?: number;
  /** Checkpoint row name; defaults to the projector's name. A rebuild uses its own. */
  readonly checkpoint?: string;
  readonly progress?: ProjectionProgress;
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_BATCH_SIZE = 2_000;

/**
 * Runs one projector: reads the log after its checkpoint and commits each
 * batch together with a compare-and-set on the checkpoint. `start()` runs it
 * in the background while this instance holds the lease `projector:<name>`,
 * so one instance per projector is active; others wait for the lease.
 * `catchUp()` runs in the caller without the lease and relies on the
 * checkpoint CAS alone, which is enough for exactly-once (tools and tests).
 */
export class ProjectionRunner {
  readonly name: string;
  private readonly batch_size: number;
  private readonly progress: ProjectionProgress;
  private known?: Position;
  private loop?: Promise<void>;
  private stopping = false;
  private leased = false;
  private wake?: () => void;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    readonly projector: Projector,
    private readonly options: RunnerOptions = {},
  ) {
    this.name = options.checkpoint ?? projector.name;
    this.batch_size = Math.min(
      Math.max(options.batch_size ?? DEFAULT_BATCH_SIZE, 1),
      MAX_READ_COUNT,
    );
    this.progress = options.progress ?? processProgress;
  }

  /** Whether this instance holds the lease and is the active one. */
  get active(): boolean {
    return this.leased;
  }

  /** Applies batches until the head as it was when called; returns the events applied. */
  async catchUp(): Promise<number> {
    const head = await this.store.headPosition();
    let applied = 0;
    // Each pass either reaches the head or makes progress, so this ends.
    for (;;) {
      const from = await this.checkpoint();
      if (comparePositions(from, head) >= 0) return applied;
      const count = await this.drain(head);
      if (count === 0) return applied;
      applied += count;
    }
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.runWithLease();
  }

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

  /** Read-your-writes: resolves true once this projector has applied `position`. */
  waitForPosition(position: Position, timeout_ms: number): Promise<boolean> {
    this.poke();
    return waitForPosition(this.db, this.name, position, timeout_ms, { progress: this.progress });
  }

  /**
   * Reads and applies batches until the log has no more or `until` is
   * reached, reading the next batch while the current one commits.
   */
  private async drain(until?: Position): Promise<number> {
    let from = await this.checkpoint();
    let next = this.read(from);
    let applied = 0;
    for (;;) {
      const events = await next;
      const last = events.at(-1);
      if (!last) return applied;
      const to = last.position;
      const done = this.stopping || (until !== undefined && comparePositions(to, until) >= 0);
      next = done ? Promise.resolve([]) : this.read(to);
      try {
        await this.commit(from, events);
      } catch (error) {
        next.catch(() => undefined);
        throw error;
      }
      from = to;
      applied += events.length;
    }
  }

  private read(after: Position): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: this.batch_size });
  }

  private async commit(from: Position, events: readonly RecordedEvent[]): Promise<void> {
    const last = must(events.at(-1), 'last event of a batch');
    try {
      await this.db.transaction(async (tx) => {
        await lockCheckpoint(tx, this.name, from);
        await this.projector.apply(tx, events);
        await moveCheckpoint(tx, this.name, from, last.position, last.createdAt);
      });
    } catch (error) {
      // Whatever happened, the stored checkpoint is the truth to resume from.
      this.known = undefined;
      throw error;
    }
    this.known = last.position;
    this.progress.publish(this.name, last.position);
  }

  private async checkpoint(): Promise<Position> {
    this.known ??= (await loadCheckpoint(this.db, this.name)).position;
    return this.known;
  }

  private async runWithLease(): Promise<void> {
    while (!this.stopping) {
      const lease = await this.db.tryLock(`projector:${this.name}`).catch((error: unknown) => {
        this.options.onError?.(error);
        return undefined;
      });
      if (!lease) {
        await this.pause(this.options.lease_retry_ms ?? 2_000);
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
    while (!this.stopping) {
      try {
        const applied = await this.drain();
        if (applied === 0) await this.pause(this.options.idle_poll_ms ?? 250);
      } catch (error) {
        if (error instanceof CheckpointMoved) continue;
        this.options.onError?.(error);
        await this.pause(this.options.error_backoff_ms ?? 1_000);
      }
    }
  }

  private pause(ms: number): Promise<void> {
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
}
