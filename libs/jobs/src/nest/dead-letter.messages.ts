import { Command, Query } from '@nestjs/cqrs';
import type {
  DeadLetter,
  DeadLetterPage,
  DeadLetterProblem,
  DeadLetterSummary,
  RetryRequest,
} from '../dead-letters';

/** A page of the jobs that failed for good, newest first over every queue. */
export class DeadLettersPageQuery extends Query<DeadLetterPage | DeadLetterProblem> {
  constructor(
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** One dead letter with its payload. */
export class DeadLetterQuery extends Query<DeadLetter | 'dead_letter_not_found'> {
  constructor(readonly jobId: string) {
    super();
  }
}

/** Puts a dead letter back in its queue, recorded in the security audit trail first. */
export class RetryDeadLetterCommand extends Command<DeadLetterSummary | 'dead_letter_not_found'> {
  constructor(
    readonly jobId: string,
    readonly request: RetryRequest,
  ) {
    super();
  }
}
