import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@ledger/ledger/nest';
import { CheckpointerService } from './audit/checkpointer.service';
import { LogReadsModule } from './log/log-reads.module';
import { IdempotencyPurgeService } from './maintenance/idempotency-purge.service';
import { ProjectionsService } from './projections/projections.service';
import { SagasModule } from './sagas/sagas.module';

/** The worker's loops: projections, the saga drivers with their jobs, maintenance and checkpoints. */
@Module({
  imports: [CqrsModule, LedgerModule, LogReadsModule, SagasModule],
  providers: [ProjectionsService, IdempotencyPurgeService, CheckpointerService],
  exports: [ProjectionsService],
})
export class WorkerModule {}
