import type { SqlDatabase } from '@ledger/database';
import { InProcessWorker, type JobStore } from './in-process.worker';
import { errorMessage, InvalidJobError, isPermanentError } from './job.errors';
import {
  checkJobId,
  checkPrefix,
  checkQueueName,
  resolveConcurrency,
  resolveFailedLimit,
  resolveFailedOffset,
  resolveJob,
} from './job-input';
import {
  JOB_LIMITS,
  MAX_BACKOFF_MS,
  type EnqueueOptions,
  type FailedJob,
  type Job,
  type JobCounts,
  type JobHandler,
  type JobQueue,
  type JobState,
  type JsonValue,
  type ProcessOptions,
} from './job-queue.port';

export interface InProcessJobQueueOptions {
  /** Namespaces the queues, so that tests (or two services) sharing a database never meet. */
  readonly prefix?: string;
  /** A job running longer than this is presumed abandoned and run again. */
  readonly leaseMs?: number;
  /** Upper bound on how long an idle worker waits before looking again. */
  readonly pollIntervalMs?: number;
  /** How long `close` waits for running jobs before leaving them to their lease. */
  readonly shutdownGraceMs?: number;
}

interface JobRow {
  id: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  name: string;
  payload: JsonValue;
  attempts_made: number;
  max_attempts: number;
  backoff_base_ms: number;
  last_error: string | null;
  finished_at: Date | string | null;
}

/**
 * `JobQueue` for embedded mode, kept in the SQL database (table `jobs`,
 * migrations/030_jobs.sql) so that a restart loses neither scheduled
 * timeouts nor dead letters. All times come from the database clock, so
 * several processes on one Postgres agree on what is due.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly workers = new Map<string, InProcessWorker>();
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly shutdownGraceMs: number;
  private closed = false;

  constructor(
    private readonly db: SqlDatabase,
    options: InProcessJobQueueOptions = {},
  ) {
    this.prefix = options.prefix ?? 'ledger';
    checkPrefix(this.prefix);
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  }

  async enqueue(
    queue: string,
    name: string,
    payload: JsonValue,
    options: EnqueueOptions,
  ): Promise<void> {
    const job = resolveJob(queue, name, payload, options);
    // ON CONFLICT DO NOTHING is the dedupe: the first job with this id wins, whatever its state.
    const { rowCount } = await this.db.query(
      `INSERT INTO jobs (queue, id, name, payload, state, max_attempts, backoff_base_ms, run_at)
       VALUES ($1, $2, $3, $4::jsonb, 'waiting', $5, $6, clock_timestamp() + make_interval(secs => $7::float8 / 1000))
       ON CONFLICT (queue, id) DO NOTHING`,
      [
        this.key(queue),
        options.jobId,
        name,
        job.payloadJson,
        job.attempts,
        job.backoffBaseMs,
        job.delayMs,
      ],
    );
    if (rowCount === 1 && job.delayMs === 0) this.workers.get(queue)?.wake();
  }

  async process(queue: string, handler: JobHandler, options?: ProcessOptions): Promise<void> {
    checkQueueName(queue);
    if (this.closed) throw new InvalidJobError('The job queue is closed');
    if (this.workers.has(queue))
      throw new InvalidJobError(`Queue ${queue} already has a handler in this process`);
    const worker = new InProcessWorker(
      this.store(queue),
      handler,
      resolveConcurrency(options),
      this.pollIntervalMs,
    );
    this.workers.set(queue, worker);
    worker.wake();
  }

  async failedJobs(
    queue: string,
    options?: { limit?: number; offset?: number },
  ): Promise<FailedJob[]> {
    checkQueueName(queue);
    const { rows } = await this.db.query<JobRow>(
      `SELECT id, name, payload, attempts_made, max_attempts, backoff_base_ms, last_error, finished_at
       FROM jobs WHERE queue = $1 AND state = 'failed' ORDER BY finished_at DESC, seq DESC
       LIMIT $2 OFFSET $3`,
      [this.key(queue), resolveFailedLimit(options?.limit), resolveFailedOffset(options?.offset)],
    );
    return rows.map((row) => toFailedJob(queue, row));
  }

  async failedJob(queue: string, jobId: string): Promise<FailedJob | undefined> {
    checkQueueName(queue);
    checkJobId(jobId);
    const { rows } = await this.db.query<JobRow>(
      `SELECT id, name, payload, attempts_made, max_attempts, backoff_base_ms, last_error, finished_at
       FROM jobs WHERE queue = $1 AND id = $2 AND state = 'failed'`,
      [this.key(queue), jobId],
    );
    return rows[0] ? toFailedJob(queue, rows[0]) : undefined;
  }

  async counts(queue: string): Promise<JobCounts> {
    checkQueueName(queue);
    const { rows } = await this.db.query<Record<keyof JobCounts, string | number>>(
      `SELECT count(*) FILTER (WHERE state = 'waiting' AND run_at <= clock_timestamp()) AS waiting,
              count(*) FILTER (WHERE state = 'waiting' AND run_at > clock_timestamp()) AS delayed,
              count(*) FILTER (WHERE state = 'active') AS active,
              count(*) FILTER (WHERE state = 'failed') AS failed,
              count(*) FILTER (WHERE state = 'waiting' AND attempts_made > 0) AS retrying
         FROM jobs WHERE queue = $1`,
      [this.key(queue)],
    );
    const row = rows[0];
    return {
      waiting: Number(row?.waiting ?? 0),
      delayed: Number(row?.delayed ?? 0),
      active: Number(row?.active ?? 0),
      failed: Number(row?.failed ?? 0),
      retrying: Number(row?.retrying ?? 0),
    };
  }

  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    checkQueueName(queue);
    checkJobId(jobId);
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET state = 'waiting', attempts_made = 0, run_at = clock_timestamp(), finished_at = NULL
       WHERE queue = $1 AND id = $2 AND state = 'failed'`,
      [this.key(queue), jobId],
    );
    if (rowCount === 1) this.workers.get(queue)?.wake();
    return rowCount === 1;
  }

  async state(queue: string, jobId: string): Promise<JobState | undefined> {
    checkQueueName(queue);
    checkJobId(jobId);
    const { rows } = await this.db.query<{ state: JobRow['state']; later: boolean }>(
      `SELECT state, run_at > clock_timestamp() AS later FROM jobs WHERE queue = $1 AND id = $2`,
      [this.key(queue), jobId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.state === 'waiting' && row.later ? 'delayed' : row.state;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.workers.values()].map((worker) => worker.close(this.shutdownGraceMs)),
    );
    this.workers.clear();
  }

  private key(queue: string): string {
    return `${this.prefix}:${queue}`;
  }

  private store(queue: string): JobStore {
    const key = this.key(queue);
    return {
      claim: (limit) => this.claim(queue, key, limit),
      complete: (job) => this.complete(key, job),
      fail: (job, error) => this.fail(key, job, error),
      nextDueInMs: () => this.nextDueInMs(key),
    };
  }

  /**
   * Takes due jobs, and jobs whose lease ran out (their worker died), under a
   * new lease. SKIP LOCKED lets several processes claim side by side.
   */
  private async claim(queue: string, key: string, limit: number): Promise<Job[]> {
    const { rows } = await this.db.query<JobRow>(
      `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1,
              lease_until = clock_timestamp() + make_interval(secs => $3::float8 / 1000)
       WHERE (queue, id) IN (
         SELECT queue, id FROM jobs
         WHERE queue = $1 AND run_at <= clock_timestamp()
           AND (state = 'waiting' OR (state = 'active' AND lease_until < clock_timestamp()))
         ORDER BY run_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, name, payload, attempts_made, max_attempts`,
      [key, limit, this.leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      queue,
      name: row.name,
      payload: row.payload,
      attempt: row.attempts_made,
      attempts: row.max_attempts,
    }));
  }

  /** Guarded by the attempt number, so a worker whose lease was taken over cannot overwrite the newer run. */
  private async complete(key: string, job: Job): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET state = 'completed', finished_at = clock_timestamp(), lease_until = NULL
       WHERE queue = $1 AND id = $2 AND state = 'active' AND attempts_made = $3`,
      [key, job.id, job.attempt],
    );
  }

  /** Waits `backoff_base_ms * 2^(attempt-1)`, capped, before the next attempt; see `backoffDelayMs`. */
  private async fail(key: string, job: Job, error: unknown): Promise<void> {
    const message = errorMessage(error, JOB_LIMITS.errorMessageLength);
    const dead = isPermanentError(error) || job.attempt >= job.attempts;
    await this.db.query(
      dead
        ? `UPDATE jobs SET state = 'failed', finished_at = clock_timestamp(), lease_until = NULL, last_error = $4
           WHERE queue = $1 AND id = $2 AND state = 'active' AND attempts_made = $3`
        : `UPDATE jobs SET state = 'waiting', lease_until = NULL, last_error = $4,
                  run_at = clock_timestamp() + make_interval(
                    secs => LEAST(backoff_base_ms * power(2, attempts_made - 1), $5::float8) / 1000)
           WHERE queue = $1 AND id = $2 AND state = 'active' AND attempts_made = $3`,
      dead
        ? [key, job.id, job.attempt, message]
        : [key, job.id, job.attempt, message, MAX_BACKOFF_MS],
    );
  }

  private async nextDueInMs(key: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ wait_ms: string | number | null }>(
      `SELECT EXTRACT(EPOCH FROM (min(CASE WHEN state = 'waiting' THEN run_at ELSE lease_until END) - clock_timestamp())) * 1000 AS wait_ms
       FROM jobs WHERE queue = $1 AND state IN ('waiting', 'active')`,
      [key],
    );
    const wait = rows[0]?.wait_ms;
    return wait === null || wait === undefined ? undefined : Math.max(0, Number(wait));
  }
}

function toFailedJob(queue: string, row: JobRow): FailedJob {
  return {
    id: row.id,
    queue,
    name: row.name,
    payload: row.payload,
    attemptsMade: row.attempts_made,
    error: row.last_error ?? '',
    failedAt: new Date(row.finished_at ?? 0),
  };
}
