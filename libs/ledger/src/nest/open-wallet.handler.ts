import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '../ids';
import { OpenWalletCommand, type OpenWalletResult } from '../wallet/open-wallet.command';
import { WalletCommands } from './wallet-commands.service';

export class OpenWalletRejected extends Error {
  override readonly name = 'OpenWalletRejected';
  constructor(readonly rejection: string) {
    super(`Wallet not opened: ${rejection}`);
  }
}

/** The wallet id derives from the command id, so a retried command opens the same wallet once. */
@CommandHandler(OpenWalletCommand)
export class OpenWalletHandler implements ICommandHandler<OpenWalletCommand, OpenWalletResult> {
  constructor(private readonly wallets: WalletCommands) {}

  async execute({ input }: OpenWalletCommand): Promise<OpenWalletResult> {
    const walletId = deriveId('wallet', input.commandId);
    const outcome = await this.wallets.execute(
      walletId,
      {
        type: 'OpenWallet',
        commandId: input.commandId,
        at: new Date().toISOString(),
        walletId,
        ownerId: input.ownerId,
        currency: input.currency,
      },
      { correlationId: input.correlationId },
    );
    if (!outcome.ok && outcome.rejection !== 'wallet_already_exists')
      throw new OpenWalletRejected(outcome.rejection);
    return {
      walletId,
      currency: input.currency,
      ...(outcome.ok && outcome.position && { position: outcome.position }),
    };
  }
}
