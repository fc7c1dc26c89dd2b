import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { AppendBatcher } from '../command-path/append-batcher';
import { SupportedCurrenciesHandler } from './currency.queries';
import { OpenWalletHandler } from './open-wallet.handler';
import { ExecuteWalletCommandHandler, WalletStateQueryHandler } from './wallet.handlers';
import { WalletCommands } from './wallet-commands.service';

/**
 * The write side of the ledger. Needs EVENT_STORE from the infrastructure
 * module. One AppendBatcher per process: wallet commands and saga records
 * share its group commits.
 */
@Module({
  imports: [CqrsModule],
  providers: [
    {
      provide: AppendBatcher,
      useFactory: (store: EventStore) => new AppendBatcher(store),
      inject: [EVENT_STORE],
    },
    WalletCommands,
    OpenWalletHandler,
    ExecuteWalletCommandHandler,
    WalletStateQueryHandler,
    SupportedCurrenciesHandler,
  ],
  exports: [WalletCommands, AppendBatcher],
})
export class LedgerModule {}
