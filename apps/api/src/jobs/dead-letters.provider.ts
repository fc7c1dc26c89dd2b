import type { Provider } from '@nestjs/common';
import { SecurityAuditService } from '@ledger/identity';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { SERVICE_QUEUES } from '@ledger/service';
import { DeadLetters } from './dead-letters';
import { DEAD_LETTERS } from './dead-letters.controller';

/** Needs JOB_QUEUE (JobsModule) and SecurityAuditService (exported by IdentityModule). */
export const deadLettersProvider: Provider = {
  provide: DEAD_LETTERS,
  useFactory: (queue: JobQueue, audit: SecurityAuditService) =>
    new DeadLetters(queue, audit, SERVICE_QUEUES),
  inject: [JOB_QUEUE, SecurityAuditService],
};
