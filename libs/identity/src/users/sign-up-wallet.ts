import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { OpenWalletCommand, deriveId, type OpenWalletResult } from '@ledger/ledger';
import { UserStore } from './user.store';

/** The command id every attempt to open a user's first wallet shares, so retries open one wallet. */
export function signUpWalletCommandId(userId: string): string {
  return deriveId('identity', 'sign-up-wallet', userId);
}

/**
 * Opens the wallet every user gets at sign-up. Opening is not in the sign-up
 * transaction (the ledger is another store), so a failure is logged and left
 * for the next login to retry; the deterministic command id makes that retry
 * open the same wallet, never a second one.
 */
@Injectable()
export class SignUpWallet {
  private readonly logger = new Logger(SignUpWallet.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserStore,
  ) {}

  async ensureOpen(
    user: { id: string; defaultCurrency: string; walletOpened: boolean },
    correlationId?: string,
  ): Promise<OpenWalletResult | undefined> {
    if (user.walletOpened) return undefined;
    try {
      const opened: OpenWalletResult = await this.commands.execute(
        new OpenWalletCommand({
          ownerId: user.id,
          currency: user.defaultCurrency,
          commandId: signUpWalletCommandId(user.id),
          correlationId,
        }),
      );
      await this.users.markWalletOpened(user.id);
      return opened;
    } catch (error) {
      this.logger.warn(
        `Wallet for user ${user.id} not opened yet; the next login retries: ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}
