import { Logger } from '@nestjs/common';
import type { SqlDatabase } from '@ledger/database';
import {
  CheckpointedReader,
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
import { isTerminalEvent } from '../notifications/movement-recipients';
import { loadSagaCheckpoint, moveSagaCheckpoint, pendingMovements } from './movements.table';
import {
  countParkedSagas,
  dueParkedSagas,
  listParkedSagas,
  type ParkedSaga,
} from './saga-parking.table';
import { SagaReconciler } from './saga-reconciler';
import type { SagaDriverOptions } from './saga-driver.options';
import { LeasedSagas } from './leased-sagas';
import { save, SagaRounds, type SagaRound, type SagaWake } from './saga-rounds';

export type { WalletExecutor } from '@ledger/ledger';
export type { SagaDriverOptions } from './saga-driver.options';

const SWEEP_PAGE = 200;
/** Parked sagas retried per pass; also leased sagas re-checked per pass. */
const RETRY_PAGE = 200;

/**
 * Drives every money-movement saga from the global log, as a handler of the
 * shared `CheckpointedReader` (checkpoint `saga:<name>` in `log_checkpoints`,
 * lease `saga-driver:<name>`). For each saga event it loads the saga from its
 * stream, asks its pure `next` what is due, performs it (a wallet command
 * whose id derives from the saga and the step; enqueuing the saga's jobs by
 * their derived ids) and records the outcome on the saga stream with the
 * expected revision (`SagaRounds`).
 *
 * A saga that fails is parked (`saga_parking`) in the same transaction that
 * moves the checkpoint past its events, so one failing saga never holds back
 * the others; parked sagas are advanced again, from their latest state, when
 * their backoff is due, and unparked once that succeeds. So a crash or an
 * outage at any line is resumed by handling the same events again, or the
 * parked saga: every step is idempotent, so that changes nothing twice. On
 * start it also advances every unfinished saga once, and every parked saga.
 *
 * A saga whose inline run's lease lasts (a transfer the API is running)
 * is left alone: its movement row is written with the batch, and it is
 * remembered in memory and advanced again when its lease (plus the margin)
 * ends, unless the log shows it finished before. A crashed driver loses that
 * memory, not the saga: the resume at start advances every unfinished one
 * (docs/sagas.md, "The inline run's lease").
 *
 * A queue is not a database: while it runs, its `reconciler` re-creates the
 * jobs the queue lost (Redis restarted empty) and fires the saga timers
 * whose deadlines the driver writes to `saga_timers` with each saga.
 */
export class SagaDriver {
  private readonly logger = new Logger(SagaDriver.name);
  private readonly name: string;
  private readonly idlePollMs: number;
  private readonly maxBackoffMs: number;
  private readonly clock: () => Date;
  private readonly reader: CheckpointedReader;
  private readonly rounds: SagaRounds;
  /** A new driver (a restarted process) retries every parked saga once without waiting for its backoff. */
  private retriedAllParked = false;
  private nextParkedCheck = 0;
  private parkedCount?: number;
  /** Sagas advanced by the batches committed since the last `drain` began. */
  private handled = 0;
  /** Sagas left to their inline run, by movement id: when to advance each again. */
  private readonly leased = new LeasedSagas();
  /** Re-creates lost jobs and fires durable timers; `jobsRecreated` and `timersFired` count them. */
  readonly reconciler: SagaReconciler;

  constructor(
    private readonly db: SqlDatabase,
    store: EventStore,
    private readonly streams: MovementStreams,
    wallets: WalletExecutor,
    jobs: SagaJobQueue,
    options: SagaDriverOptions = {},
  ) {
    const name = options.name ?? 'sagas';
    this.name = name;
    const concurrency = options.concurrency ?? 64;
    this.idlePollMs = options.idlePollMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.clock = options.clock ?? (() => new Date());
    const jobPolicies = options.jobPolicies ?? SAGA_JOB_POLICIES;
    const stepper = new SagaStepper(streams, wallets, jobs, {
      clock: this.clock,
      jobPolicies,
      ...(options.leaseMarginMs !== undefined && { leaseMarginMs: options.leaseMarginMs }),
      // A saga whose recorded state admits no step (a refused capture) is
      // logged, not retried in a loop; operators find it among the stuck
      // movements (GET /ledger/movements/stuck), which the read models keep.
      onStuck: (movementId, action, result, why) => {
        this.logger.error(
          `Saga ${movementId} cannot record ${action.step} (${JSON.stringify(result)}): ${why}`,
        );
      },
    });
    this.rounds = new SagaRounds(stepper, {
      driver: name,
      concurrency,
      retryDelay: (attempts) => this.retryDelay(attempts),
      onTerminal: options.onTerminal,
      logger: this.logger,
      firstEvent: async (movementId) => (await store.readStream(movementId, { maxCount: 1 }))[0],
    });
    this.reconciler = new SagaReconciler(db, streams, jobs, {
      reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
      timerPollMs: options.timerPollMs ?? 1_000,
      clock: this.clock,
      jobPolicies,
      concurrency,
    });
    this.reader = new CheckpointedReader(
      store,
      {
        load: () => loadSagaCheckpoint(db, name),
        lease: () => db.tryLock(`saga-driver:${name}`),
      },
      {
        commit: (from, events) => this.commit(from, events),
        onLeased: async () => {
          await this.resumeUnfinished();
        },
        afterPass: () => this.afterPass(),
      },
      {
        batchSize: options.batchSize ?? 500,
        // One batch per pass, so parked retries and timers take turns with the log under load.
        batchesPerPass: 1,
        idlePollMs: this.idlePollMs,
        leaseRetryMs: options.leaseRetryMs ?? 2_000,
        errorBackoffMs: this.idlePollMs * 2,
        errorBackoffMaxMs: this.maxBackoffMs,
        onError: (error) => this.logger.error(`Saga batch failed: ${String(error)}`),
      },
    );
  }

  /** Runs the driver in the background while it holds its lease; another driver of this name waits for it. */
  start(): void {
    this.reader.start();
  }

  /** Finishes the batch in hand, then stops. A hard crash is the same minus the finishing, and equally safe. */
  stop(): Promise<void> {
    return this.reader.stop();
  }

  /** Cuts an idle pause short: saga events were appended in this process. */
  poke(): void {
    this.reader.poke();
  }

  /**
   * Handles everything in the log now, and fires the timers due, then
   * returns the sagas advanced; for tests and the CLI. The SQL store only
   * returns events below the oldest transaction running anywhere on the
   * server, so one empty read can mean "not visible yet": the log counts as
   * drained after a few empty reads in a row, with growing pauses (10, 40,
   * 160 ms by default) between them.
   */
  async drain(options: { emptyReads?: number; pauseMs?: number } = {}): Promise<number> {
    const emptyReads = options.emptyReads ?? 4;
    let total = 0;
    // Also retries the parked sagas that are due. A retry that fails again
    // moves the saga's next attempt later and counts as a quiet round, so a
    // saga that keeps failing ends the drain like an empty log does.
    for (let empty = 0; empty < emptyReads;) {
      this.handled = 0;
      const read = await this.reader.drain({ maxBatches: 1, reload: true });
      const unparked = await this.retryParked();
      const released = await this.advanceLeased();
      const fired = await this.reconciler.fireDueTimers();
      total += this.handled + unparked + released;
      if (read > 0 || unparked > 0 || released > 0 || fired > 0) {
        empty = 0;
        continue;
      }
      if (++empty < emptyReads) await sleep((options.pauseMs ?? 10) * 4 ** (empty - 1));
    }
    return total;
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
      const round = await this.rounds.advance(page.map((movementId) => ({ movementId })));
      this.leased.remember(round);
      // Not fatal: each saga's rows are written again when it next advances.
      await this.db
        .transaction((tx) => save(tx, round.advanced))
        .catch((error: unknown) =>
          this.logger.error(`Saving resumed sagas failed: ${String(error)}`),
        );
      count += page.length;
      const last = page[page.length - 1];
      if (page.length < SWEEP_PAGE || last === undefined || this.reader.isStopping) return count;
      after = last;
    }
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
  advance(movementId: string, cause: RecordedEvent | undefined): Promise<SagaState | undefined> {
    return this.rounds.advanceOne(movementId, cause);
  }

  /**
   * One batch of the log: advance each saga once, park the sagas that failed
   * and move the checkpoint past the batch, in one transaction. Fails (and
   * moves nothing) when the transaction does, an outage of the database, or
   * when the batch's terminal sagas could not be handed to `onTerminal`.
   */
  private async commit(from: Position, events: readonly RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    // Only a saga's latest event in the batch matters: advancing reads the
    // whole stream anyway. Its terminal event, when the batch holds it, is
    // what tells that the movement ended in this batch (its later events do not).
    const lastOf = new Map<string, SagaWake>();
    for (const event of events) {
      if (!parseSagaStreamId(event.streamId)) continue;
      const terminal = isTerminalEvent(event) ? event : lastOf.get(event.streamId)?.terminal;
      lastOf.set(event.streamId, {
        movementId: event.streamId,
        cause: event,
        ...(terminal && { terminal }),
      });
    }
    // Sagas the API wrote are then current here without a read of their streams.
    this.streams.observe(events);
    const round = await this.rounds.advance([...lastOf.values()], 'log');
    this.leased.remember(round);
    await this.record(round, (tx) =>
      comparePositions(last.position, from) > 0
        ? moveSagaCheckpoint(tx, this.name, from, last.position, last.createdAt)
        : Promise.resolve(),
    );
    this.handled += round.succeeded.length;
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
    const due = await dueParkedSagas(this.db, this.name, all ? undefined : now, RETRY_PAGE);
    if (all && due.length < RETRY_PAGE) this.retriedAllParked = true;
    if (due.length === 0) return 0;
    const round = await this.rounds.advance(
      due.map((movementId) => ({ movementId })),
      'retry',
    );
    this.leased.remember(round);
    await this.record(round, undefined, now);
    return round.succeeded.length;
  }

  /**
   * Advances the leased sagas whose lease (plus the margin) is over and
   * that the log has not shown finished since; returns how many advanced.
   */
  private async advanceLeased(): Promise<number> {
    const due = this.leased.takeDue(this.clock().getTime(), RETRY_PAGE);
    if (due.length === 0) return 0;
    const round = await this.rounds.advance(due, 'lease');
    this.leased.remember(round);
    await this.record(round, undefined);
    return round.succeeded.length - round.leased.size;
  }

  /** How many sagas this driver leaves to their inline run now (for tests and metrics). */
  get leasedCount(): number {
    return this.leased.size;
  }

  /** Records a round (and, for a batch of the log, the checkpoint) in one transaction. */
  private async record(
    round: SagaRound,
    moveCheckpoint: ((tx: Parameters<typeof save>[0]) => Promise<void>) | undefined,
    now: Date = this.clock(),
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.rounds.record(tx, round, now);
      await moveCheckpoint?.(tx);
    });
    if (round.failed.size > 0 || !moveCheckpoint) await this.logParked();
  }

  /** Between batches of the running loop: due parked and leased sagas (at most every idlePollMs), then the reconciler. */
  private async afterPass(): Promise<void> {
    if (Date.now() >= this.nextParkedCheck) {
      this.nextParkedCheck = Date.now() + this.idlePollMs;
      await this.retryParked().catch((error: unknown) =>
        this.logger.error(`Retrying parked sagas failed: ${String(error)}`),
      );
      await this.advanceLeased().catch((error: unknown) =>
        this.logger.error(`Advancing sagas past their lease failed: ${String(error)}`),
      );
    }
    await this.reconciler.tick();
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
