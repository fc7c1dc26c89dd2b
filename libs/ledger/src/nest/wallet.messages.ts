import { Command, Query } from '@nestjs/cqrs';
import type { CommandContext } from '../command-path/command-processor';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { Wallet } from '../wallet/wallet.decider';
import type { WalletOutcome } from './wallet-commands.service';

/**
 * The messages the wallet write side answers on the `@nestjs/cqrs` buses.
 * They are declared with their Nest wiring (not beside the deciders) because
 * `Command<R>`/`Query<R>` carry the answer's type for `bus.execute` and are
 * framework classes the domain may not load.
 */

/** One wallet command, decided by the command processor in the wallet's lane. */
export class ExecuteWalletCommand extends Command<WalletOutcome> {
  constructor(
    readonly walletId: string,
    readonly command: WalletCommand,
    readonly context: CommandContext = {},
  ) {
    super();
  }
}

export interface WalletWriteState {
  readonly wallet: Wallet;
  readonly revision: bigint | undefined;
}

/**
 * The wallet as the write side knows it, from its stream and never from a
 * read model (ownership checks and the answers of commands use it).
 */
export class WalletStateQuery extends Query<WalletWriteState> {
  constructor(
    readonly walletId: string,
    readonly atLeast?: bigint | 'latest',
  ) {
    super();
  }
}
