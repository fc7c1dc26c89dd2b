import { setting, type Env } from '@ledger/config';

/** How often the saga driver looks after what the job queue may have lost (docs/sagas.md). */
export interface SagaDriverConfig {
  /** Between two passes that re-create the jobs missing from the queue. */
  readonly reconcileIntervalMs: number;
  /** Between two looks for due timers in `saga_timers`. */
  readonly timerPollMs: number;
  /** After this long without a report, the provider is asked what became of a payout. */
  readonly payoutCheckAfterMs: number;
  /** How long past an inline lease the driver still leaves the saga to the API. */
  readonly leaseMarginMs: number;
}

export function readSagaDriverConfig(env: Env): SagaDriverConfig {
  return {
    reconcileIntervalMs: setting(env, 'SAGA_RECONCILE_INTERVAL_MS'),
    timerPollMs: setting(env, 'SAGA_TIMER_POLL_MS'),
    payoutCheckAfterMs: setting(env, 'SAGA_PAYOUT_CHECK_AFTER_MS'),
    leaseMarginMs: setting(env, 'SAGA_INLINE_LEASE_MARGIN_MS'),
  };
}
