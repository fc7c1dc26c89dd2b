import {
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { WalletCommands, type WalletOutcome } from './wallet-commands.service';
import { ExecuteWalletCommand, WalletStateQuery, type WalletWriteState } from './wallet.messages';

@CommandHandler(ExecuteWalletCommand)
export class ExecuteWalletCommandHandler implements ICommandHandler<
  ExecuteWalletCommand,
  WalletOutcome
> {
  constructor(private readonly wallets: WalletCommands) {}

  execute({ walletId, command, context }: ExecuteWalletCommand): Promise<WalletOutcome> {
    return this.wallets.execute(walletId, command, context);
  }
}

@QueryHandler(WalletStateQuery)
export class WalletStateQueryHandler implements IQueryHandler<WalletStateQuery, WalletWriteState> {
  constructor(private readonly wallets: WalletCommands) {}

  execute({ walletId, atLeast }: WalletStateQuery): Promise<WalletWriteState> {
    return this.wallets.state(walletId, atLeast);
  }
}
