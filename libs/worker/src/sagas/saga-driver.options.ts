import type { SAGA_JOB_POLICIES } from '@ledger/ledger';
import type { TerminalSaga } from './saga-rounds';

/** How a `SagaDriver` runs; every field has a default. */
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
  /** Pause before asking again for the lease another driver of this name holds. */
  readonly leaseRetryMs?: number;
  readonly clock?: () => Date;
  /** Attempts and backoff per job; `SAGA_JOB_POLICIES` unless a test wants them faster. */
  readonly jobPolicies?: typeof SAGA_JOB_POLICIES;
  /**
   * Called with the sagas each round left completed or failed, each with
   * what woke the driver (a batch of the log, a parked saga's retry, a
   * lease that ended), its terminal event when that batch holds it, and
   * whether the advance recorded events itself, before the checkpoint moves
   * past them, so it sees every terminal saga at least once (and again after
   * a redelivery or a restart: it must be idempotent). Throwing fails a
   * batch of the log whole (nothing recorded; the batch is read again); in
   * any other round its terminal sagas are parked and retried. The worker
   * enqueues notifications here.
   */
  readonly onTerminal?: (ended: readonly TerminalSaga[]) => Promise<void>;
  /** Pause between two passes that re-create the jobs the queue lost (see `SagaReconciler`). */
  readonly reconcileIntervalMs?: number;
  /** Pause between two looks for due timers in `saga_timers`. */
  readonly timerPollMs?: number;
  /**
   * How long past an inline run's lease the driver still leaves the saga
   * alone (`SAGA_INLINE_LEASE_MARGIN_MS`; `DEFAULT_LEASE_MARGIN_MS`): more
   * than the clock skew between the API's hosts and the worker's.
   */
  readonly leaseMarginMs?: number;
}
