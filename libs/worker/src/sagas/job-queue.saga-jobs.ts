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

/** A queued saga job that is not one: the job fails loudly instead of running on a guess. */
export class MalformedSagaJob extends TypeError {
  override readonly name = 'MalformedSagaJob';
  constructor(why: string) {
    super(`Malformed saga job payload: ${why}`);
  }
}

/**
 * A saga job from its queued payload. Jobs queued before the movement id was
 * written as `movementId` carry it as `sagaStream`; both are read, so those
 * jobs still run after an upgrade.
 */
export function decodeSagaJob(payload: unknown): SagaJob {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new MalformedSagaJob('not an object');
  const fields = payload as Record<string, unknown>;
  const { name, jobId, runAt } = fields;
  const movementId = fields.movementId ?? fields.sagaStream;
  if (!SAGA_JOB_NAMES.includes(name as SagaJobName))
    throw new MalformedSagaJob(`unknown job name ${JSON.stringify(name)}`);
  if (typeof jobId !== 'string' || jobId === '') throw new MalformedSagaJob('no jobId');
  if (typeof movementId !== 'string' || movementId === '')
    throw new MalformedSagaJob('no movementId');
  if (runAt !== undefined && typeof runAt !== 'string')
    throw new MalformedSagaJob('runAt is not a string');
  return { name: name as SagaJobName, jobId, movementId, ...(runAt !== undefined && { runAt }) };
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
      movementId: job.movementId,
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
        const sagaJob = decodeSagaJob(job.payload);
        try {
          await runner.run(sagaJob);
        } catch (error) {
          if (job.attempt >= job.attempts) await runner.exhausted(sagaJob, error);
          throw error;
        }
      },
      { concurrency: CONCURRENCY },
    );
  }
}
