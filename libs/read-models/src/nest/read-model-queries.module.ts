import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LEDGER_QUERY_HANDLERS } from './ledger.queries';
import { MOVEMENT_QUERY_HANDLERS } from './movement.queries';
import { WALLET_QUERY_HANDLERS } from './wallet.queries';

/**
 * The read models' query handlers on the QueryBus. Needs SQL_DATABASE and EVENT_STORE
 * from the infrastructure module and a root `CqrsModule.forRoot()`.
 */
@Module({
  imports: [CqrsModule],
  providers: [...WALLET_QUERY_HANDLERS, ...MOVEMENT_QUERY_HANDLERS, ...LEDGER_QUERY_HANDLERS],
})
export class ReadModelQueriesModule {}
