import type { SecurityAuditService } from '@ledger/identity';
import { JOB_LIMITS, type FailedJob, type JobQueue, type JsonValue } from './job-queue.port';

/** A dead letter as operators see it (the list leaves the payload out). */
export interface DeadLetterSummary {
  readonly id: string;
  readonly queue: string;
  readonly name: string;
  readonly attemptsMade: number;
  readonly error: string;
  readonly failedAt: string;
}

export interface DeadLetter extends DeadLetterSummary {
  readonly payload: JsonValue;
}

export interface DeadLetterPage {
  readonly items: DeadLetterSummary[];
  readonly nextCursor: string | null;
}

/** Who retries and why: an admin's user id, or the operator CLI. */
export interface RetryRequest {
  readonly by: { readonly userId: string } | 'operator CLI';
  readonly reason: string;
  readonly correlationId?: string;
}

export const MAX_DEAD_LETTERS_PAGE = 100;
export const REASON_LENGTH = { min: 3, max: 500 } as const;

export type DeadLetterProblem = 'invalid_cursor' | 'dead_letter_not_found';

/**
 * Lists, shows and retries the jobs that failed for good, across the
 * service's queues, on whichever adapter is configured. A retry is recorded
 * in the security audit trail (who, which job, why) before the job is put
 * back, so no retry goes unrecorded; a retry whose job is no longer a dead
 * letter records nothing.
 */
export class DeadLetters {
  constructor(
    private readonly queue: JobQueue,
    private readonly audit: Pick<SecurityAuditService, 'record'>,
    private readonly queues: readonly string[],
  ) {}

  /**
   * Newest first over all queues. The cursor is the number of dead letters
   * already seen; paging stops at `JOB_LIMITS.failedPage`, beyond which the
   * CLI or the queue itself is the tool.
   */
  async list(options: {
    limit: number;
    cursor?: string;
  }): Promise<DeadLetterPage | DeadLetterProblem> {
    const offset = options.cursor === undefined ? 0 : decodeCursor(options.cursor);
    if (offset === undefined) return 'invalid_cursor';
    const limit = Math.min(Math.max(1, options.limit), MAX_DEAD_LETTERS_PAGE);
    const wanted = Math.min(offset + limit + 1, JOB_LIMITS.failedPage);
    const perQueue = await Promise.all(
      this.queues.map((queue) => this.queue.failedJobs(queue, { limit: wanted })),
    );
    const all = perQueue
      .flat()
      .sort(
        (a, b) =>
          b.failedAt.getTime() - a.failedAt.getTime() ||
          a.queue.localeCompare(b.queue) ||
          a.id.localeCompare(b.id),
      );
    const items = all.slice(offset, offset + limit).map(summary);
    const next = offset + items.length;
    const more = all.length > next && next < JOB_LIMITS.failedPage;
    return { items, nextCursor: more ? encodeCursor(next) : null };
  }

  /** The dead letter with this job id in any of the queues. */
  async show(id: string): Promise<DeadLetter | 'dead_letter_not_found'> {
    const found = await this.find(id);
    return found ? { ...summary(found), payload: found.payload } : 'dead_letter_not_found';
  }

  async retry(
    id: string,
    request: RetryRequest,
  ): Promise<DeadLetterSummary | 'dead_letter_not_found'> {
    const found = await this.find(id);
    if (!found) return 'dead_letter_not_found';
    const by = request.by === 'operator CLI' ? request.by : request.by.userId;
    await this.audit.record(
      {
        type: 'DeadLetterRetried',
        ...(request.by !== 'operator CLI' && { userId: request.by.userId }),
        data: {
          by,
          queue: found.queue,
          jobId: found.id,
          jobName: found.name,
          reason: request.reason,
        },
      },
      request.correlationId,
    );
    if (!(await this.queue.retryFailed(found.queue, found.id))) return 'dead_letter_not_found';
    return summary(found);
  }

  private async find(id: string): Promise<FailedJob | undefined> {
    if (!JOB_ID.test(id)) return undefined;
    for (const queue of this.queues) {
      const found = await this.queue.failedJob(queue, id);
      if (found) return found;
    }
    return undefined;
  }
}

/** The job queue port's id shape; anything else names no job and answers as a missing one. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

function summary(job: FailedJob): DeadLetterSummary {
  return {
    id: job.id,
    queue: job.queue,
    name: job.name,
    attemptsMade: job.attemptsMade,
    error: job.error,
    failedAt: job.failedAt.toISOString(),
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`dl:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^dl:(\d{1,4})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const offset = Number(match[1]);
  return offset <= JOB_LIMITS.failedPage ? offset : undefined;
}
