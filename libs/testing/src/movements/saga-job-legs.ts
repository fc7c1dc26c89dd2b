import { must } from '@ledger/invariant';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullmqJobQueue } from '@ledger/jobs';
import type { SagaJob, SagaJobOptions, SagaJobQueue } from '@ledger/ledger';
import { JobQueueSagaJobs, SAGA_QUEUE } from '../../../worker/src/sagas/job-queue.saga-jobs';
import type { SagaJobRunner } from '../../../worker/src/sagas/saga-jobs.runner';
import { InMemorySagaJobQueue } from './in-memory.saga-job-queue';

/**
 * A saga job queue as one process of the harness uses it: the driver enqueues,
 * the runner takes the jobs, and `settle` asks whether anything is still to run.
 */
export interface HarnessSagaJobs extends SagaJobQueue {
  start(runner: SagaJobRunner): Promise<void>;
  /** Resolves when no job is running or waiting to run (delayed jobs excepted); bounded. */
  idle(): Promise<void>;
  /** Jobs running, waiting, or delayed by less than a second (retries, short timers), as opposed to far-off timers. */
  dueNow(): Promise<number>;
  /** Jobs waiting or delayed, not running: on a durable queue, what a new process on it inherits. */
  queued(): Promise<number>;
  /** Stops taking jobs; on BullMQ the jobs stay in Redis for the next process. Idempotent. */
  close(): Promise<void>;
}

/** "Due now" means within this: a retry with test backoff, not a withdrawal's timer. */
const DUE_WITHIN_MS = 1_000;
const IDLE_POLL_MS = 5;
/** 2,000 polls of 5 ms: a queue busy for longer is reported busy by `dueNow`, and `settle` goes on. */
const IDLE_POLLS = 2_000;

/** The harness's default: jobs in memory, lost with the process (the driver re-creates them on start). */
export class InMemorySagaJobs implements HarnessSagaJobs {
  private readonly queue = new InMemorySagaJobQueue();

  enqueue(job: SagaJob, options: SagaJobOptions): Promise<void> {
    return this.queue.enqueue(job, options);
  }

  async has(jobId: string): Promise<boolean> {
    return this.queue.has(jobId);
  }

  /** Drops every job, as a queue restarted without its data would; the queue keeps working. */
  forget(): void {
    this.queue.forget();
  }

  async start(runner: SagaJobRunner): Promise<void> {
    this.queue.process(
      (job) => runner.run(job),
      (job, error) => runner.exhausted(job, error),
    );
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dueNow(): Promise<number> {
    return this.queue.dueNow;
  }

  async queued(): Promise<number> {
    return this.queue.size;
  }

  /** Clears at once (before the first await), so a process closed without awaiting runs nothing more. */
  async close(): Promise<void> {
    this.queue.close();
  }
}

/**
 * The production path: `JobQueueSagaJobs` over `BullmqJobQueue`, each process
 * with its own connections on the test's key prefix, so a process started
 * after a crash picks up the jobs the dead one left in Redis. A separate
 * BullMQ `Queue` on the same prefix only reads the job counts.
 */
export class BullmqSagaJobs implements HarnessSagaJobs {
  private readonly logger = new Logger(BullmqSagaJobs.name);
  private readonly queue: BullmqJobQueue;
  private readonly sagaJobs: JobQueueSagaJobs;
  private readonly counts: Queue;
  private started = false;
  private closing?: Promise<void>;

  constructor(
    url: string,
    prefix: string,
    /** Bounds on each Redis call; a test of a hung Redis makes them short. */
    timeouts: { commandTimeoutMs?: number; connectTimeoutMs?: number } = {},
  ) {
    this.queue = new BullmqJobQueue({ url, prefix, ...timeouts });
    this.sagaJobs = new JobQueueSagaJobs(this.queue);
    this.counts = new Queue(SAGA_QUEUE, { connection: { url }, prefix });
    // Without a listener an 'error' event would crash the test run; a failed count call still throws.
    this.counts.on('error', (error) => this.logger.error(`Counting saga jobs: ${String(error)}`));
  }

  enqueue(job: SagaJob, options: SagaJobOptions): Promise<void> {
    return this.sagaJobs.enqueue(job, options);
  }

  has(jobId: string): Promise<boolean> {
    return this.sagaJobs.has(jobId);
  }

  async start(runner: SagaJobRunner): Promise<void> {
    this.started = true;
    await this.sagaJobs.start(runner);
  }

  async idle(): Promise<void> {
    // Nobody takes jobs before start: waiting for them would only spend the bound.
    if (!this.started) return;
    for (let poll = 0; poll < IDLE_POLLS && !this.closing; poll++) {
      if ((await this.running()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
  }

  async dueNow(): Promise<number> {
    // One atomic read first. With nothing running or waiting then, a job can only start from the
    // delayed set: the second read still sees it there, or it ran and its append moves the head.
    const c = await this.counts.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    const running = count(c, 'waiting') + count(c, 'prioritized') + count(c, 'active');
    if (running > 0 || count(c, 'delayed') === 0) return running;
    return this.counts.getDelayedCount(Date.now() + DUE_WITHIN_MS);
  }

  async queued(): Promise<number> {
    const c = await this.counts.getJobCounts('waiting', 'prioritized', 'delayed');
    return count(c, 'waiting') + count(c, 'prioritized') + count(c, 'delayed');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.counts.close();
    })();
    return this.closing;
  }

  /** Jobs running or ready to be taken, in one atomic read. */
  private async running(): Promise<number> {
    const c = await this.counts.getJobCounts('waiting', 'prioritized', 'active');
    return count(c, 'waiting') + count(c, 'prioritized') + count(c, 'active');
  }
}

/** One test's saga jobs: every process of the test opens its queue here, `cleanup` closes them and deletes what is left. */
export interface SagaJobsSession {
  open(): HarnessSagaJobs;
  cleanup(): Promise<void>;
}

export interface SagaJobsLeg {
  readonly name: 'in-memory' | 'BullMQ';
  session(): SagaJobsSession;
}

/**
 * Every saga job queue reachable here: in memory always, BullMQ when REDIS_URL
 * is set. In CI (CI=true) a missing REDIS_URL fails the run instead of
 * quietly skipping the leg.
 */
export function sagaJobsLegs(): SagaJobsLeg[] {
  const legs: SagaJobsLeg[] = [
    { name: 'in-memory', session: () => session(() => new InMemorySagaJobs()) },
  ];
  const url = redisUrl();
  if (url) {
    legs.push({
      name: 'BullMQ',
      session: () => {
        const prefix = `t-sagas-${randomBytes(5).toString('hex')}`;
        return session(
          () => new BullmqSagaJobs(url, prefix),
          () => deleteKeys(url, prefix),
        );
      },
    });
  }
  return legs;
}

function session(open: () => HarnessSagaJobs, deleteAll?: () => Promise<void>): SagaJobsSession {
  const opened: HarnessSagaJobs[] = [];
  return {
    open: () => {
      const jobs = open();
      opened.push(jobs);
      return jobs;
    },
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((jobs) => jobs.close()));
      await deleteAll?.();
    },
  };
}

export function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but REDIS_URL is not set: the BullMQ legs are required in CI');
  }
  return url || undefined;
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}

/** BullMQ answers a count for every state asked about. */
function count(counts: Record<string, number>, state: string): number {
  return must(counts[state], `${state} job count`);
}
