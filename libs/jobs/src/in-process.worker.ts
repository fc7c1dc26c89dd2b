import { Logger } from '@nestjs/common';
import type { Job, JobHandler } from './job-queue.port';

/** What a worker needs from its store; the SQL lives in `InProcessJobQueue`. */
export interface JobStore {
  /** Claims up to `limit` due jobs of the queue under a lease. */
  claim(limit: number): Promise<Job[]>;
  complete(job: Job): Promise<void>;
  fail(job: Job, error: unknown): Promise<void>;
  /** Milliseconds until the queue's next job is due, or undefined when none waits. */
  nextDueInMs(): Promise<number | undefined>;
}

/**
 * Runs one queue's jobs in this process: claims what is due, runs up to
 * `concurrency` at once, and sleeps until the next job is due. It also wakes
 * every `pollIntervalMs`, because with Postgres another process may enqueue
 * or a lease may expire without this process hearing of it.
 */
export class InProcessWorker {
  private readonly logger = new Logger(InProcessWorker.name);
  private readonly running = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly handler: JobHandler,
    private readonly concurrency: number,
    private readonly pollIntervalMs: number,
  ) {}

  /** Looks for work now (after an enqueue in this process, or a job finished). */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => (this.pumping = undefined));
  }

  /**
   * Stops polling and waits for running jobs, at most `graceMs`: a job still
   * running after that is left to its lease, and runs again elsewhere.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.pumping;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        const free = this.concurrency - this.running.size;
        if (free <= 0) break;
        const jobs = await this.store.claim(free);
        for (const job of jobs) this.start(job);
        // A full batch means more may be due right now.
        if (jobs.length === free) this.again = true;
      } while (this.again && !this.closed);
      await this.sleepUntilNextDue();
    } catch (error) {
      this.logger.error(`Job worker could not poll: ${String(error)}`);
      this.sleep(this.pollIntervalMs);
    }
  }

  private start(job: Job): void {
    const run = this.run(job).finally(() => {
      this.running.delete(run);
      this.wake();
    });
    this.running.add(run);
  }

  private async run(job: Job): Promise<void> {
    try {
      await this.handler(job);
    } catch (error) {
      await this.settle(() => this.store.fail(job, error), job);
      return;
    }
    await this.settle(() => this.store.complete(job), job);
  }

  /**
   * If recording the outcome fails (database down), the lease runs out and
   * the job runs again: at least once, never lost.
   */
  private async settle(record: () => Promise<void>, job: Job): Promise<void> {
    await record().catch((error: unknown) =>
      this.logger.error(
        `Could not record the outcome of job ${job.queue}/${job.id}: ${String(error)}`,
      ),
    );
  }

  private async sleepUntilNextDue(): Promise<void> {
    if (this.closed) return;
    const dueInMs = await this.store.nextDueInMs();
    this.sleep(Math.min(dueInMs ?? this.pollIntervalMs, this.pollIntervalMs));
  }

  private sleep(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(0, Math.ceil(ms)));
  }
}
