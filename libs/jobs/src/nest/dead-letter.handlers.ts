import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import {
  DeadLetters,
  type DeadLetter,
  type DeadLetterPage,
  type DeadLetterProblem,
  type DeadLetterSummary,
} from '../dead-letters';
import {
  DeadLetterQuery,
  DeadLettersPageQuery,
  RetryDeadLetterCommand,
} from './dead-letter.messages';

@QueryHandler(DeadLettersPageQuery)
export class DeadLettersPageHandler implements IQueryHandler<DeadLettersPageQuery> {
  constructor(private readonly deadLetters: DeadLetters) {}
  execute({ limit, cursor }: DeadLettersPageQuery): Promise<DeadLetterPage | DeadLetterProblem> {
    return this.deadLetters.list({ limit, cursor });
  }
}

@QueryHandler(DeadLetterQuery)
export class DeadLetterHandler implements IQueryHandler<DeadLetterQuery> {
  constructor(private readonly deadLetters: DeadLetters) {}
  execute({ jobId }: DeadLetterQuery): Promise<DeadLetter | 'dead_letter_not_found'> {
    return this.deadLetters.show(jobId);
  }
}

@CommandHandler(RetryDeadLetterCommand)
export class RetryDeadLetterHandler implements ICommandHandler<RetryDeadLetterCommand> {
  constructor(private readonly deadLetters: DeadLetters) {}
  execute({
    jobId,
    request,
  }: RetryDeadLetterCommand): Promise<DeadLetterSummary | 'dead_letter_not_found'> {
    return this.deadLetters.retry(jobId, request);
  }
}
