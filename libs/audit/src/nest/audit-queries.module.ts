import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import {
  CheckpointPublicKeyHandler,
  CheckpointsPageHandler,
  LogEventsPageHandler,
} from './audit.queries';

/**
 * The audit queries' handlers on the QueryBus. Needs SQL_DATABASE and
 * EVENT_STORE from the infrastructure module, AUDIT_CONFIG from
 * `AuditModule.forRoot` and a root `CqrsModule.forRoot()`.
 */
@Module({
  imports: [CqrsModule],
  providers: [LogEventsPageHandler, CheckpointsPageHandler, CheckpointPublicKeyHandler],
})
export class AuditQueriesModule {}
