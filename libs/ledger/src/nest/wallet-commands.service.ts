import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { AppendBatcher } from '../command-path/append-batcher';
import {
  CommandProcessor,
  type CommandContext,
  type CommandOutcome,
} from '../command-path/command-processor';
import { StateCache } from '../command-path/state-cache';
import { readStateCacheOptions } from './state-cache.config';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { Wallet } from '../wallet/wallet.decider';
import { walletStream, type WalletEvent } from '../wallet/wallet.events';
import type { WalletRejection } from '../wallet/wallet.rejections';
import type { WalletStepOptions } from '../movements/saga.stepper';
import type { HeldWallets, WalletsTogether } from '../movements/saga-together';

export type WalletOutcome = CommandOutcome<WalletEvent, WalletRejection>;

/**
 * The write side of wallets: every command goes through the process's one
 * command processor, so commands for a wallet are serialised in this process
 * and appends from all wallets share group commits.
 */
@Injectable()
export class WalletCommands {
  private readonly processor: CommandProcessor<Wallet, WalletCommand, WalletEvent, WalletRejection>;

  /**
   * Holds several wallets and lets a saga decide its steps on them and
   * append them in one group, written all or none (`runTogether`); present
   * only where the store writes several streams at once.
   */
  readonly together?: WalletsTogether['together'];

  constructor(@Inject(EVENT_STORE) store: EventStore, @Optional() shared?: AppendBatcher) {
    const batcher = shared ?? new AppendBatcher(store);
    this.processor = new CommandProcessor(walletAggregate, store, batcher, {
      cache: new StateCache<Wallet>(readStateCacheOptions(process.env)),
    });
    if (batcher.groups) this.together = (walletIds, work) => this.holdWallets(walletIds, work);
  }

  private holdWallets<T>(walletIds: readonly string[], work: (held: HeldWallets) => Promise<T>) {
    return this.processor.together(walletIds.map(walletStream), (held) =>
      work({
        decide: (walletId, command, context) =>
          held.decide(walletStream(walletId), command, context),
        commit: (also) => held.commit(also),
      }),
    );
  }

  /** `options.mayDecide`: asked before each decision; false answers `concurrency_conflict`, writing nothing. */
  execute(
    walletId: string,
    command: WalletCommand,
    context: CommandContext = {},
    options: WalletStepOptions = {},
  ): Promise<WalletOutcome> {
    return this.processor.execute(walletStream(walletId), command, context, {
      ...(options.mayDecide && { mayDecide: options.mayDecide }),
    });
  }

  /**
   * The wallet as the write side knows it: from its stream, never from a
   * read model. `'latest'` first reads what other processes appended since
   * this process last saw the wallet (for a check that must not refuse on
   * an old balance).
   */
  async state(
    walletId: string,
    atLeast?: bigint | 'latest',
  ): Promise<{ wallet: Wallet; revision: bigint | undefined }> {
    const cached = await this.processor.load(walletStream(walletId), atLeast);
    return { wallet: cached.state, revision: cached.revision };
  }
}
