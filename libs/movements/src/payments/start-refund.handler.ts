import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  deriveId,
  parseSagaStreamId,
  SagaStepper,
  sagaStreamId,
  StartRefundCommand,
  type MovementStarted,
  type Transfer,
  type TransferRequest,
} from '@ledger/ledger';
import { MovementStreams, type SagaOutcome } from '@ledger/ledger/nest';
import {
  completeTogether,
  DEFAULT_INLINE_LEASE_MS,
  INLINE_LEASE,
  inlineUntil,
  runInline,
} from '../inline-saga';

/**
 * Refunds a payment, asked by the merchant who received it. The refund is
 * first set aside on the payment's own stream (`ReserveRefund`, decided by
 * the transfer saga against what is left to refund and appended with the
 * stream's expected revision), so two refunds racing each other, in one
 * process or in two, are decided one after the other and never exceed the
 * payment. Then the refund moves the money as a transfer of kind `refund`
 * from the merchant's wallet back to the payer's; should the merchant's
 * wallet refuse it, the reservation is released again.
 */
@CommandHandler(StartRefundCommand)
export class StartRefundHandler implements ICommandHandler<StartRefundCommand, MovementStarted> {
  constructor(
    private readonly streams: MovementStreams,
    private readonly stepper: SagaStepper,
    @Optional()
    @Inject(INLINE_LEASE)
    private readonly leaseMs: number = DEFAULT_INLINE_LEASE_MS,
  ) {}

  private readonly logger = new Logger('payments');

  async execute({ input }: StartRefundCommand): Promise<MovementStarted> {
    const parsed = parseSagaStreamId(input.paymentId);
    const payment =
      parsed?.kind === 'transfer' ? await this.streams.replay(input.paymentId) : undefined;
    const state = payment?.state as Transfer | undefined;
    // Someone else's payment, or a movement that is no payment, answers as a missing one.
    if (
      !state ||
      state.phase === 'none' ||
      state.request.kind !== 'payment' ||
      state.request.toOwnerId !== input.caller.userId
    )
      return { ok: false, rejection: 'payment_not_found' };
    const paid = state.request;
    const refundStream = sagaStreamId('transfer', deriveId('refund', input.commandId));
    const at = new Date().toISOString();

    let reserved = await this.reserve(input.paymentId, refundStream, input.amountMinor, at);
    if (!reserved.ok && reserved.rejection === 'refund_exceeds_payment') {
      // A refund that failed in the worker, after its request had answered, still holds its share.
      if (await this.releaseFailedRefunds(input.paymentId, state, at))
        reserved = await this.reserve(input.paymentId, refundStream, input.amountMinor, at);
    }
    if (!reserved.ok) return { ok: false, rejection: reserved.rejection };

    const request: TransferRequest = {
      transferId: parseSagaStreamId(refundStream)!.id,
      requestedBy: input.caller.userId,
      fromWalletId: paid.toWalletId,
      fromOwnerId: paid.toOwnerId,
      toWalletId: paid.fromWalletId,
      toOwnerId: paid.fromOwnerId,
      amountMinor: input.amountMinor,
      currency: paid.creditCurrency,
      creditAmountMinor: input.amountMinor,
      creditCurrency: paid.creditCurrency,
      kind: 'refund',
      paymentId: input.paymentId,
      ...(paid.reference && { reference: paid.reference }),
      ...(input.reason && { description: input.reason }),
      at,
      inlineUntil: inlineUntil(at, this.leaseMs),
    };
    const command = { type: 'StartTransfer', commandId: input.commandId, request };
    const context = { correlationId: input.commandId };
    const deps = { stepper: this.stepper, streams: this.streams, logger: this.logger };
    const completed = await completeTogether(deps, refundStream, command, context);
    if (completed) return completed;
    const outcome = await this.streams.record(refundStream, command, context);
    if (!outcome.ok) return { ok: false, rejection: outcome.rejection };
    const started = await runInline(
      deps,
      refundStream,
      outcome.revision,
      input.commandId,
      outcome.position,
    );
    if (!started.ok) await this.release(input.paymentId, refundStream, at);
    return started;
  }

  private reserve(
    paymentId: string,
    refundId: string,
    amountMinor: bigint,
    at: string,
  ): Promise<SagaOutcome> {
    return this.streams.record(paymentId, {
      type: 'ReserveRefund',
      commandId: deriveId(refundId, 'reserve'),
      refundId,
      amountMinor,
      at,
    });
  }

  private release(paymentId: string, refundId: string, at: string): Promise<SagaOutcome> {
    return this.streams.record(paymentId, {
      type: 'ReleaseRefund',
      commandId: deriveId(refundId, 'release'),
      refundId,
      at,
    });
  }

  /** Releases the share of every refund whose saga failed; true when any was released. */
  private async releaseFailedRefunds(paymentId: string, state: Transfer, at: string) {
    if (state.phase === 'none') return false;
    let released = false;
    for (const refundId of Object.keys(state.refunds ?? {})) {
      const refund = await this.streams.replay(refundId);
      if (refund?.summary?.status !== 'failed') continue;
      const outcome = await this.release(paymentId, refundId, at);
      released ||= outcome.ok;
    }
    return released;
  }
}
