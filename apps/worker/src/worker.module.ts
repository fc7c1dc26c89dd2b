import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@ledger/ledger';
import { ProjectionsService } from './projections/projections.service';
import { SagasModule } from './sagas/sagas.module';

/** The worker's loops: projections, and the saga drivers with their jobs. */
@Module({
  imports: [CqrsModule, LedgerModule, SagasModule],
  providers: [ProjectionsService],
  exports: [ProjectionsService],
})
export class WorkerModule {}
