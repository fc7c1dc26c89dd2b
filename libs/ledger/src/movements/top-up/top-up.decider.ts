import { systemAccount } from '../../accounts';
import type { MovementRejection } from '../movement.rejections';
import {
  oneWalletSummary,
  recordStep,
  sagaCodec,
  stepId,
  type SagaAction,
  type SagaDefinition,
  type SagaJob,
  type SagaSummary,
} from '../saga';
import {
  TOP_UP_EVENT_SHAPES,
  type TopUpCommand,
  type TopUpEvent,
  type TopUpRequest,
} from './top-up.events';

export type TopUpPhase =
  | 'requested' // the API is creating the payment intent
  | 'awaiting_payment' // the customer or the provider has to act
  | 'confirming' // mobile money timed out: the provider is asked how the payment ended
  | 'paid' // next: credit the wallet against card clearing
  | 'refund_due' // next: refund the card (compensation)
  | 'completed'
  | 'failed';

export type TopUp =
  | { readonly phase: 'none' }
  | {
      readonly phase: TopUpPhase;
      readonly request: TopUpRequest;
      readonly paymentIntentId?: string;
      readonly providerEventIds: ReadonlySet<string>;
      readonly reason?: string;
      /** Whether the provider took the customer's money (so a failure must refund it). */
      readonly paid: boolean;
    };

export const initialTopUp: TopUp = { phase: 'none' };

const WAITING: readonly TopUpPhase[] = ['requested', 'awaiting_payment', 'confirming'];

/**
 * Mobile money's callbacks may never come, and are not proof when they do:
 * when its timer runs out, the top-up asks the provider (the `topup.confirm`
 * job) before it gives up. The job records the answer as a payment report,
 * or a second timeout when the provider has none.
 */
function confirmsOnTimeout(state: Exclude<TopUp, { phase: 'none' }>): boolean {
  return state.request.method === 'mpesa' && state.phase === 'awaiting_payment';
}

/** Records a top-up's inputs and outcomes; anything already recorded, or too late to matter, records nothing. */
export function decideTopUp(command: TopUpCommand, state: TopUp): TopUpEvent[] | MovementRejection {
  if (command.type === 'StartTopUp') {
    return state.phase === 'none'
      ? [{ type: 'TopUpRequested', data: command.request }]
      : 'movement_already_exists';
  }
  if (state.phase === 'none') return 'movement_not_started';
  const { at } = command;
  switch (command.type) {
    case 'RecordPaymentIntent':
      if (state.phase !== 'requested') return [];
      return command.result.ok
        ? [
            {
              type: 'PaymentIntentCreated',
              data: { paymentIntentId: command.result.paymentIntentId, at },
            },
          ]
        : [
            { type: 'PaymentIntentRefused', data: { reason: command.result.reason, at } },
            failed(command.result.reason, false, at),
          ];
    case 'RecordPayment':
      return decidePayment(command, state);
    case 'RecordTimeout':
      if (confirmsOnTimeout(state)) return [{ type: 'TopUpTimedOut', data: { at } }];
      return WAITING.includes(state.phase)
        ? [{ type: 'TopUpTimedOut', data: { at } }, failed('timed_out', false, at)]
        : [];
    case 'RecordRefund':
      if (state.phase !== 'refund_due') return [];
      return command.result.ok
        ? [
            { type: 'TopUpRefunded', data: { refundId: command.result.refundId, at } },
            failed(state.reason ?? 'refunded', true, at),
          ]
        : [
            { type: 'TopUpRefundRefused', data: { reason: command.result.reason, at } },
            failed('refund_refused', false, at),
          ];
    case 'RecordStep':
      if (command.step !== 'credit') return 'unknown_step';
      if (state.phase !== 'paid') return [];
      return command.result.ok
        ? [
            { type: 'TopUpCredited', data: { at } },
            { type: 'TopUpCompleted', data: { at } },
          ]
        : [{ type: 'TopUpRefundDue', data: { reason: command.result.reason, at } }];
  }
}

/**
 * A payment report is recorded once per provider event. Money that arrives
 * after the top-up gave up (timed out), or that does not match the request,
 * is not kept: it is refunded.
 */
function decidePayment(
  command: Extract<TopUpCommand, { type: 'RecordPayment' }>,
  state: Exclude<TopUp, { phase: 'none' }>,
): TopUpEvent[] {
  if (state.providerEventIds.has(command.providerEventId)) return [];
  const { providerEventId, paymentIntentId, at } = command;
  if (!command.result.ok) {
    if (!WAITING.includes(state.phase)) return [];
    return [
      {
        type: 'PaymentFailed',
        data: { providerEventId, paymentIntentId, reason: command.result.reason, at },
      },
      failed(command.result.reason, false, at),
    ];
  }
  // A second report of the same payment under another event id changes nothing.
  if (state.paid) return [];
  const { amountMinor, currency } = command.result;
  const succeeded: TopUpEvent = {
    type: 'PaymentSucceeded',
    data: { providerEventId, paymentIntentId, amountMinor, currency, at },
  };
  const matches = amountMinor === state.request.amountMinor && currency === state.request.currency;
  if (WAITING.includes(state.phase) && matches) return [succeeded];
  const reason = matches ? 'payment_after_timeout' : 'payment_amount_mismatch';
  return [succeeded, { type: 'TopUpRefundDue', data: { reason, at } }];
}

function failed(reason: string, compensated: boolean, at: string): TopUpEvent {
  return { type: 'TopUpFailed', data: { reason, compensated, at } };
}

export function evolveTopUp(state: TopUp, event: TopUpEvent): TopUp {
  if (event.type === 'TopUpRequested')
    return { phase: 'requested', request: event.data, providerEventIds: new Set(), paid: false };
  if (state.phase === 'none') return state;
  switch (event.type) {
    case 'PaymentIntentCreated':
      return { ...state, phase: 'awaiting_payment', paymentIntentId: event.data.paymentIntentId };
    case 'TopUpTimedOut':
      return confirmsOnTimeout(state) ? { ...state, phase: 'confirming' } : state;
    case 'PaymentSucceeded':
      return {
        ...state,
        phase: WAITING.includes(state.phase) ? 'paid' : state.phase,
        paid: true,
        paymentIntentId: event.data.paymentIntentId,
        providerEventIds: new Set([...state.providerEventIds, event.data.providerEventId]),
      };
    case 'PaymentFailed':
      return {
        ...state,
        providerEventIds: new Set([...state.providerEventIds, event.data.providerEventId]),
      };
    case 'TopUpRefundDue':
      return { ...state, phase: 'refund_due', reason: event.data.reason };
    case 'TopUpCompleted':
      return { ...state, phase: 'completed' };
    case 'TopUpFailed':
      return { ...state, phase: 'failed', reason: event.data.reason };
    default:
      return state;
  }
}

export function nextTopUpActions(state: TopUp, movementId: string, at: string): SagaAction[] {
  if (state.phase !== 'paid') return [];
  const { walletId, amountMinor, currency } = state.request;
  const commandId = stepId(movementId, 'credit');
  return [
    {
      type: 'wallet',
      step: 'credit',
      walletId,
      command: {
        type: 'Credit',
        commandId,
        entryId: commandId,
        amountMinor,
        currency,
        contra: systemAccount('card_clearing'),
        kind: 'top_up',
        movementId,
        at,
      },
    },
  ];
}

/** While waiting for the payment a timer runs; once a refund is due, the refund job does. */
export function topUpJobs(state: TopUp, movementId: string): SagaJob[] {
  if (state.phase === 'none') return [];
  if (state.phase === 'requested' || state.phase === 'awaiting_payment') {
    return [
      {
        name: 'topup.timeout',
        jobId: `${movementId}:timeout`,
        movementId,
        runAt: state.request.timeoutAt,
      },
    ];
  }
  if (state.phase === 'confirming')
    return [{ name: 'topup.confirm', jobId: `${movementId}:confirm`, movementId }];
  if (state.phase === 'refund_due')
    return [{ name: 'topup.refund', jobId: `${movementId}:refund`, movementId }];
  return [];
}

export function topUpSummary(state: TopUp): SagaSummary | undefined {
  return state.phase === 'none' ? undefined : oneWalletSummary(state);
}

export const topUpSaga: SagaDefinition<TopUp, TopUpCommand, TopUpEvent, MovementRejection> = {
  kind: 'topup',
  initialState: initialTopUp,
  decide: decideTopUp,
  evolve: evolveTopUp,
  ...sagaCodec<TopUpEvent>(TOP_UP_EVENT_SHAPES),
  next: nextTopUpActions,
  jobs: topUpJobs,
  summary: topUpSummary,
  recordStep: (movementId, step, result, at) =>
    recordStep(movementId, step as 'credit', result, at),
};
