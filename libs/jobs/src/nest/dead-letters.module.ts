import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SecurityAuditService } from '@ledger/identity';
import { DeadLetters } from '../dead-letters';
import { JOB_QUEUE } from '../tokens';
import type { JobQueue } from '../job-queue.port';
import {
  DeadLetterHandler,
  DeadLettersPageHandler,
  RetryDeadLetterHandler,
} from './dead-letter.handlers';

/**
 * The dead-letter messages' handlers over `queues`. Needs JOB_QUEUE
 * (JobsModule) and SecurityAuditService (IdentityModule) from the root, and
 * a root `CqrsModule.forRoot()`.
 */
@Module({})
export class DeadLettersModule {
  static forQueues(queues: readonly string[]): DynamicModule {
    return {
      module: DeadLettersModule,
      imports: [CqrsModule],
      providers: [
        {
          provide: DeadLetters,
          useFactory: (queue: JobQueue, audit: SecurityAuditService) =>
            new DeadLetters(queue, audit, queues),
          inject: [JOB_QUEUE, SecurityAuditService],
        },
        DeadLettersPageHandler,
        DeadLetterHandler,
        RetryDeadLetterHandler,
      ],
    };
  }
}
