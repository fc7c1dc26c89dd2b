import { Inject, Injectable, Optional } from '@nestjs/common';
import { ContactDirectory } from '@ledger/identity';
import {
  MOBILE_MONEY_GATEWAY,
  PAYMENT_GATEWAY,
  PermanentGatewayError,
  TransientGatewayError,
  type PaymentGateway,
  type PayoutDestination,
} from '@ledger/payments';
import {
  deriveId,
  type SagaJob,
  type TopUp,
  type TopUpRequest,
  type Withdrawal,
  type WithdrawalRequest,
} from '@ledger/ledger';
import { GatewayEventRecorder, MovementStreams, SAGA_METADATA_KEY } from '@ledger/ledger/nest';

/**
 * How long after a payout was created the provider is asked what became of
 * it, if its report has not arrived (`SAGA_PAYOUT_CHECK_AFTER_MS`).
 */
export const PAYOUT_CHECK_AFTER = Symbol('PAYOUT_CHECK_AFTER');
export const PAYOUT_CHECK_AFTER_MS = 3_600_000;

/**
 * The saga input a timer records: the delayed job when it runs, and the
 * driver when it fires the timer from `saga_timers`. Its command id derives
 * from the saga, so the second of the two records nothing.
 */
export function timerInput(sagaStream: string, at: Date) {
  return {
    type: 'RecordTimeout' as const,
    commandId: deriveId(sagaStream, 'timeout'),
    at: at.toISOString(),
  };
}

/** The second timeout of a mobile-money top-up: the provider never said how it ended. */
function unconfirmed(sagaStream: string) {
  return { type: 'RecordTimeout' as const, commandId: deriveId(sagaStream, 'unconfirmed') };
}

/**
 * Runs the sagas' jobs: the provider calls and the timers. Each call uses an
 * idempotency key derived from the saga (`<saga>:refund`, `<saga>:payout`), so
 * a retry after a crash or a timeout gets the provider's first answer. Each
 * outcome is recorded on the saga stream; the driver acts on it.
 *
 * A transient provider error is thrown, so the queue retries with backoff; a
 * permanent one is an answer and is recorded. When the attempts are spent,
 * `exhausted` records that too, so the saga compensates instead of waiting,
 * except for a payout's cancel: without the provider's word the payout may
 * still be paid, so the saga keeps the hold and waits for the report.
 */
@Injectable()
export class SagaJobRunner {
  constructor(
    private readonly streams: MovementStreams,
    @Inject(PAYMENT_GATEWAY) private readonly cards: PaymentGateway,
    @Optional()
    @Inject(MOBILE_MONEY_GATEWAY)
    private readonly mobileMoney: PaymentGateway | null = null,
    @Optional() private readonly contacts?: ContactDirectory,
    @Optional() private readonly recorder = new GatewayEventRecorder(streams),
    @Optional()
    @Inject(PAYOUT_CHECK_AFTER)
    private readonly payoutCheckAfterMs: number = PAYOUT_CHECK_AFTER_MS,
  ) {}

  async run(job: SagaJob): Promise<void> {
    switch (job.name) {
      case 'topup.timeout':
      case 'withdrawal.timeout':
        return this.record(job, timerInput(job.sagaStream, new Date()));
      case 'topup.refund':
        return this.refund(job);
      case 'topup.confirm':
        return this.confirmPayment(job);
      case 'withdrawal.payout':
        return this.payout(job);
      case 'withdrawal.cancel_payout':
        return this.cancelPayout(job);
      case 'withdrawal.check_payout':
        return this.checkPayout(job);
    }
  }

  async exhausted(job: SagaJob, error: unknown): Promise<void> {
    const reason =
      error instanceof PermanentGatewayError
        ? error.reason
        : `${job.name.split('.')[1]}_attempts_exhausted`;
    if (job.name === 'withdrawal.payout') {
      await this.record(job, {
        type: 'RecordPayoutCreated',
        commandId: deriveId(job.sagaStream, 'payout-created'),
        result: { ok: false, reason },
      });
    } else if (job.name === 'withdrawal.cancel_payout') {
      await this.record(job, {
        type: 'RecordPayoutCancel',
        commandId: deriveId(job.sagaStream, 'payout-cancel'),
        result: { ok: false, reason },
      });
    } else if (job.name === 'topup.confirm') {
      await this.record(job, unconfirmed(job.sagaStream));
    } else if (job.name === 'topup.refund') {
      await this.record(job, {
        type: 'RecordRefund',
        commandId: deriveId(job.sagaStream, 'refund'),
        result: { ok: false, reason },
      });
    }
    // A check that got no answer leaves the payout to its report or its timeout.
    // A timer that cannot record is an outage; the driver fires it from saga_timers.
  }

  private async refund(job: SagaJob): Promise<void> {
    const state = (await this.streams.replay(job.sagaStream))?.state as TopUp | undefined;
    if (state?.phase !== 'refund_due' || !state.paymentIntentId) return;
    const result = await this.permanentAsValue(() =>
      this.rail(state.request).refund({
        paymentIntentId: state.paymentIntentId!,
        amountMinor: state.request.amountMinor,
        metadata: { [SAGA_METADATA_KEY]: job.sagaStream },
        idempotencyKey: `${job.sagaStream}:refund`,
      }),
    );
    const recorded =
      'reason' in result
        ? { ok: false as const, reason: result.reason }
        : { ok: true as const, refundId: result.refundId };
    await this.record(job, {
      type: 'RecordRefund',
      commandId: deriveId(job.sagaStream, 'refund'),
      result: recorded,
    });
  }

  private async payout(job: SagaJob): Promise<void> {
    const state = (await this.streams.replay(job.sagaStream))?.state as Withdrawal | undefined;
    if (state?.phase !== 'held') return;
    // Also after the timer ran out: an earlier attempt may have created the
    // payout, and only the same key tells. Whatever it returns is canceled next.
    const r = state.request;
    const result = await this.permanentAsValue(async () =>
      this.rail(r).createPayout({
        amountMinor: r.amountMinor,
        currency: r.currency,
        destination: await this.destinationOf(r),
        metadata: { [SAGA_METADATA_KEY]: job.sagaStream },
        idempotencyKey: `${job.sagaStream}:payout`,
      }),
    );
    const recorded =
      'reason' in result
        ? { ok: false as const, reason: result.reason }
        : { ok: true as const, payoutId: result.payoutId };
    await this.record(job, {
      type: 'RecordPayoutCreated',
      commandId: deriveId(job.sagaStream, 'payout-created'),
      result: recorded,
      checkAfterMs: this.payoutCheckAfterMs,
    });
  }

  /**
   * A payout whose report has not come by its check time: the provider is
   * asked, and its answer is recorded as the report would have been (under
   * the report's own event id, so a report arriving too records once). No
   * answer yet is retried; a rail that cannot be asked leaves it to the
   * report and the timeout.
   */
  private async checkPayout(job: SagaJob): Promise<void> {
    const state = (await this.streams.replay(job.sagaStream))?.state as Withdrawal | undefined;
    if (state?.phase !== 'payout_created' && state?.phase !== 'awaiting_report') return;
    if (!this.rail(state.request).confirmPayout) return;
    if (!(await this.askPayoutStatus(job, state)))
      throw new TransientGatewayError('request_in_progress', 'The payout has no outcome yet');
  }

  /** Only a confirmed cancel lets the saga release the hold; any other answer keeps it. */
  private async cancelPayout(job: SagaJob): Promise<void> {
    const state = (await this.streams.replay(job.sagaStream))?.state as Withdrawal | undefined;
    if (state?.phase !== 'cancel_due' || !state.payoutId) return;
    const r = state.request;
    // A payout already paid or failed needs no cancel: its answer decides.
    if (await this.askPayoutStatus(job, state)) return;
    const result = await this.permanentAsValue(async () =>
      this.rail(r).cancelPayout({
        payoutId: state.payoutId!,
        destination: await this.destinationOf(r),
        idempotencyKey: `${job.sagaStream}:cancel`,
      }),
    );
    const recorded =
      'reason' in result
        ? { ok: false as const, reason: result.reason }
        : result.status === 'canceled'
          ? { ok: true as const }
          : { ok: false as const, reason: 'not_cancelable' };
    await this.record(job, {
      type: 'RecordPayoutCancel',
      commandId: deriveId(job.sagaStream, 'payout-cancel'),
      result: recorded,
    });
  }

  /**
   * A mobile-money top-up whose timer ran out: the provider's status query
   * decides. No answer yet is retried; a rail without status queries (the
   * sandbox), or attempts spent, ends the top-up timed out.
   */
  private async confirmPayment(job: SagaJob): Promise<void> {
    const state = (await this.streams.replay(job.sagaStream))?.state as TopUp | undefined;
    if (state?.phase !== 'confirming') return;
    const gateway = this.rail(state.request);
    if (!gateway.confirmPayment || !state.paymentIntentId)
      return this.record(job, unconfirmed(job.sagaStream));
    const { amountMinor, currency } = state.request;
    const event = await gateway.confirmPayment({
      paymentIntentId: state.paymentIntentId,
      amountMinor,
      currency,
      metadata: { [SAGA_METADATA_KEY]: job.sagaStream },
    });
    if (!event)
      throw new TransientGatewayError('request_in_progress', 'The payment has no outcome yet');
    await this.recorder.record(event);
  }

  /**
   * Asks the provider what became of the payout, on rails that can be asked;
   * an answer given at once is recorded as its report. True when it was. (A
   * mobile-money payout cannot be recalled: its status is asked instead, and
   * answered on the provider's status callback.)
   */
  private async askPayoutStatus(job: SagaJob, state: Withdrawal): Promise<boolean> {
    if (state.phase === 'none' || !state.payoutId) return false;
    const { amountMinor, currency, destinationType, destinationRef } = state.request;
    const event = await this.rail(state.request).confirmPayout?.({
      payoutId: state.payoutId,
      amountMinor,
      currency,
      metadata: { [SAGA_METADATA_KEY]: job.sagaStream },
      // A phone is never needed to ask, so it is not read for this.
      ...(destinationType !== 'mobile_money' && {
        destination: { type: destinationType, id: destinationRef },
      }),
    });
    if (!event) return false;
    await this.recorder.record(event);
    return true;
  }

  /** Each saga pays through the rail it was requested on. */
  private rail(request: TopUpRequest | WithdrawalRequest): PaymentGateway {
    const mobile =
      'destinationType' in request
        ? request.destinationType === 'mobile_money'
        : request.method === 'mpesa';
    if (!mobile) return this.cards;
    if (!this.mobileMoney)
      throw new PermanentGatewayError('invalid_request', 'The mobile-money rail is off');
    return this.mobileMoney;
  }

  /** The phone a mobile-money payout goes to is the owner's, read now and never logged. */
  private async destinationOf(r: WithdrawalRequest): Promise<PayoutDestination> {
    if (r.destinationType !== 'mobile_money')
      return { type: r.destinationType, id: r.destinationRef };
    const phone = (await this.contacts?.contactOf(r.ownerId))?.phone;
    if (!phone) throw new PermanentGatewayError('invalid_request', 'The owner has no phone number');
    return { type: 'mobile_money', id: phone };
  }

  /** A permanent refusal is an answer for the saga; anything else is thrown for the queue to retry. */
  private async permanentAsValue<T>(call: () => Promise<T>): Promise<T | { reason: string }> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PermanentGatewayError) return { reason: error.reason };
      throw error;
    }
  }

  private async record(
    job: SagaJob,
    command: { type: string; commandId: string; [key: string]: unknown },
  ): Promise<void> {
    const outcome = await this.streams.record(
      job.sagaStream,
      { ...command, at: new Date().toISOString() },
      { causationId: job.jobId },
    );
    if (!outcome.ok)
      throw new Error(
        `Could not record ${command.type} on ${job.sagaStream}: ${outcome.rejection}`,
      );
  }
}
