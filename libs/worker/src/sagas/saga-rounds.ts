import type { Logger } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import type { SqlExecutor } from '@ledger/database';
import type { RecordedEvent } from '@ledger/event-store';
import type { SagaAdvance, SagaStepper } from '@ledger/ledger';
import type { SagaState } from '@ledger/ledger/nest';
import { logCorrelation } from '@ledger/observability';
import { inParallel } from './in-parallel';
import { withEventCorrelation, withSagaCorrelation } from './saga-correlation';
import { upsertMovements, type MovementRow } from './movements.table';
import { describeError, parkSaga, unparkSagas } from './saga-parking.table';
import { syncSagaTimers, type SagaTimer } from './saga-timers.table';

/** What advancing a set of sagas once came to, recorded in one transaction by `SagaRounds.record`. */
export interface SagaRound {
  readonly advanced: SagaState[];
  readonly succeeded: string[];
  /** Movement id → the error that kept it from advancing. */
  readonly failed: Map<string, string>;
  /**
   * Sagas left alone because their inline run's lease lasts (they count as
   * succeeded and their rows are written): when to advance each again, and
   * the event that woke it.
   */
  readonly leased: Map<string, LeasedSaga>;
}

/** A saga the driver leaves to its inline run until `dueMs`. */
export interface LeasedSaga {
  readonly dueMs: number;
  readonly cause?: RecordedEvent;
}

/** A saga a round left completed or failed, and how the driver came to advance it. */
export interface TerminalSaga {
  readonly saga: SagaState;
  /** What woke the driver: a batch of the log, a parked saga's retry, or an inline run's lease that ended. */
  readonly woken: WakeKind;
  /** Its terminal event, when the batch of the log that woke the driver holds it. */
  readonly terminal?: RecordedEvent;
  /** What its step logged under: the id of the request that began the saga, when known. */
  readonly correlationId?: string;
  /** The trace its step ran in, as a W3C `traceparent`, when tracing is on. */
  readonly traceparent?: string;
  /** This advance recorded events on it: they are in the log after the wake, and wake the driver again. */
  readonly stepped?: true;
}

/** One saga to advance: its movement id and, when a log event woke it, that event. */
export interface SagaWake {
  readonly movementId: string;
  readonly cause?: RecordedEvent;
  /** The saga's terminal event, when the batch of the log that woke it holds it (the cause or earlier). */
  readonly terminal?: RecordedEvent;
}

/**
 * Why a round runs: a batch of the log, due parked sagas, sagas whose
 * inline run's lease ended, or the resume at start (which tells no one).
 */
export type WakeKind = 'log' | 'retry' | 'lease';

export interface SagaRoundsOptions {
  /** The driver's name: parked sagas are kept per driver. */
  readonly driver: string;
  readonly concurrency: number;
  /** The wait before the next attempt after `attempts` failed ones. */
  readonly retryDelay: (attempts: number) => number;
  /** The round's terminal sagas, together; see `SagaDriverOptions.onTerminal`. */
  readonly onTerminal?: (ended: readonly TerminalSaga[]) => Promise<void>;
  readonly logger: Pick<Logger, 'warn'>;
  /** A saga's first event, for the correlation of a saga advanced without an event in hand. */
  readonly firstEvent: (movementId: string) => Promise<RecordedEvent | undefined>;
}

/**
 * Advances sagas and records the outcome: the one block the saga driver runs
 * for a batch of the log, for due parked sagas and for the resume at start.
 * A saga that throws is parked (it never holds the others back); a saga
 * that advanced is unparked; the movement rows and timers of the advanced
 * ones are written in the caller's transaction.
 */
export class SagaRounds {
  constructor(
    private readonly stepper: SagaStepper,
    private readonly options: SagaRoundsOptions,
  ) {}

  /**
   * Advances each saga once, `concurrency` at a time; never throws for one
   * saga's failure. `onTerminal` sees the round's terminal sagas at once,
   * unless it is the resume (`woken` undefined). When it throws, a batch of
   * the log fails whole (the reader reads it again: no saga is parked whose
   * announcement a later wake could then skip); in any other round its
   * terminal sagas count as failed.
   */
  async advance(wakes: readonly SagaWake[], woken?: WakeKind): Promise<SagaRound> {
    const advanced: SagaState[] = [];
    const succeeded: string[] = [];
    const failed = new Map<string, string>();
    const leased = new Map<string, LeasedSaga>();
    const ended: TerminalSaga[] = [];
    await inParallel(wakes, this.options.concurrency, (wake) =>
      // The saga's steps, jobs and log lines carry the correlation id (and
      // trace) of the event that woke the driver or, without one, of the
      // saga's first event: the request that began the saga.
      this.correlated(wake, async () => {
        try {
          const { saga, position, leasedUntil } = await this.step(wake.movementId, wake.cause);
          if (leasedUntil)
            leased.set(wake.movementId, {
              dueMs: leasedUntil.getTime(),
              ...(wake.cause && { cause: wake.cause }),
            });
          else if (woken && saga?.summary && saga.summary.status !== 'pending')
            ended.push(terminalSaga(saga, woken, wake.terminal, position !== undefined));
          if (saga) advanced.push(saga);
          succeeded.push(wake.movementId);
        } catch (error) {
          this.options.logger.warn(
            `Saga ${wake.movementId} not advanced, parked for a retry: ${errorText(error)}`,
          );
          failed.set(wake.movementId, describeError(error));
        }
      }),
    );
    if (!woken || !this.options.onTerminal || ended.length === 0)
      return { advanced, succeeded, failed, leased };
    try {
      await this.options.onTerminal(ended);
      return { advanced, succeeded, failed, leased };
    } catch (error) {
      if (woken === 'log') throw error;
      // Their rows are written as they are; parked, they are told of when retried.
      this.options.logger.warn(
        `${ended.length} terminal saga(s) not announced, parked for a retry: ${errorText(error)}`,
      );
      const unannounced = new Set(ended.map(({ saga }) => saga.movementId));
      for (const movementId of unannounced) failed.set(movementId, describeError(error));
      return {
        advanced,
        succeeded: succeeded.filter((id) => !unannounced.has(id)),
        failed,
        leased,
      };
    }
  }

  private correlated(wake: SagaWake, work: () => Promise<void>): Promise<void> {
    return wake.cause
      ? withEventCorrelation(wake.cause, wake.movementId, work)
      : withSagaCorrelation(this.options.firstEvent, wake.movementId, work);
  }

  /**
   * Loads the saga, makes sure its jobs exist, and performs due steps until
   * none is due (the shared `SagaStepper`). Throws on an outage.
   */
  async advanceOne(
    movementId: string,
    cause: RecordedEvent | undefined,
  ): Promise<SagaState | undefined> {
    return (await this.step(movementId, cause)).saga;
  }

  private step(movementId: string, cause: RecordedEvent | undefined): Promise<SagaAdvance> {
    // The event that woke the driver may come from another process (a webhook
    // recorded by the API): the state must include at least that event.
    return this.stepper.advance(movementId, cause?.revision ?? 'latest', cause?.id ?? movementId);
  }

  /** Writes the round: rows and timers of the advanced sagas, unparks the succeeded, parks the failed. */
  async record(tx: SqlExecutor, round: SagaRound, now: Date): Promise<void> {
    await save(tx, round.advanced);
    // A saga parked earlier that advanced is done waiting.
    await unparkSagas(tx, this.options.driver, round.succeeded);
    for (const [movementId, error] of round.failed)
      await parkSaga(tx, this.options.driver, movementId, error, now, this.options.retryDelay);
  }
}

/** A saga that ended, with the correlation id and trace its step ran under. */
function terminalSaga(
  saga: SagaState,
  woken: WakeKind,
  terminal: RecordedEvent | undefined,
  stepped: boolean,
): TerminalSaga {
  const correlationId = logCorrelation.current();
  const trace: { traceparent?: string } = {};
  propagation.inject(context.active(), trace);
  return {
    saga,
    woken,
    ...(terminal && { terminal }),
    ...(correlationId !== undefined && { correlationId }),
    ...(trace.traceparent !== undefined && { traceparent: trace.traceparent }),
    ...(stepped && { stepped: true as const }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes the advanced sagas' movement rows and their timers: the deadline
 * of each timer a saga waits on now, in the same transaction that moves
 * the checkpoint past the event that started the wait.
 */
export async function save(tx: SqlExecutor, advanced: readonly SagaState[]): Promise<void> {
  const timers: SagaTimer[] = [];
  const movementIds: string[] = [];
  const movements: MovementRow[] = [];
  for (const saga of advanced) {
    if (!saga.summary || saga.revision === undefined) continue;
    movements.push({
      movementId: saga.movementId,
      kind: saga.kind,
      summary: saga.summary,
      revision: saga.revision,
    });
    movementIds.push(saga.movementId);
    for (const job of saga.saga.jobs(saga.state, saga.movementId))
      if (job.runAt)
        timers.push({
          movementId: saga.movementId,
          name: job.name,
          jobId: job.jobId,
          dueAt: job.runAt,
        });
  }
  await upsertMovements(tx, movements);
  await syncSagaTimers(tx, movementIds, timers);
}
