import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OpenWalletHandler } from './open-wallet.handler';
import { WalletCommands } from './wallet-commands.service';

/** The write side of the ledger. Needs EVENT_STORE from the infrastructure module. */
@Module({
  imports: [CqrsModule],
  providers: [WalletCommands, OpenWalletHandler],
  exports: [WalletCommands],
})
export class LedgerModule {}
