/**
 * Durable, idempotent background work: the external side effects of sagas
 * (charge a card, pay out, refund, send an e-mail) and their scheduled
 * timeouts. Adapters: BullMQ on Redis (production) and an in-process runner
 * over the SQL database (embedded mode); one contract suite holds both to the
 * same semantics:
 *
 * - `jobId` is the idempotency key. Enqueueing an id that the queue already
 *   holds (waiting, delayed, running, completed or failed) does nothing, so
 *   a saga step that is replayed after a crash cannot start its side effect twice.
 * - A job runs until it succeeds, at most `attempts` times, waiting
 *   `baseMs * 2^(n-1)` after the n-th failure.
 * - An error with `retryable === false` (`PermanentJobError`, or a
 *   `PermanentGatewayError` from the payments library) fails the job at once.
 * - A job that fails for good lands in the dead letters (`failedJobs`), where
 *   an administrator can inspect it and `retryFailed` it.
 * - Delivery is at least once: a worker that dies mid-job leaves it to be run
 *   again, so handlers must be idempotent (pass `job.id` on as the provider's
 *   idempotency key).
 */
export interface JobQueue {
  /** Throws `InvalidJobError` for a bad name, id, option or oversized payload. */
  enqueue(queue: string, name: string, payload: JsonValue, options: EnqueueOptions): Promise<void>;
  /** Starts running the queue's jobs with `handler`; one handler per queue and instance. */
  process(queue: string, handler: JobHandler, options?: ProcessOptions): Promise<void>;
  /**
   * Dead letters, newest first, at most `limit` (default 100, at most
   * `JOB_LIMITS.failedPage`) after skipping `offset` (at most `JOB_LIMITS.failedPage`).
   */
  failedJobs(queue: string, options?: { limit?: number; offset?: number }): Promise<FailedJob[]>;
  /** One dead letter, or undefined when the queue holds no failed job with this id. */
  failedJob(queue: string, jobId: string): Promise<FailedJob | undefined>;
  /** Puts a dead letter back with its attempts reset. False when no such failed job exists. */
  retryFailed(queue: string, jobId: string): Promise<boolean>;
  /**
   * Where the job stands, or undefined when the queue does not hold it (never
   * enqueued, lost with its backend, or a completed job past its retention).
   * Reconciliation asks this to re-create the jobs a lost Redis took along.
   */
  state(queue: string, jobId: string): Promise<JobState | undefined>;
  /** How many jobs the queue holds in each state: the depth, retries and dead letters operators watch. */
  counts(queue: string): Promise<JobCounts>;
  /** Stops taking jobs and waits for running ones to finish. */
  close(): Promise<void>;
}

/** `delayed`: waiting for its delay or for the backoff before its next attempt. */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface EnqueueOptions {
  /** The idempotency key, e.g. `topup-42:charge`. Letters, digits and `._:-`, at most 200. */
  readonly jobId: string;
  /** Total runs including the first; default 5. */
  readonly attempts?: number;
  readonly backoff?: { readonly type: 'exponential'; readonly baseMs: number };
  /** Run no sooner than this from now: how sagas schedule their timeouts. */
  readonly delayMs?: number;
}

export interface Job<P = JsonValue> {
  readonly id: string;
  readonly queue: string;
  readonly name: string;
  readonly payload: P;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly attempts: number;
}

export type JobHandler<P = JsonValue> = (job: Job<P>) => Promise<void>;

export interface ProcessOptions {
  /** Jobs of this queue run at the same time in this instance; default 1. */
  readonly concurrency?: number;
}

export interface FailedJob {
  readonly id: string;
  readonly queue: string;
  readonly name: string;
  readonly payload: JsonValue;
  readonly attemptsMade: number;
  readonly error: string;
  readonly failedAt: Date;
}

/**
 * `retrying`: jobs waiting (or delayed) for another attempt after a failure,
 * a subset of `waiting` + `delayed`; BullMQ's is counted over at most
 * `JOB_LIMITS.failedPage` delayed jobs.
 */
export interface JobCounts {
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  readonly failed: number;
  readonly retrying: number;
}

export const JOB_LIMITS = {
  attempts: { min: 1, max: 25, default: 5 },
  backoffBaseMs: { min: 1, max: 3_600_000, default: 1_000 },
  /** 30 days: the longest a saga waits for anything. */
  delayMs: { min: 0, max: 30 * 24 * 3_600_000 },
  concurrency: { min: 1, max: 100, default: 1 },
  payloadBytes: 64 * 1024,
  errorMessageLength: 2_000,
  failedPage: 1_000,
} as const;

/** Longest wait between two attempts, whatever the base and the attempt number. */
export const MAX_BACKOFF_MS = 3_600_000;

export function backoffDelayMs(attemptsMade: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_MS);
}
