import { JOB_LIMITS, type JobQueue } from '@ledger/jobs';
import {
  SAGA_JOB_NAMES,
  type SagaJob,
  type SagaJobName,
  type SagaJobOptions,
  type SagaJobQueue,
} from '@ledger/ledger';
import type { SagaJobRunner } from './saga-jobs.runner';

/** The queue every saga job goes to. */
export const SAGA_QUEUE = 'sagas';
/** Provider calls of different sagas run side by side; each is short. */
const CONCURRENCY = 8;

interface Payload {
  readonly name: SagaJobName;
  readonly jobId: string;
  readonly sagaStream: string;
  readonly runAt?: string;
}

/**
 * Saga jobs on the jobs library's `JobQueue` (BullMQ on Redis, or its
 * in-process adapter over SQL). The queue's job id is the saga job's id, so
 * enqueuing again after a crash is a no-op; the last failed attempt tells the
 * runner, so the saga takes its failure path instead of waiting forever.
 */
export class JobQueueSagaJobs implements SagaJobQueue {
  constructor(private readonly queue: JobQueue) {}

  async enqueue(job: SagaJob, options: SagaJobOptions): Promise<void> {
    const payload = {
      name: job.name,
      jobId: job.jobId,
      sagaStream: job.sagaStream,
      ...(job.runAt && { runAt: job.runAt }),
    };
    await this.queue.enqueue(SAGA_QUEUE, job.name, payload, {
      jobId: job.jobId,
      attempts: options.attempts,
      backoff: { type: 'exponential', baseMs: options.backoffMs },
      // Saga timers are days at most, well inside the queue's longest delay.
      delayMs: Math.min(options.delayMs, JOB_LIMITS.delayMs.max),
    });
  }

  /** A dead-lettered job counts as held: an operator retries it (`retryFailed`), not reconciliation. */
  async has(jobId: string): Promise<boolean> {
    return (await this.queue.state(SAGA_QUEUE, jobId)) !== undefined;
  }

  async start(runner: SagaJobRunner): Promise<void> {
    await this.queue.process(
      SAGA_QUEUE,
      async (job) => {
        const payload = job.payload as unknown as Payload;
        if (!SAGA_JOB_NAMES.includes(payload.name))
          throw new Error(`Unknown saga job ${payload.name}`);
        try {
          await runner.run(payload);
        } catch (error) {
          if (job.attempt >= job.attempts) await runner.exhausted(payload, error);
          throw error;
        }
      },
      { concurrency: CONCURRENCY },
    );
  }
}
