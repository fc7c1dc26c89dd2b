import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  deriveId,
  MovementStreams,
  sagaStreamId,
  StartWithdrawalCommand,
  WalletCommands,
  type MovementStarted,
  type WithdrawalRequest,
} from '@ledger/ledger';
import { PayoutDestinationsStore } from '../payout-destinations/payout-destinations.store';

/**
 * How long a withdrawal waits for the provider to report the payout before it
 * releases the hold. Bank payouts take days; a week covers weekends and holidays.
 */
export const WITHDRAWAL_TIMEOUT_MS = 7 * 24 * 3_600_000;
/** Overrides WITHDRAWAL_TIMEOUT_MS (a number of milliseconds), e.g. for tests that need the timer to fire. */
export const WITHDRAWAL_TIMEOUT = Symbol('WITHDRAWAL_TIMEOUT');

/**
 * Records a withdrawal to one of the owner's linked bank accounts. The route
 * has already checked a fresh second-factor code; the balance is checked by
 * the wallet when the driver places the hold.
 */
@CommandHandler(StartWithdrawalCommand)
export class StartWithdrawalHandler implements ICommandHandler<
  StartWithdrawalCommand,
  MovementStarted
> {
  constructor(
    private readonly wallets: WalletCommands,
    private readonly streams: MovementStreams,
    private readonly destinations: PayoutDestinationsStore,
    @Optional()
    @Inject(WITHDRAWAL_TIMEOUT)
    private readonly timeoutMs: number = WITHDRAWAL_TIMEOUT_MS,
  ) {}

  async execute({ input }: StartWithdrawalCommand): Promise<MovementStarted> {
    const { wallet } = await this.wallets.state(input.walletId);
    // Money leaves the platform here: only the owner, never staff on their behalf. Anyone
    // else's wallet answers exactly as a missing one, so wallet ids cannot be probed.
    if (wallet.status === 'unopened' || wallet.ownerId !== input.caller.userId)
      return { ok: false, rejection: 'wallet_not_found' };
    if (wallet.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    const destination = await this.destinations.find(input.caller.userId, input.destinationId);
    if (!destination) return { ok: false, rejection: 'payout_destination_not_found' };

    const withdrawalId = deriveId('withdrawal', input.commandId);
    const stream = sagaStreamId('withdrawal', withdrawalId);
    const now = Date.now();
    const request: WithdrawalRequest = {
      withdrawalId,
      requestedBy: input.caller.userId,
      walletId: input.walletId,
      ownerId: wallet.ownerId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      destinationId: destination.id,
      destinationType: destination.type,
      destinationRef: destination.providerRef,
      timeoutAt: new Date(now + this.timeoutMs).toISOString(),
      at: new Date(now).toISOString(),
    };
    const outcome = await this.streams.record(
      stream,
      { type: 'RequestWithdrawal', commandId: input.commandId, request },
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
}
