import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { parseSagaStreamId, type TopUp, type Withdrawal } from '@ledger/ledger';
import {
  GatewayEventRecorder,
  MovementStreams,
  SAGA_METADATA_KEY,
  type RecordedReport,
} from '@ledger/ledger/nest';
import {
  MOBILE_MONEY_GATEWAY,
  MpesaGateway,
  type GatewayEvent,
  type MpesaCallback,
  type PaymentGateway,
} from '@ledger/payments';

/**
 * What became of a callback: a report recorded (or recognised as a
 * duplicate), `ignored` for a movement that has moved on, `not_ours` for one
 * that names no request this ledger sent.
 */
export type MpesaCallbackOutcome = RecordedReport | 'not_ours';

type StartedTopUp = Exclude<TopUp, { phase: 'none' }>;
type StartedWithdrawal = Exclude<Withdrawal, { phase: 'none' }>;

/**
 * Daraja's callback about a movement (a top-up's STK push, a withdrawal's
 * B2C payment). M-Pesa signs nothing, so the callback is only a hint: it
 * must name the request the movement sent (`CheckoutRequestID` or
 * `ConversationID`), and what is recorded is the answer to a status query
 * the service makes itself. Anything else is `not_ours` and writes
 * nothing; a callback for a movement that has moved on (a duplicate, a late
 * one) is `ignored` and changes nothing. The sender has checked the
 * callback's path secret first.
 */
export class RecordMpesaCallbackCommand extends Command<MpesaCallbackOutcome> {
  constructor(
    readonly movementId: string,
    readonly callback: MpesaCallback,
  ) {
    super();
  }
}

@CommandHandler(RecordMpesaCallbackCommand)
export class RecordMpesaCallbackHandler implements ICommandHandler<
  RecordMpesaCallbackCommand,
  MpesaCallbackOutcome
> {
  constructor(
    private readonly streams: MovementStreams,
    private readonly recorder: GatewayEventRecorder,
    @Optional() @Inject(MOBILE_MONEY_GATEWAY) private readonly gateway: PaymentGateway | null,
  ) {}

  async execute({
    movementId,
    callback,
  }: RecordMpesaCallbackCommand): Promise<MpesaCallbackOutcome> {
    const { gateway } = this;
    const kind = parseSagaStreamId(movementId)?.kind;
    if (!gateway || (kind !== 'topup' && kind !== 'withdrawal')) return 'not_ours';
    const state = (await this.streams.replay(movementId))?.state as TopUp | Withdrawal | undefined;
    if (!state || state.phase === 'none') return 'not_ours';
    const event =
      kind === 'topup'
        ? await paymentReport(gateway, movementId, state as StartedTopUp, callback)
        : await payoutReport(gateway, movementId, state as StartedWithdrawal, callback);
    if (event === 'not_ours') return event;
    return event ? this.recorder.record(event) : 'ignored';
  }
}

/** An STK push callback for this top-up's own prompt: the push query's answer is the report. */
async function paymentReport(
  gateway: PaymentGateway,
  movementId: string,
  state: StartedTopUp,
  callback: MpesaCallback,
): Promise<GatewayEvent | 'not_ours' | undefined> {
  if (callback.leg !== 'stk' || state.request.method !== 'mpesa') return 'not_ours';
  if (callback.checkoutRequestId !== state.paymentIntentId) return 'not_ours';
  if (state.phase === 'completed' || state.phase === 'failed' || state.paid) return undefined;
  const { amountMinor, currency } = state.request;
  return gateway.confirmPayment?.({
    paymentIntentId: state.paymentIntentId,
    amountMinor,
    currency,
    metadata: { [SAGA_METADATA_KEY]: movementId },
  });
}

/**
 * A B2C result or queue timeout asks for the payment's status; the status
 * answer, about this withdrawal's own payment, is the report.
 */
async function payoutReport(
  gateway: PaymentGateway,
  movementId: string,
  state: StartedWithdrawal,
  callback: MpesaCallback,
): Promise<GatewayEvent | 'not_ours' | undefined> {
  if (state.request.destinationType !== 'mobile_money' || !state.payoutId) return 'not_ours';
  const id =
    callback.leg === 'status'
      ? callback.payoutId
      : 'conversationId' in callback
        ? callback.conversationId
        : undefined;
  if (id !== state.payoutId) return 'not_ours';
  if (state.phase === 'completed' || state.phase === 'failed') return undefined;
  const { amountMinor, currency } = state.request;
  const input = {
    payoutId: state.payoutId,
    amountMinor,
    currency,
    metadata: { [SAGA_METADATA_KEY]: movementId },
  };
  if (callback.leg !== 'status') return gateway.confirmPayout?.(input);
  return gateway instanceof MpesaGateway ? gateway.payoutStatusEvent(callback, input) : undefined;
}
