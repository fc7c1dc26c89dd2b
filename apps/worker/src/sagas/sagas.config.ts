import { readInt, type Env } from '@ledger/config';

/** How often the saga driver looks after what the job queue may have lost (docs/sagas.md). */
export interface SagaDriverConfig {
  /** Between two passes that re-create the jobs missing from the queue. */
  readonly reconcileIntervalMs: number;
  /** Between two looks for due timers in `saga_timers`. */
  readonly timerPollMs: number;
  /** After this long without a report, the provider is asked what became of a payout. */
  readonly payoutCheckAfterMs: number;
}

export function readSagaDriverConfig(env: Env): SagaDriverConfig {
  return {
    reconcileIntervalMs: readInt(env, 'SAGA_RECONCILE_INTERVAL_MS', 60_000, {
      min: 1_000,
      max: 3_600_000,
    }),
    timerPollMs: readInt(env, 'SAGA_TIMER_POLL_MS', 1_000, { min: 100, max: 60_000 }),
    payoutCheckAfterMs: readInt(env, 'SAGA_PAYOUT_CHECK_AFTER_MS', 3_600_000, {
      min: 1_000,
      max: 7 * 86_400_000,
    }),
  };
}
