import { Module } from '@nestjs/common';
import { LedgerModule } from '../../nest/ledger.module';
import { GatewayEventFeed, GatewayEventRecorder } from './gateway-events.recorder';
import { MovementStreamQueryHandler } from './movement.queries';
import { MovementStreams } from './movement-streams.service';

/**
 * One `MovementStreams` per process. The API records a movement's inputs
 * and the worker its steps; sharing the instance (API and worker in one
 * process) shares the verified cache and the per-stream lanes, so the two
 * never race each other on a saga stream nor read it twice. The gateway's
 * in-process reports are recorded here too, once per process, whichever
 * role it runs. `MovementStreamQuery` reads a movement's stream on the QueryBus.
 */
@Module({
  imports: [LedgerModule],
  providers: [MovementStreams, GatewayEventRecorder, GatewayEventFeed, MovementStreamQueryHandler],
  exports: [MovementStreams, GatewayEventRecorder],
})
export class MovementStreamsModule {}
