import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_GATEWAY, PermanentGatewayError, type PaymentGateway } from '@ledger/payments';
import { deriveId, type SagaJob, type TopUp, type Withdrawal } from '@ledger/ledger';
import { MovementStreams, SAGA_METADATA_KEY } from '@ledger/ledger/nest';

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
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  async run(job: SagaJob): Promise<void> {
    switch (job.name) {
      case 'topup.timeout':
      case 'withdrawal.timeout':
        return this.record(job, timerInput(job.sagaStream, new Date()));
      case 'topup.refund':
        return this.refund(job);
      case 'withdrawal.payout':
        return this.payout(job);
      case 'withdrawal.cancel_payout':
        return this.cancelPayout(job);
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
    } else if (job.name === 'topup.refund') {
      await this.record(job, {
        type: 'RecordRefund',
        commandId: deriveId(job.sagaStream, 'refund'),
        result: { ok: false, reason },
      });
    }
    // A timer that cannot record is an outage; the driver fires it from saga_timers.
  }

  private async refund(job: SagaJob): Promise<void> {
    const state = (await this.streams.load(job.sagaStream))?.state as TopUp | undefined;
    if (state?.phase !== 'refund_due' || !state.paymentIntentId) return;
    const result = await this.permanentAsValue(() =>
      this.gateway.refund({
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
    const state = (await this.streams.load(job.sagaStream))?.state as Withdrawal | undefined;
    if (state?.phase !== 'held') return;
    // Also after the timer ran out: an earlier attempt may have created the
    // payout, and only the same key tells. Whatever it returns is canceled next.
    const r = state.request;
    const result = await this.permanentAsValue(() =>
      this.gateway.createPayout({
        amountMinor: r.amountMinor,
        currency: r.currency,
        destination: { type: r.destinationType, id: r.destinationRef },
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
    });
  }

  /** Only a confirmed cancel lets the saga release the hold; any other answer keeps it. */
  private async cancelPayout(job: SagaJob): Promise<void> {
    const state = (await this.streams.load(job.sagaStream))?.state as Withdrawal | undefined;
    if (state?.phase !== 'cancel_due' || !state.payoutId) return;
    const r = state.request;
    const result = await this.permanentAsValue(() =>
      this.gateway.cancelPayout({
        payoutId: state.payoutId!,
        destination: { type: r.destinationType, id: r.destinationRef },
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
