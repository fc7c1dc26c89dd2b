import { Logger } from '@nestjs/common';
import type { SagaJob, SagaJobOptions, SagaJobQueue } from '@ledger/ledger';

export type SagaJobHandler = (job: SagaJob) => Promise<void>;
/** Called once a job's attempts are spent, with the last error, so the saga can take its failure path. */
export type SagaJobExhaustedHandler = (job: SagaJob, error: unknown) => Promise<void>;

/** Bounds memory: beyond this many live jobs, enqueuing fails loudly instead of growing. */
const MAX_LIVE_JOBS = 100_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Live {
  readonly job: SagaJob;
  readonly options: SagaJobOptions;
  attempt: number;
  dueAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Saga jobs in memory, for tests that need no job server and fast, scripted
 * backoff (production uses `JobQueueSagaJobs` over the jobs library). Not durable: the
 * saga driver re-enqueues every unfinished saga's jobs when it starts and
 * while it runs, and fires timers from Postgres, which is what makes losing
 * them safe. A job id is live from
 * enqueue until it succeeds or is dead-lettered; a second enqueue meanwhile
 * is a no-op, as with BullMQ's job ids.
 */
export class InMemorySagaJobQueue implements SagaJobQueue {
  private readonly logger = new Logger(InMemorySagaJobQueue.name);
  private readonly live = new Map<string, Live>();
  private readonly idleWaiters: Array<() => void> = [];
  private running = 0;
  private handler?: SagaJobHandler;
  private exhausted?: SagaJobExhaustedHandler;
  private closed = false;

  async enqueue(job: SagaJob, options: SagaJobOptions): Promise<void> {
    if (this.closed || this.live.has(job.jobId)) return;
    if (this.live.size >= MAX_LIVE_JOBS)
      throw new RangeError(`More than ${MAX_LIVE_JOBS} live saga jobs`);
    const entry: Live = { job, options, attempt: 0, dueAt: Date.now() + options.delayMs };
    this.live.set(job.jobId, entry);
    this.schedule(entry, options.delayMs);
  }

  /** Whether the job is waiting, delayed or running; a finished job is removed, as BullMQ does past its retention. */
  async has(jobId: string): Promise<boolean> {
    return this.live.has(jobId);
  }

  /** Drops every job without running it, as a queue that lost its data; enqueuing works on. */
  forget(): void {
    for (const entry of this.live.values()) clearTimeout(entry.timer);
    this.live.clear();
  }

  /** Starts running jobs, including those enqueued before a handler was attached. */
  process(handler: SagaJobHandler, exhausted: SagaJobExhaustedHandler): void {
    this.handler = handler;
    this.exhausted = exhausted;
    for (const entry of this.live.values()) if (!entry.timer) this.schedule(entry, 0);
  }

  /** Resolves when no job is running or due now (delayed jobs excepted); tests wait on this, not on time. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Jobs still waiting, delayed or running. */
  get size(): number {
    return this.live.size;
  }

  /** Jobs due within a few milliseconds (retries with test backoff), as opposed to far-off timers. */
  get dueNow(): number {
    let due = 0;
    for (const entry of this.live.values()) if (entry.dueAt - Date.now() < 1_000) due++;
    return due;
  }

  close(): void {
    this.closed = true;
    for (const entry of this.live.values()) clearTimeout(entry.timer);
    this.live.clear();
  }

  /** Only this entry: after `forget`, the same id may have been enqueued anew meanwhile. */
  private forgetEntry(entry: Live): void {
    if (this.live.get(entry.job.jobId) === entry) this.live.delete(entry.job.jobId);
  }

  private schedule(entry: Live, delayMs: number): void {
    entry.dueAt = Date.now() + delayMs;
    if (!this.handler) return;
    // setTimeout fires at once for delays beyond 2^31-1 ms: such a job stays put instead.
    if (delayMs > MAX_TIMER_MS) return;
    entry.timer = setTimeout(() => void this.run(entry), delayMs);
  }

  private async run(entry: Live): Promise<void> {
    if (this.closed || !this.handler) return;
    this.running++;
    entry.attempt++;
    try {
      await this.handler(entry.job);
      this.forgetEntry(entry);
    } catch (error) {
      if (entry.attempt < entry.options.attempts) {
        this.schedule(entry, entry.options.backoffMs * 2 ** (entry.attempt - 1));
      } else {
        // Recorded before the job leaves the queue, as a queue's last attempt does.
        await this.exhausted?.(entry.job, error).catch((e: unknown) =>
          this.logger.error(`Dead-letter handler for ${entry.job.jobId} failed: ${String(e)}`),
        );
        this.forgetEntry(entry);
      }
    } finally {
      this.running--;
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
