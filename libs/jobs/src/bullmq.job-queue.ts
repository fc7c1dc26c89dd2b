import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import {
  errorMessage,
  InvalidJobError,
  isPermanentError,
  JobQueueUnavailableError,
} from './job.errors';
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
  type EnqueueOptions,
  type FailedJob,
  type JobCounts,
  type JobHandler,
  type JobQueue,
  type JobState,
  type JsonValue,
  type ProcessOptions,
} from './job-queue.port';

export interface BullmqJobQueueOptions {
  readonly url: string;
  /** Prefix of every Redis key; tests use a random one each and delete its keys afterwards. */
  readonly prefix?: string;
  /**
   * How long completed jobs are kept. Their ids dedupe re-enqueues only while
   * they are kept; past this, provider idempotency keys are the safety net.
   */
  readonly completedRetentionMs?: number;
  /** ioredis `commandTimeout`: a command Redis does not answer in this time fails. Default 5 s. */
  readonly commandTimeoutMs?: number;
  /** ioredis `connectTimeout`: a connection attempt that does not complete in this time is retried. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

const BULL_STATES: Readonly<Record<string, JobState>> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * `JobQueue` on BullMQ (Redis), the production adapter. BullMQ brings the
 * semantics almost as they are: `jobId` dedupe, attempts with exponential
 * backoff, delayed jobs, the failed set as dead letters, and
 * `UnrecoverableError` to skip the remaining attempts.
 */
export class BullmqJobQueue implements JobQueue {
  private readonly logger = new Logger(BullmqJobQueue.name);
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly prefix: string;
  private readonly completedRetentionSeconds: number;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  /**
   * The longest any queue operation may take: a connection, then the command.
   * Commands wait for a connection that is not ready yet, and ioredis's own
   * timeouts do not cover that wait; this bound does.
   */
  private readonly operationTimeoutMs: number;

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.prefix = options.prefix ?? 'ledger';
    checkPrefix(this.prefix);
    this.completedRetentionSeconds = Math.ceil(
      (options.completedRetentionMs ?? 30 * 24 * 3_600_000) / 1000,
    );
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.operationTimeoutMs = this.commandTimeoutMs + this.connectTimeoutMs;
  }

  async enqueue(
    queue: string,
    name: string,
    payload: JsonValue,
    options: EnqueueOptions,
  ): Promise<void> {
    const job = resolveJob(queue, name, payload, options);
    await this.bounded(`enqueue ${options.jobId}`, () =>
      this.queue(queue).add(name, payload, {
        jobId: toBullId(options.jobId),
        attempts: job.attempts,
        backoff: { type: 'exponential', delay: job.backoffBaseMs },
        delay: job.delayMs,
        removeOnComplete: { age: this.completedRetentionSeconds },
        // Failed jobs are the dead letters: kept until an administrator acts.
        removeOnFail: false,
      }),
    );
  }

  async process(queue: string, handler: JobHandler, options?: ProcessOptions): Promise<void> {
    checkQueueName(queue);
    if (this.workers.has(queue))
      throw new InvalidJobError(`Queue ${queue} already has a handler in this process`);
    // No commandTimeout here: the worker's blocking fetch waits up to 10 s by
    // design, and BullMQ bounds that wait with its own watchdog.
    const worker = new Worker(queue, (job: BullJob) => run(queue, job, handler), {
      connection: {
        url: this.options.url,
        maxRetriesPerRequest: null,
        connectTimeout: this.connectTimeoutMs,
      },
      prefix: this.prefix,
      concurrency: resolveConcurrency(options),
    });
    // Without a listener an 'error' event would crash the process; Redis hiccups are retried by ioredis.
    worker.on('error', (error) => this.logger.error(`Worker for ${queue}: ${String(error)}`));
    this.workers.set(queue, worker);
    await this.bounded(`start a worker for ${queue}`, () => worker.waitUntilReady());
  }

  async failedJobs(
    queue: string,
    options?: { limit?: number; offset?: number },
  ): Promise<FailedJob[]> {
    checkQueueName(queue);
    const limit = resolveFailedLimit(options?.limit);
    const offset = resolveFailedOffset(options?.offset);
    const jobs = await this.bounded(`list failed jobs of ${queue}`, () =>
      this.queue(queue).getFailed(offset, offset + limit - 1),
    );
    return jobs.map((job) => toFailedJob(queue, job));
  }

  async failedJob(queue: string, jobId: string): Promise<FailedJob | undefined> {
    checkQueueName(queue);
    checkJobId(jobId);
    return this.bounded(`look up failed job ${jobId}`, async () => {
      const job = await this.queue(queue).getJob(toBullId(jobId));
      if (!job || !(await job.isFailed())) return undefined;
      return toFailedJob(queue, job);
    });
  }

  async counts(queue: string): Promise<JobCounts> {
    checkQueueName(queue);
    return this.bounded(`count the jobs of ${queue}`, async () => {
      const bull = this.queue(queue);
      const counts = await bull.getJobCounts(
        'waiting',
        'prioritized',
        'waiting-children',
        'delayed',
        'active',
        'failed',
      );
      // A retry waits out its backoff in the delayed set; a first run never has attempts made.
      const delayed = await bull.getDelayed(0, JOB_LIMITS.failedPage - 1);
      const retryingDelayed = delayed.filter((job) => job.attemptsMade > 0).length;
      return {
        waiting:
          (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
        retrying: retryingDelayed,
      };
    });
  }

  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    checkQueueName(queue);
    checkJobId(jobId);
    return this.bounded(`retry ${jobId}`, async () => {
      const job = await this.queue(queue).getJob(toBullId(jobId));
      if (!job || !(await job.isFailed())) return false;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    });
  }

  async state(queue: string, jobId: string): Promise<JobState | undefined> {
    checkQueueName(queue);
    checkJobId(jobId);
    const state = await this.bounded(`look up ${jobId}`, () =>
      this.queue(queue).getJobState(toBullId(jobId)),
    );
    return BULL_STATES[state];
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    // A hung Redis never answers QUIT: past the bound, the connection is dropped instead.
    await Promise.all(
      [...this.queues.values()].map((queue) =>
        this.bounded('close', () => queue.close()).catch(() => queue.disconnect()),
      ),
    );
    this.workers.clear();
    this.queues.clear();
  }

  /**
   * Runs one Redis operation within `operationTimeoutMs`; a late or timed-out
   * answer is a `JobQueueUnavailableError`, which callers treat as an outage.
   * An operation given up on may still complete later: job ids make that harmless.
   */
  private async bounded<T>(what: string, operation: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const running = operation();
      // Once the deadline has won, the operation's own failure has nobody left to tell.
      running.catch(() => undefined);
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new JobQueueUnavailableError(
                `Redis did not ${what} within ${this.operationTimeoutMs} ms`,
              ),
            ),
          this.operationTimeoutMs,
        );
      });
      return await Promise.race([running, deadline]);
    } catch (error) {
      if (error instanceof Error && error.message === 'Command timed out')
        throw new JobQueueUnavailableError(
          `Redis did not ${what} within ${this.commandTimeoutMs} ms`,
        );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: {
          url: this.options.url,
          commandTimeout: this.commandTimeoutMs,
          connectTimeout: this.connectTimeoutMs,
        },
        prefix: this.prefix,
      });
      queue.on('error', (error) => this.logger.error(`Queue ${name}: ${String(error)}`));
      this.queues.set(name, queue);
    }
    return queue;
  }
}

function toFailedJob(queue: string, job: BullJob): FailedJob {
  return {
    id: fromBullId(job.id ?? ''),
    queue,
    name: job.name,
    payload: job.data as JsonValue,
    attemptsMade: job.attemptsMade,
    error: errorMessage(job.failedReason, JOB_LIMITS.errorMessageLength),
    failedAt: new Date(job.finishedOn ?? 0),
  };
}

async function run(queue: string, job: BullJob, handler: JobHandler): Promise<void> {
  try {
    await handler({
      id: fromBullId(job.id ?? ''),
      queue,
      name: job.name,
      payload: job.data as JsonValue,
      attempt: job.attemptsMade + 1,
      attempts: job.opts.attempts ?? 1,
    });
  } catch (error) {
    if (isPermanentError(error))
      throw new UnrecoverableError(errorMessage(error, JOB_LIMITS.errorMessageLength));
    throw error;
  }
}

/**
 * BullMQ refuses custom ids that contain ':' or are plain integers. Port ids
 * never contain '~', so mapping ':' to '~' and adding a letter is reversible.
 */
export function toBullId(jobId: string): string {
  return `j~${jobId.replaceAll(':', '~')}`;
}

export function fromBullId(bullId: string): string {
  return bullId.replace(/^j~/, '').replaceAll('~', ':');
}
