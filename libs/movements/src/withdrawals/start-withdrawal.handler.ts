import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  deriveId,
  SagaStepper,
  sagaStreamId,
  StartWithdrawalCommand,
  walletAggregate,
  withdrawalSaga,
  type MovementStarted,
  type MovementStartRejection,
  type SagaAdvance,
  type Wallet,
  type WalletRejection,
  type WithdrawalRequest,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import type { Position } from '@ledger/event-store';
import { PayoutDestinationsStore } from '../payout-destinations/payout-destinations.store';
import { MobileMoneyPayer } from '../top-ups/mobile-money-payer';
import { withPosition } from '../movement-position';

/**
 * How long a withdrawal waits for the provider to report the payout before it
 * releases the hold. Bank payouts take days; a week covers weekends and holidays.
 */
export const WITHDRAWAL_TIMEOUT_MS = 7 * 24 * 3_600_000;
/** Overrides WITHDRAWAL_TIMEOUT_MS (a number of milliseconds), e.g. for tests that need the timer to fire. */
export const WITHDRAWAL_TIMEOUT = Symbol('WITHDRAWAL_TIMEOUT');

/**
 * Records a withdrawal to one of the owner's linked bank accounts and places
 * its hold at once, so a withdrawal that cannot succeed is refused within
 * the request. Everything the wallet would refuse (not the caller's, frozen,
 * closed, more than available) is checked against its current state before
 * the route spends the second factor (`confirm`), so such a request leaves
 * the code usable. The payout itself runs in the worker; an inline run that
 * is cut short (an outage) answers `pending` and the worker places the hold.
 */
@CommandHandler(StartWithdrawalCommand)
export class StartWithdrawalHandler implements ICommandHandler<
  StartWithdrawalCommand,
  MovementStarted
> {
  private readonly logger = new Logger('withdrawals');

  constructor(
    private readonly wallets: WalletCommands,
    private readonly streams: MovementStreams,
    private readonly destinations: PayoutDestinationsStore,
    private readonly stepper: SagaStepper,
    @Optional()
    @Inject(WITHDRAWAL_TIMEOUT)
    private readonly timeoutMs: number = WITHDRAWAL_TIMEOUT_MS,
    @Optional() private readonly mobileMoney?: MobileMoneyPayer,
  ) {}

  async execute(command: StartWithdrawalCommand): Promise<MovementStarted> {
    return withPosition(await this.start(command), this.streams);
  }

  private async start({ input }: StartWithdrawalCommand): Promise<MovementStarted> {
    const withdrawalId = deriveId('withdrawal', input.commandId);
    const stream = sagaStreamId('withdrawal', withdrawalId);
    // A re-run under the same Idempotency-Key (the first run's answer was
    // lost) finds the request recorded and its code spent: it only resumes.
    const existing = await this.streams.current(stream, 'latest');
    if (existing?.summary) return this.run(stream, 'latest', input.commandId, undefined);

    // Latest: the balance may have changed in another process (a top-up the worker credited).
    const { wallet } = await this.wallets.state(input.walletId, 'latest');
    // Money leaves the platform here: only the owner, never staff on their
    // behalf; anyone else's wallet looks missing.
    if (wallet.status === 'unopened' || wallet.ownerId !== input.caller.userId)
      return { ok: false, rejection: 'wallet_not_found' };
    if (wallet.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    const destination = await this.destinationOf(input);
    if (typeof destination === 'string') return { ok: false, rejection: destination };

    const now = Date.now();
    const request: WithdrawalRequest = {
      withdrawalId,
      requestedBy: input.caller.userId,
      walletId: input.walletId,
      ownerId: wallet.ownerId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      destinationId: destination.id,
      destinationType: destination.destinationType,
      destinationRef: destination.destinationRef,
      timeoutAt: new Date(now + this.timeoutMs).toISOString(),
      at: new Date(now).toISOString(),
    };
    const refusal = holdRefusal(stream, request, wallet);
    if (refusal) return { ok: false, rejection: refusal };
    await input.confirm?.();
    const outcome = await this.streams.record(
      stream,
      { type: 'StartWithdrawal', commandId: input.commandId, request },
      { correlationId: input.commandId },
    );
    if (!outcome.ok) return { ok: false, rejection: outcome.rejection };
    return this.run(stream, outcome.revision, input.commandId, outcome.position);
  }

  /**
   * A linked bank or connected account, or, for mobile money, the owner's
   * phone number: checked here, looked up again when the payout is made, and
   * never written to the log.
   */
  private async destinationOf(
    input: StartWithdrawalCommand['input'],
  ): Promise<Destination | MovementStartRejection> {
    if (input.method === 'mpesa') {
      const checked = this.mobileMoney
        ? await this.mobileMoney.check(input.caller.userId, input.amountMinor, input.currency)
        : 'payment_method_unavailable';
      if (typeof checked === 'string') return checked;
      return { id: 'mpesa', destinationType: 'mobile_money', destinationRef: 'owner' };
    }
    const found =
      input.destinationId &&
      (await this.destinations.find(input.caller.userId, input.destinationId));
    if (!found) return 'payout_destination_not_found';
    return { id: found.id, destinationType: found.type, destinationRef: found.providerRef };
  }

  /** Places the hold (and enqueues the payout): a refused hold is the answer; otherwise pending. */
  private async run(
    stream: string,
    atLeast: bigint | 'latest',
    commandId: string,
    requestedAt: Position | undefined,
  ): Promise<MovementStarted> {
    let advanced: SagaAdvance;
    try {
      advanced = await this.stepper.advance(stream, atLeast, commandId);
    } catch (error) {
      this.logger.warn(
        `Withdrawal ${stream} left to the worker: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { ok: true, movementId: stream, status: 'pending', position: requestedAt };
    }
    const summary = advanced.saga?.summary;
    if (summary?.status === 'failed')
      return {
        ok: false,
        rejection: (summary.failureReason ?? 'unexpected_step_refusal') as MovementStartRejection,
      };
    return {
      ok: true,
      movementId: stream,
      status: summary?.status ?? 'pending',
      position: advanced.position ?? requestedAt,
    };
  }
}

type Destination = Pick<WithdrawalRequest, 'destinationType' | 'destinationRef'> & { id: string };

/**
 * What the wallet would answer to the withdrawal's hold, decided on its
 * current state without writing anything; undefined when it would accept.
 */
function holdRefusal(
  stream: string,
  request: WithdrawalRequest,
  wallet: Wallet,
): WalletRejection | undefined {
  const requested = withdrawalSaga.evolve(withdrawalSaga.initialState, {
    type: 'WithdrawalRequested',
    data: request,
  });
  const [hold] = withdrawalSaga.next(requested, stream, request.at);
  const decided = hold && walletAggregate.decide(hold.command, wallet);
  return typeof decided === 'string' ? decided : undefined;
}
