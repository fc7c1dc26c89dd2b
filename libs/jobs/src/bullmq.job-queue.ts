import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { errorMessage, InvalidJobError, isPermanentError } from './job.errors';
import {
  checkJobId,
  checkPrefix,
  checkQueueName,
  resolveConcurrency,
  resolveFailedLimit,
  resolveJob,
} from './job-input';
import {
  JOB_LIMITS,
  type EnqueueOptions,
  type FailedJob,
  type JobHandler,
  type JobQueue,
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
}

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

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.prefix = options.prefix ?? 'ledger';
    checkPrefix(this.prefix);
    this.completedRetentionSeconds = Math.ceil(
      (options.completedRetentionMs ?? 30 * 24 * 3_600_000) / 1000,
    );
  }

  async enqueue(
    queue: string,
    name: string,
    payload: JsonValue,
    options: EnqueueOptions,
  ): Promise<void> {
    const job = resolveJob(queue, name, payload, options);
    await this.queue(queue).add(name, payload, {
      jobId: toBullId(options.jobId),
      attempts: job.attempts,
      backoff: { type: 'exponential', delay: job.backoffBaseMs },
      delay: job.delayMs,
      removeOnComplete: { age: this.completedRetentionSeconds },
      // Failed jobs are the dead letters: kept until an administrator acts.
      removeOnFail: false,
    });
  }

  async process(queue: string, handler: JobHandler, options?: ProcessOptions): Promise<void> {
    checkQueueName(queue);
    if (this.workers.has(queue))
      throw new InvalidJobError(`Queue ${queue} already has a handler in this process`);
    const worker = new Worker(queue, (job: BullJob) => run(queue, job, handler), {
      connection: { url: this.options.url, maxRetriesPerRequest: null },
      prefix: this.prefix,
      concurrency: resolveConcurrency(options),
    });
    // Without a listener an 'error' event would crash the process; Redis hiccups are retried by ioredis.
    worker.on('error', (error) => this.logger.error(`Worker for ${queue}: ${String(error)}`));
    this.workers.set(queue, worker);
    await worker.waitUntilReady();
  }

  async failedJobs(queue: string, options?: { limit?: number }): Promise<FailedJob[]> {
    checkQueueName(queue);
    const jobs = await this.queue(queue).getFailed(0, resolveFailedLimit(options?.limit) - 1);
    return jobs.map((job) => ({
      id: fromBullId(job.id ?? ''),
      queue,
      name: job.name,
      payload: job.data as JsonValue,
      attemptsMade: job.attemptsMade,
      error: errorMessage(job.failedReason, JOB_LIMITS.errorMessageLength),
      failedAt: new Date(job.finishedOn ?? 0),
    }));
  }

  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    checkQueueName(queue);
    checkJobId(jobId);
    const job = await this.queue(queue).getJob(toBullId(jobId));
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.workers.clear();
    this.queues.clear();
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: { url: this.options.url }, prefix: this.prefix });
      queue.on('error', (error) => this.logger.error(`Queue ${name}: ${String(error)}`));
      this.queues.set(name, queue);
    }
    return queue;
  }
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
