import { Logger } from '@nestjs/common';
import type { SqlDatabase } from '@ledger/database';
import { isTimeoutJob, SAGA_JOB_POLICIES, type SagaJob, type SagaJobQueue } from '@ledger/ledger';
import { type MovementStreams, type SagaState } from '@ledger/ledger/nest';
import { inParallel } from './in-parallel';
import { pendingMovementRevisions } from './movements.table';
import { timerInput } from './saga-jobs.runner';
import {
  deleteSagaTimer,
  dueSagaTimers,
  markSagaTimerFired,
  type SagaTimer,
} from './saga-timers.table';
import { withSagaCorrelation } from './saga-correlation';

export interface SagaReconcilerOptions {
  /** Pause between two passes over the unfinished sagas. */
  readonly reconcileIntervalMs: number;
  /** Pause between two looks for due timers. */
  readonly timerPollMs: number;
  /** The saga clock: a timer is due when this passes its deadline. */
  readonly clock: () => Date;
  readonly jobPolicies: typeof SAGA_JOB_POLICIES;
  readonly concurrency: number;
}

/** Unfinished sagas checked per page; one page per turn of the driver's loop. */
const RECONCILE_PAGE = 200;
/** A full pass stops after this many pages (a million sagas) and starts over next interval. */
const MAX_PAGES_PER_PASS = 5_000;
/** Due timers fired per poll. */
const TIMER_PAGE = 100;

/** The jobs a saga needs now that run at once (provider calls); timers are fired from Postgres instead. */
function immediateJobs(saga: SagaState): SagaJob[] {
  return saga.summary ? saga.saga.jobs(saga.state, saga.stream).filter((job) => !job.runAt) : [];
}

/**
 * A queue is not a database: what a saga waits on is re-created from the
 * saga's own state while the worker runs. The saga driver calls `tick`
 * between batches, under its advisory lock, so one instance runs.
 *
 * - **Jobs.** Every `reconcileIntervalMs` a pass over the unfinished sagas,
 *   a page per tick, asks the queue for each job the saga needs now and
 *   re-enqueues a missing one under its derived id. A saga whose latest
 *   event the driver has not handled yet is left to the driver.
 * - **Timers.** Every `timerPollMs` the due rows of `saga_timers` are fired
 *   as saga inputs, the same input the delayed job records, so a timer fires
 *   even when the queue lost its delayed job. The input's command id derives
 *   from the saga, so firing twice (the delayed job and this) records once.
 *
 * Re-creating a job cannot redo its side effect: a job records its outcome
 * on the saga before it counts as finished, so a job found missing is read
 * against the saga again and re-created only if the saga still waits on it;
 * and the runner itself acts only in the phase that needs the call, under
 * the provider idempotency key derived from the saga.
 */
export class SagaReconciler {
  private readonly logger = new Logger(SagaReconciler.name);
  private cursor = '';
  private nextPassAt = 0;
  private nextTimerPollAt = 0;
  private recreated = 0;
  private fired = 0;

  constructor(
    private readonly db: SqlDatabase,
    private readonly streams: MovementStreams,
    private readonly jobs: SagaJobQueue,
    private readonly options: SagaReconcilerOptions,
  ) {}

  /** Jobs this process re-created because the queue had lost them. */
  get jobsRecreated(): number {
    return this.recreated;
  }

  /** Timers this process fired from `saga_timers`. */
  get timersFired(): number {
    return this.fired;
  }

  /** One turn of the driver's loop: a poll of the timers and a page of the pass, each when due. Never throws. */
  async tick(): Promise<void> {
    if (Date.now() >= this.nextTimerPollAt) {
      this.nextTimerPollAt = Date.now() + this.options.timerPollMs;
      await this.fireDueTimers().catch((error: unknown) =>
        this.logger.error(`Firing due saga timers failed: ${message(error)}`),
      );
    }
    if (Date.now() >= this.nextPassAt) {
      const { next } = await this.reconcilePage(this.cursor).catch((error: unknown) => {
        this.logger.error(`Reconciling saga jobs failed: ${message(error)}`);
        return { next: undefined };
      });
      this.cursor = next ?? '';
      if (next === undefined) this.nextPassAt = Date.now() + this.options.reconcileIntervalMs;
    }
  }

  /** A whole pass from the first unfinished saga; returns the jobs it re-created. For tests and operators. */
  async reconcile(): Promise<number> {
    let recreated = 0;
    let cursor: string | undefined = '';
    for (let page = 0; page < MAX_PAGES_PER_PASS && cursor !== undefined; page++) {
      const result = await this.reconcilePage(cursor);
      recreated += result.recreated;
      cursor = result.next;
    }
    return recreated;
  }

  /** Fires the timers due now, at most a page; returns how many recorded their input. */
  async fireDueTimers(): Promise<number> {
    const now = this.options.clock();
    const due = await dueSagaTimers(this.db, now, TIMER_PAGE);
    let fired = 0;
    await inParallel(due, this.options.concurrency, async (timer) => {
      try {
        if (await this.fire(timer, now)) fired++;
      } catch (error) {
        this.logger.warn(
          `Timer ${timer.jobId} not fired, tried again next poll: ${message(error)}`,
        );
      }
    });
    if (fired > 0) this.logger.log(`Fired ${fired} saga timer(s) from saga_timers`);
    this.fired += fired;
    return fired;
  }

  /**
   * Checks the page of unfinished sagas after `after`; returns the jobs it
   * re-created and where the next page starts (undefined at the end).
   */
  private async reconcilePage(
    after: string,
  ): Promise<{ next: string | undefined; recreated: number }> {
    const page = await pendingMovementRevisions(this.db, after, RECONCILE_PAGE);
    let recreated = 0;
    await inParallel(page, this.options.concurrency, async ({ movementId, revision }) => {
      recreated += await this.reconcileSaga(movementId, revision).catch((error: unknown) => {
        this.logger.warn(`Saga ${movementId} not reconciled, tried next pass: ${message(error)}`);
        return 0;
      });
    });
    if (recreated > 0) {
      this.recreated += recreated;
      this.logger.warn(`Re-created ${recreated} saga job(s) missing from the queue`);
    }
    const next = page.length < RECONCILE_PAGE ? undefined : page[page.length - 1]?.movementId;
    return { next, recreated };
  }

  private async reconcileSaga(stream: string, revision: bigint): Promise<number> {
    const saga = await this.streams.current(stream, 'latest');
    // The driver has events of this saga in hand: it enqueues the saga's jobs itself.
    if (!saga || saga.revision !== revision) return 0;
    const missing: SagaJob[] = [];
    for (const job of immediateJobs(saga)) if (!(await this.jobs.has(job.jobId))) missing.push(job);
    if (missing.length === 0) return 0;
    // A job that finished after the first read recorded its outcome before it
    // left the queue: read again, the saga no longer lists it.
    const fresh = await this.streams.current(stream, 'latest');
    const waitedOn = new Set(fresh ? immediateJobs(fresh).map((job) => job.jobId) : []);
    let recreated = 0;
    // Re-created jobs carry the correlation id (and trace) of the request that began the saga.
    await withSagaCorrelation(
      async (s) => (await this.streams.replay(s))?.events[0],
      stream,
      async () => {
        for (const job of missing) {
          if (!waitedOn.has(job.jobId)) continue;
          await this.jobs.enqueue(job, { delayMs: 0, ...this.options.jobPolicies[job.name] });
          recreated++;
        }
      },
    );
    return recreated;
  }

  /**
   * Records the timer's input if the saga still waits on it (a delayed
   * provider call is enqueued to run now instead); a timer it no longer
   * needs is deleted.
   */
  private async fire(timer: SagaTimer, now: Date): Promise<boolean> {
    const saga = await this.streams.current(timer.stream, 'latest');
    const job = saga?.summary
      ? saga.saga.jobs(saga.state, timer.stream).find((j) => j.jobId === timer.jobId)
      : undefined;
    if (!job) {
      await deleteSagaTimer(this.db, timer);
      return false;
    }
    if (!isTimeoutJob(job.name)) {
      const immediate = { name: job.name, jobId: job.jobId, sagaStream: job.sagaStream };
      await this.jobs.enqueue(immediate, { delayMs: 0, ...this.options.jobPolicies[job.name] });
      await markSagaTimerFired(this.db, timer, now);
      return true;
    }
    const outcome = await this.streams.record(timer.stream, timerInput(timer.stream, now), {
      correlationId: timer.stream,
      causationId: timer.jobId,
    });
    if (!outcome.ok)
      this.logger.error(`Saga ${timer.stream} refused its timer: ${outcome.rejection}`);
    // Marked either way: a refused input would be refused again, every poll.
    await markSagaTimerFired(this.db, timer, now);
    return outcome.ok;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
