import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  convertMinor,
  deriveId,
  MovementStreams,
  RATE_PROVIDER,
  sagaStreamId,
  StartTransferCommand,
  WalletCommands,
  type MovementStarted,
  type RateProvider,
  type TransferRequest,
} from '@ledger/ledger';
import { RecipientResolver } from './recipient.resolver';

/**
 * Checks a transfer up front (the sender's wallet is the caller's and in the
 * stated currency, the recipient exists, a rate exists), fixes the rate, and
 * records the request on `transfer-<id>`. Balances are not checked here: the
 * sender's wallet decides when the driver places the hold.
 */
@CommandHandler(StartTransferCommand)
export class StartTransferHandler implements ICommandHandler<
  StartTransferCommand,
  MovementStarted
> {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly streams: MovementStreams,
    private readonly recipients: RecipientResolver,
    @Inject(RATE_PROVIDER) private readonly rates: RateProvider,
  ) {}

  async execute({ input }: StartTransferCommand): Promise<MovementStarted> {
    const { wallet: sender } = await this.wallets.state(input.fromWalletId);
    // Another customer's wallet answers exactly as a missing one, so wallet ids cannot be probed.
    const mayUse =
      sender.status !== 'unopened' &&
      (sender.ownerId === input.caller.userId || input.caller.actsForOthers);
    if (!mayUse) return { ok: false, rejection: 'wallet_not_found' };
    if (sender.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    const recipient = await this.recipients.resolve(input.to, input.currency);
    if (typeof recipient === 'string') return { ok: false, rejection: recipient };
    const credit = await this.creditFor(input.amountMinor, input.currency, recipient.currency);
    if (typeof credit === 'string') return { ok: false, rejection: credit };

    const transferId = deriveId('transfer', input.commandId);
    const stream = sagaStreamId('transfer', transferId);
    const request: TransferRequest = {
      transferId,
      requestedBy: input.caller.userId,
      fromWalletId: input.fromWalletId,
      fromOwnerId: sender.ownerId,
      toWalletId: recipient.walletId,
      toOwnerId: recipient.ownerId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      creditAmountMinor: credit.amountMinor,
      creditCurrency: recipient.currency,
      ...(credit.rate && { fxRate: credit.rate, fxSource: credit.source }),
      ...(input.description && { description: input.description }),
      at: new Date().toISOString(),
    };
    const outcome = await this.streams.record(
      stream,
      { type: 'RequestTransfer', commandId: input.commandId, request },
      { correlationId: input.commandId },
    );
    if (!outcome.ok) return { ok: false, rejection: outcome.rejection };
    // A re-run under the same Idempotency-Key (the first run's answer was
    // lost) recorded nothing new: answer with the movement as it stands.
    const status = outcome.duplicate
      ? ((await this.streams.load(stream))?.summary?.status ?? 'pending')
      : 'pending';
    return { ok: true, movementId: stream, status, position: outcome.position };
  }

  private async creditFor(amountMinor: bigint, from: string, to: string) {
    if (from === to) return { amountMinor, rate: undefined, source: undefined };
    const quote = await this.rates.quote(from, to);
    if (!quote) return 'fx_rate_unavailable' as const;
    const converted = convertMinor(amountMinor, from, to, quote.rate);
    if (converted <= 0n) return 'converted_amount_too_small' as const;
    return { amountMinor: converted, rate: quote.rate, source: quote.source };
  }
}
