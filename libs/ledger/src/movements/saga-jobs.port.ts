import type { SagaJob, SagaJobName } from './saga';

/**
 * The job queue as sagas see it. Adapters: BullMQ on Redis in production, an
 * in-process queue for the embedded runtime and tests. Jobs are external
 * side effects (a provider call) or timers; each is idempotent by itself
 * (provider idempotency keys, deduplicated recordings), so at-least-once
 * execution is enough.
 */
export interface SagaJobQueue {
  /** Schedules a job; a job id already enqueued (waiting, delayed or running) is not added twice. */
  enqueue(job: SagaJob, options: SagaJobOptions): Promise<void>;
  /**
   * Whether the queue holds the job in any state (waiting, delayed, running,
   * completed or dead-lettered). False for a job lost with the queue's
   * backend: the driver's reconciliation re-creates those.
   */
  has(jobId: string): Promise<boolean>;
}

export interface SagaJobOptions {
  readonly delayMs: number;
  /** Runs in all, the first included, before the job is dead-lettered. */
  readonly attempts: number;
  /** Base of the exponential backoff between attempts. */
  readonly backoffMs: number;
}

export const SAGA_JOB_QUEUE = Symbol('SAGA_JOB_QUEUE');

/**
 * How hard each job tries. Provider calls retry with backoff under the same
 * idempotency key, so a retry never charges or pays twice; once the attempts
 * are spent the saga is told and takes its failure path. For a payout's
 * cancel that path is to keep the hold and wait for the provider's report:
 * a cancel that never got an answer proves nothing about the payout.
 */
export const SAGA_JOB_POLICIES: Readonly<
  Record<SagaJobName, { attempts: number; backoffMs: number }>
> = {
  'topup.timeout': { attempts: 5, backoffMs: 1_000 },
  'topup.refund': { attempts: 8, backoffMs: 2_000 },
  // About twenty minutes of asking: a mobile-money prompt ends within minutes.
  'topup.confirm': { attempts: 8, backoffMs: 5_000 },
  'withdrawal.payout': { attempts: 6, backoffMs: 2_000 },
  'withdrawal.timeout': { attempts: 5, backoffMs: 1_000 },
  // About ten minutes of retries: the payout stays cancelable while it is pending.
  'withdrawal.cancel_payout': { attempts: 8, backoffMs: 5_000 },
  // About an hour of asking after the first look; then the report or the timeout decides.
  'withdrawal.check_payout': { attempts: 6, backoffMs: 120_000 },
};
