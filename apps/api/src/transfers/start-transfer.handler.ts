import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  deriveId,
  RATE_PROVIDER,
  SagaStepper,
  sagaStreamId,
  StartTransferCommand,
  type MovementStarted,
  type MovementStartRejection,
  type RateProvider,
  type SagaAdvance,
  type TransferRequest,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import type { Position } from '@ledger/event-store';
import { RecipientResolver } from './recipient.resolver';
import { creditFor } from './transfer-credit';

/**
 * A failed transfer's reason is the wallet's refusal of its hold or its
 * credit (a wallet rejection); either way the transfer moved nothing in the
 * end, so the caller gets that refusal as the answer.
 */
function refusalOf(reason: string | undefined): MovementStartRejection {
  return (reason ?? 'unexpected_step_refusal') as MovementStartRejection;
}

/**
 * Checks a transfer up front (the sender's wallet is the caller's and in the
 * stated currency, the recipient exists, a rate exists), fixes the rate,
 * records the request on `transfer-<id>`, and then runs the saga's steps
 * itself (hold, credit, capture) through the shared `SagaStepper`, so the
 * answer is final: completed, or the wallet's refusal with nothing moved.
 * When the run cannot finish (an outage, a contended wallet) the answer is
 * `pending` and the worker's driver, which reads the same saga stream,
 * finishes or compensates it.
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
    private readonly stepper: SagaStepper,
  ) {}

  private readonly logger = new Logger('transfers');

  async execute({ input }: StartTransferCommand): Promise<MovementStarted> {
    const { wallet: sender } = await this.wallets.state(input.fromWalletId);
    // Another user's wallet looks missing, so its existence is not confirmed.
    if (
      sender.status === 'unopened' ||
      (sender.ownerId !== input.caller.userId && !input.caller.actsForOthers)
    )
      return { ok: false, rejection: 'wallet_not_found' };
    if (sender.currency !== input.currency) return { ok: false, rejection: 'currency_mismatch' };
    const recipient = await this.recipients.resolve(input.to, input.currency);
    if (typeof recipient === 'string') return { ok: false, rejection: recipient };
    const credit = await creditFor(
      this.rates,
      input.amountMinor,
      input.currency,
      recipient.currency,
    );
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
      ...(credit.asOf && { fxAsOf: credit.asOf }),
      ...(input.description && { description: input.description }),
      at: new Date().toISOString(),
    };
    const outcome = await this.streams.record(
      stream,
      { type: 'RequestTransfer', commandId: input.commandId, request },
      { correlationId: input.commandId },
      // The stream is named after the request's Idempotency-Key: new but for
      // a retry, which the append's expected revision detects.
      { presumeNew: true },
    );
    if (!outcome.ok) return { ok: false, rejection: outcome.rejection };
    // A re-run under the same Idempotency-Key (the first run's answer was
    // lost) recorded nothing new: the run below resumes the movement where
    // it stands, or finds it finished, and answers as the first run would have.
    return this.run(stream, outcome.revision, input.commandId, outcome.position);
  }

  private async run(
    stream: string,
    revision: bigint,
    commandId: string,
    requestedAt: Position | undefined,
  ): Promise<MovementStarted> {
    const pending = { ok: true, movementId: stream, status: 'pending', position: requestedAt };
    let advanced: SagaAdvance;
    try {
      advanced = await this.stepper.advance(stream, revision, commandId);
    } catch (error) {
      this.logger.warn(
        `Transfer ${stream} left to the worker: ${error instanceof Error ? error.message : String(error)}`,
      );
      return pending as MovementStarted;
    }
    const summary = advanced.saga?.summary;
    if (summary?.status === 'failed')
      return { ok: false, rejection: refusalOf(summary.failureReason) };
    if (summary?.status !== 'completed') return pending as MovementStarted;
    const position = advanced.position ?? (await this.lastPosition(stream)) ?? requestedAt;
    return { ok: true, movementId: stream, status: 'completed', position };
  }

  /** Where a finished saga's last event is, for a re-run that recorded nothing new. */
  private async lastPosition(stream: string): Promise<Position | undefined> {
    const events = (await this.streams.replay(stream))?.events ?? [];
    return events.at(-1)?.position;
  }
}
