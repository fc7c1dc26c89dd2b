import { Logger } from '@nestjs/common';
import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import {
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import {
  parseSagaStreamId,
  SAGA_JOB_POLICIES,
  SagaStepper,
  type SagaJobQueue,
  type WalletExecutor,
} from '@ledger/ledger';
import { type SagaState, type MovementStreams } from '@ledger/ledger/nest';
import { withEventCorrelation, withSagaCorrelation } from './saga-correlation';
import {
  loadSagaCheckpoint,
  moveSagaCheckpoint,
  pendingMovements,
  upsertMovements,
  type MovementRow,
} from './movements.table';
import {
  countParkedSagas,
  describeError,
  dueParkedSagas,
  listParkedSagas,
  parkSaga,
  unparkSagas,
  type ParkedSaga,
} from './saga-parking.table';
import { inParallel } from './in-parallel';
import { SagaReconciler } from './saga-reconciler';
import { syncSagaTimers, type SagaTimer } from './saga-timers.table';

export type { WalletExecutor } from '@ledger/ledger';

export interface SagaDriverOptions {
  /** Checkpoint name; one active driver per name. */
  readonly name?: string;
  /** Events read from the log per batch. */
  readonly batchSize?: number;
  /**
   * Sagas advanced at once within a batch. Each advance waits on a few
   * sequential appends; many in flight keep the group commit's batches full.
   */
  readonly concurrency?: number;
  /** Pause when the log has nothing new; also the first retry delay of a parked saga. */
  readonly idlePollMs?: number;
  /**
   * Longest wait after a batch that could not be handled (an outage), and
   * between retries of a parked saga; both grow exponentially to it.
   */
  readonly maxBackoffMs?: number;
  readonly clock?: () => Date;
  /** Attempts and backoff per job; `SAGA_JOB_POLICIES` unless a test wants them faster. */
  readonly jobPolicies?: typeof SAGA_JOB_POLICIES;
  /**
   * Called for each advanced saga that is completed or failed, before the
   * checkpoint moves past it, so it sees every terminal saga at least once
   * (and again after a redelivery or a restart: it must be idempotent).
   * Throwing counts as not advanced. The worker enqueues notifications here.
   */
  readonly onTerminal?: (saga: SagaState) => Promise<void>;
  /** Pause between two passes that re-create the jobs the queue lost (see `SagaReconciler`). */
  readonly reconcileIntervalMs?: number;
  /** Pause between two looks for due timers in `saga_timers`. */
  readonly timerPollMs?: number;
}

const SWEEP_PAGE = 200;
/** Parked sagas retried per pass. */
const RETRY_PAGE = 200;

/**
 * Drives every money-movement saga from the global log. For each saga event
 * it loads the saga from its stream, asks its pure `next` what is due,
 * performs it (a wallet command whose id derives from the saga and the step;
 * enqueuing the saga's jobs by their derived ids) and records the outcome on
 * the saga stream with the expected revision.
 *
 * A saga that fails is parked (`saga_parking`) in the same transaction that
 * moves the checkpoint past its events, so one failing saga never holds back
 * the others; parked sagas are advanced again, from their latest state, when
 * their backoff is due, and unparked once that succeeds. So a crash or an
 * outage at any line is resumed by handling the same events again, or the
 * parked saga: every step is idempotent, so that changes nothing twice. On
 * start it also advances every unfinished saga once, and every parked saga.
 *
 * A queue is not a database: while it runs, its `reconciler` re-creates the
 * jobs the queue lost (Redis restarted empty) and fires the saga timers
 * whose deadlines the driver writes to `saga_timers` with each saga.
 */
export class SagaDriver {
  private readonly logger = new Logger(SagaDriver.name);
  private readonly name: string;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly idlePollMs: number;
  private readonly maxBackoffMs: number;
  private readonly clock: () => Date;
  private readonly jobPolicies: typeof SAGA_JOB_POLICIES;
  private readonly onTerminal?: (saga: SagaState) => Promise<void>;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  /** A new driver (a restarted process) retries every parked saga once without waiting for its backoff. */
  private retriedAllParked = false;
  private nextParkedCheck = 0;
  private parkedCount?: number;
  /** Sagas whose recorded state admits no step (a refused capture): reported, not retried in a loop. */
  readonly stuck = new Set<string>();
  /** Re-creates lost jobs and fires durable timers; `jobsRecreated` and `timersFired` count them. */
  readonly reconciler: SagaReconciler;
  private readonly stepper: SagaStepper;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    streams: MovementStreams,
    wallets: WalletExecutor,
    jobs: SagaJobQueue,
    options: SagaDriverOptions = {},
  ) {
    this.name = options.name ?? 'sagas';
    this.batchSize = options.batchSize ?? 500;
    this.concurrency = options.concurrency ?? 64;
    this.idlePollMs = options.idlePollMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.clock = options.clock ?? (() => new Date());
    this.jobPolicies = options.jobPolicies ?? SAGA_JOB_POLICIES;
    this.onTerminal = options.onTerminal;
    this.stepper = new SagaStepper(streams, wallets, jobs, {
      clock: this.clock,
      jobPolicies: this.jobPolicies,
      onStuck: (stream, action, result, why) => {
        this.stuck.add(stream);
        this.logger.error(
          `Saga ${stream} cannot record ${action.step} (${JSON.stringify(result)}): ${why}`,
        );
      },
    });
    this.reconciler = new SagaReconciler(db, streams, jobs, {
      reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
      timerPollMs: options.timerPollMs ?? 1_000,
      clock: this.clock,
      jobPolicies: this.jobPolicies,
      concurrency: this.concurrency,
    });
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.run().catch((error: unknown) =>
      this.logger.error(`Saga driver stopped: ${String(error)}`),
    );
  }

  /** Finishes the batch in hand, then stops. A hard crash is the same minus the finishing, and equally safe. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /**
   * Handles everything in the log now, and fires the timers due, then
   * returns the events handled; for tests and the CLI. The SQL store only
   * returns events below the oldest transaction running anywhere on the
   * server, so one empty read can mean "not visible yet": the log counts as
   * drained after a few empty reads in a row, with growing pauses (10, 40,
   * 160 ms by default) between them.
   */
  async drain(options: { emptyReads?: number; pauseMs?: number } = {}): Promise<number> {
    const emptyReads = options.emptyReads ?? 4;
    let handled = 0;
    // Also retries the parked sagas that are due. A retry that fails again
    // moves the saga's next attempt later and counts as a quiet round, so a
    // saga that keeps failing ends the drain like an empty log does.
    for (let empty = 0; empty < emptyReads;) {
      const batch = await this.step();
      const unparked = await this.retryParked();
      const fired = await this.reconciler.fireDueTimers();
      handled += batch.handled + unparked;
      if (batch.read > 0 || unparked > 0 || fired > 0) {
        empty = 0;
        continue;
      }
      if (++empty < emptyReads) await this.pause((options.pauseMs ?? 10) * 4 ** (empty - 1));
    }
    return handled;
  }

  /**
   * Advances every unfinished saga once (see the class comment) and writes
   * its timers, which also fills `saga_timers` for sagas started before it existed.
   */
  async resumeUnfinished(): Promise<number> {
    let after = '';
    let count = 0;
    for (;;) {
      const page = await pendingMovements(this.db, after, SWEEP_PAGE);
      const advanced: SagaState[] = [];
      await this.inParallel(page, (stream) =>
        withSagaCorrelation(firstEventOf(this.store), stream, async () => {
          const saga = await this.advance(stream, undefined).catch((e: unknown) => {
            this.report(stream, e);
            return undefined;
          });
          if (saga) advanced.push(saga);
        }),
      );
      // Not fatal: each saga's rows are written again when it next advances.
      await this.db
        .transaction((tx) => this.save(tx, advanced))
        .catch((error: unknown) =>
          this.logger.error(`Saving resumed sagas failed: ${String(error)}`),
        );
      count += page.length;
      const last = page.at(-1);
      if (page.length < SWEEP_PAGE || this.stopping || last === undefined) return count;
      after = last;
    }
  }

  private async run(): Promise<void> {
    const lock = await this.db.tryLock(`saga-driver:${this.name}`);
    if (!lock) {
      this.logger.warn(`Another saga driver holds ${this.name}; this one stays idle`);
      return;
    }
    try {
      await this.resumeUnfinished();
      let failures = 0;
      while (!this.stopping) {
        const batch = await this.step().catch((error: unknown) => {
          this.logger.error(`Saga batch failed: ${String(error)}`);
          return { read: 0, handled: 0, failed: true };
        });
        if (Date.now() >= this.nextParkedCheck) {
          this.nextParkedCheck = Date.now() + this.idlePollMs;
          await this.retryParked().catch((error: unknown) =>
            this.logger.error(`Retrying parked sagas failed: ${String(error)}`),
          );
        }
        failures = batch.failed ? failures + 1 : 0;
        if (batch.failed)
          await this.pause(Math.min(this.maxBackoffMs, this.idlePollMs * 2 ** failures));
        // Pause only when the log had nothing new: under load the next batch
        // is read at once, so a saga's steps never wait for a poll interval.
        else if (batch.read === 0) await this.pause(this.idlePollMs);
        await this.reconciler.tick();
      }
    } finally {
      await lock.release();
    }
  }

  /**
   * One batch: read, advance each saga once, park the sagas that failed and
   * move the checkpoint past the batch. Fails (and moves nothing) only when
   * the transaction does: an outage of the database.
   */
  private async step(): Promise<{ read: number; handled: number; failed: boolean }> {
    const from = await loadSagaCheckpoint(this.db, this.name);
    const events = await this.store.readAll({ after: from, maxCount: this.batchSize });
    const lastEvent = events.at(-1);
    if (!lastEvent) return { read: 0, handled: 0, failed: false };
    // Only a saga's latest event in the batch matters: advancing reads the whole stream anyway.
    const lastOf = new Map<string, RecordedEvent>();
    for (const event of events) {
      if (!parseSagaStreamId(event.streamId)) continue;
      lastOf.set(event.streamId, event);
    }
    const failed = new Map<string, string>();
    const advanced: SagaState[] = [];
    const succeeded: string[] = [];
    await this.inParallel([...lastOf.values()], (event) =>
      // The saga's steps, jobs and log lines carry the correlation id of the
      // event that woke the driver: the id of the request that began the saga.
      withEventCorrelation(event, event.streamId, async () => {
        try {
          const saga = await this.advance(event.streamId, event);
          if (saga?.summary && saga.summary.status !== 'pending') await this.onTerminal?.(saga);
          if (saga) advanced.push(saga);
          succeeded.push(event.streamId);
        } catch (error) {
          this.report(event.streamId, error);
          failed.set(event.streamId, describeError(error));
        }
      }),
    );
    const to: Position = lastEvent.position;
    const now = this.clock();
    await this.db.transaction(async (tx) => {
      await this.save(tx, advanced);
      // A saga parked earlier that advanced on a new event is done waiting.
      await unparkSagas(tx, this.name, succeeded);
      for (const [stream, error] of failed)
        await parkSaga(tx, this.name, stream, error, now, (attempts) => this.retryDelay(attempts));
      if (comparePositions(to, from) > 0) await moveSagaCheckpoint(tx, this.name, from, to);
    });
    if (failed.size > 0) await this.logParked();
    return { read: events.length, handled: succeeded.length, failed: false };
  }

  /**
   * Advances the parked sagas whose next attempt is due (all of them on the
   * first call of this driver) from their latest state, unparks those that
   * advanced and moves the next attempt of the others later. Returns how many
   * were unparked.
   */
  private async retryParked(): Promise<number> {
    const now = this.clock();
    const all = !this.retriedAllParked;
    const streams = await dueParkedSagas(this.db, this.name, all ? undefined : now, RETRY_PAGE);
    if (all && streams.length < RETRY_PAGE) this.retriedAllParked = true;
    if (streams.length === 0) return 0;
    const advanced: SagaState[] = [];
    const succeeded: string[] = [];
    const failed = new Map<string, string>();
    await this.inParallel(streams, (stream) =>
      withSagaCorrelation(firstEventOf(this.store), stream, async () => {
        try {
          const saga = await this.advance(stream, undefined);
          if (saga?.summary && saga.summary.status !== 'pending') await this.onTerminal?.(saga);
          if (saga) advanced.push(saga);
          succeeded.push(stream);
        } catch (error) {
          this.report(stream, error);
          failed.set(stream, describeError(error));
        }
      }),
    );
    await this.db.transaction(async (tx) => {
      await this.save(tx, advanced);
      await unparkSagas(tx, this.name, succeeded);
      for (const [stream, error] of failed)
        await parkSaga(tx, this.name, stream, error, now, (attempts) => this.retryDelay(attempts));
    });
    await this.logParked();
    return succeeded.length;
  }

  /**
   * Writes the advanced sagas' movement rows and their timers: the deadline
   * of each timer a saga waits on now, in the same transaction that moves
   * the checkpoint past the event that started the wait.
   */
  private async save(tx: SqlExecutor, advanced: readonly SagaState[]): Promise<void> {
    const timers: SagaTimer[] = [];
    const streams: string[] = [];
    const movements: MovementRow[] = [];
    for (const saga of advanced) {
      if (!saga.summary || saga.revision === undefined) continue;
      movements.push({
        movementId: saga.stream,
        kind: saga.kind,
        summary: saga.summary,
        revision: saga.revision,
      });
      streams.push(saga.stream);
      for (const job of saga.saga.jobs(saga.state, saga.stream))
        if (job.runAt)
          timers.push({ stream: saga.stream, name: job.name, jobId: job.jobId, dueAt: job.runAt });
    }
    await upsertMovements(tx, movements);
    await syncSagaTimers(tx, streams, timers);
  }

  /** The wait before the next attempt after `attempts` failed ones: idlePollMs doubling up to maxBackoffMs. */
  private retryDelay(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.idlePollMs * 2 ** Math.min(attempts - 1, 30));
  }

  /** Logs the number of parked sagas when it changed. */
  private async logParked(): Promise<void> {
    const count = await countParkedSagas(this.db, this.name);
    if (count === this.parkedCount) return;
    this.parkedCount = count;
    if (count > 0) this.logger.warn(`Saga driver ${this.name}: ${count} saga(s) parked, retrying`);
    else this.logger.log(`Saga driver ${this.name}: no saga parked`);
  }

  /** For operators: the sagas this driver has parked, oldest first. */
  parked(limit = 100): Promise<ParkedSaga[]> {
    return listParkedSagas(this.db, this.name, limit);
  }

  /**
   * Loads the saga, makes sure its jobs exist, and performs due steps until
   * none is due (the shared `SagaStepper`). Throws on an outage (the driver
   * then parks the saga and advances it again later).
   */
  async advance(stream: string, cause: RecordedEvent | undefined): Promise<SagaState | undefined> {
    // The event that woke the driver may come from another process (a webhook
    // recorded by the API): the state must include at least that event.
    const { saga } = await this.stepper.advance(
      stream,
      cause?.revision ?? 'latest',
      cause?.id ?? stream,
    );
    return saga;
  }

  private report(stream: string, error: unknown): void {
    this.logger.warn(
      `Saga ${stream} not advanced, parked for a retry: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    return inParallel(items, this.concurrency, fn);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** A saga's first event: the correlation id and trace of the request that began it. */
function firstEventOf(store: EventStore): (stream: string) => Promise<RecordedEvent | undefined> {
  return async (stream) => (await store.readStream(stream, { maxCount: 1 }))[0];
}
