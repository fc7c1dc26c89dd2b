import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  deriveId,
  RATE_PROVIDER,
  SagaStepper,
  sagaStreamId,
  StartTransferCommand,
  type MovementStarted,
  type RateProvider,
  type TransferRequest,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import {
  completeTogether,
  DEFAULT_INLINE_LEASE_MS,
  INLINE_LEASE,
  inlineUntil,
  runInline,
} from '../inline-saga';
import { RecipientResolver } from './recipient.resolver';
import { creditFor } from './transfer-credit';

/**
 * Checks a transfer up front (the sender's wallet is the caller's and in the
 * stated currency, the recipient exists, a rate exists), fixes the rate,
 * records the request on `transfer-<id>` with its inline lease, and then
 * runs the saga's steps itself (hold, credit, capture) through the shared
 * `SagaStepper`, so the answer is final: completed, or the wallet's refusal
 * with nothing moved. Where the store writes several streams at once, a
 * transfer that completes is the request, the three steps and their record
 * in one append (`completeTogether`); any other goes step by step
 * (`runInline`). When the run cannot finish within
 * the lease (an outage, a contended wallet) the answer is `pending` and the
 * worker's driver, which reads the same saga stream, finishes or
 * compensates it once the lease is over.
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
    @Optional()
    @Inject(INLINE_LEASE)
    private readonly leaseMs: number = DEFAULT_INLINE_LEASE_MS,
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
    const at = new Date().toISOString();
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
      at,
      inlineUntil: inlineUntil(at, this.leaseMs),
    };
    const command = { type: 'StartTransfer', commandId: input.commandId, request };
    const context = { correlationId: input.commandId };
    const deps = { stepper: this.stepper, streams: this.streams, logger: this.logger };
    const completed = await completeTogether(deps, stream, command, context);
    if (completed) return completed;
    const outcome = await this.streams.record(
      stream,
      command,
      context,
      // The stream is named after the request's Idempotency-Key: new but for
      // a retry, which the append's expected revision detects.
      { presumeNew: true },
    );
    if (!outcome.ok) return { ok: false, rejection: outcome.rejection };
    // A re-run under the same Idempotency-Key (the first run's answer was
    // lost) recorded nothing new: the run below resumes the movement where
    // it stands, or finds it finished, and answers as the first run would have.
    return runInline(deps, stream, outcome.revision, input.commandId, outcome.position);
  }
}
