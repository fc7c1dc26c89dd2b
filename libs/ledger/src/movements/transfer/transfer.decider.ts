import { systemAccount, transitAccount, type AccountRef } from '../../accounts';
import type { WalletCommand } from '../../wallet/wallet.commands';
import type { MovementRejection } from '../movement.rejections';
import {
  endInlineRun,
  recordStep,
  recordSteps,
  sagaCodec,
  type RecordStep,
  stepId,
  type SagaAction,
  type SagaDefinition,
  type SagaStatus,
  type SagaSummary,
  type StepOutcome,
} from '../saga';
import {
  TRANSFER_EVENT_SHAPES,
  TRANSFER_STEPS,
  type TransferCommand,
  type TransferEvent,
  type TransferRequest,
  type TransferStep,
} from './transfer.events';

export type TransferPhase =
  | 'requested' // next: hold the sender's money
  | 'held' // next: credit the recipient
  | 'credited' // next: capture the sender's hold
  | 'credit_refused' // next: release the sender's hold (compensation)
  | 'completed'
  | 'failed';

export type Transfer =
  | { readonly phase: 'none' }
  | {
      readonly phase: TransferPhase;
      readonly request: TransferRequest;
      readonly reason?: string;
      /** A payment's refunds that hold part of it: refund id to amount. */
      readonly refunds?: Readonly<Record<string, bigint>>;
      /** The driver ended the inline run (`TransferInlineRunEnded`). */
      readonly inlineEnded?: true;
    };

export const initialTransfer: Transfer = { phase: 'none' };

/** The one step each phase waits for; terminal phases wait for none. */
const DUE_STEP: Readonly<Record<TransferPhase, TransferStep | undefined>> = {
  requested: 'hold',
  held: 'credit',
  credited: 'capture',
  credit_refused: 'release',
  completed: undefined,
  failed: undefined,
};

/**
 * Records what happened to a transfer. A step outcome is accepted once, for
 * the step that is due; a repeat (a driver re-running a step after a crash)
 * records nothing.
 */
export function decideTransfer(
  command: TransferCommand,
  state: Transfer,
): TransferEvent[] | MovementRejection {
  if (command.type === 'StartTransfer') {
    if (state.phase !== 'none') return 'movement_already_exists';
    if (command.request.fromWalletId === command.request.toWalletId)
      return 'transfer_to_same_wallet';
    return [{ type: 'TransferRequested', data: command.request }];
  }
  if (state.phase === 'none') return 'movement_not_started';
  if (command.type === 'ReserveRefund') return reserveRefund(command, state);
  if (command.type === 'ReleaseRefund') {
    const amountMinor = state.refunds?.[command.refundId];
    if (amountMinor === undefined) return [];
    return [
      {
        type: 'PaymentRefundReleased',
        data: { refundId: command.refundId, amountMinor, at: command.at },
      },
    ];
  }
  if (command.type === 'EndInlineRun')
    return state.request.inlineUntil === undefined ||
      state.inlineEnded ||
      DUE_STEP[state.phase] === undefined
      ? []
      : [{ type: 'TransferInlineRunEnded', data: { at: command.at } }];
  if (command.type === 'RecordSteps') return decideSteps(command, state);
  return decideStep(command, state);
}

/**
 * The inline run's outcomes, each decided on the state the ones before it
 * leave, as if recorded one after the other. Once the driver has ended the
 * inline run they record nothing: the driver decides from then on.
 */
function decideSteps(
  command: Extract<TransferCommand, { type: 'RecordSteps' }>,
  state: Exclude<Transfer, { phase: 'none' }>,
): TransferEvent[] | MovementRejection {
  if (state.inlineEnded) return [];
  const events: TransferEvent[] = [];
  let current: Transfer = state;
  for (const { step, result, at } of command.outcomes) {
    if (current.phase === 'none') break;
    const decided = decideStep(
      { type: 'RecordStep', commandId: command.commandId, step, result, at },
      current,
    );
    if (typeof decided === 'string') return decided;
    for (const event of decided) {
      events.push(event);
      current = evolveTransfer(current, event);
    }
  }
  return events;
}

function decideStep(
  command: RecordStep<TransferStep>,
  state: Exclude<Transfer, { phase: 'none' }>,
): TransferEvent[] | MovementRejection {
  if (!TRANSFER_STEPS.includes(command.step)) return 'unknown_step';
  if (DUE_STEP[state.phase] !== command.step) return [];
  const { result, at } = command;
  switch (command.step) {
    case 'hold':
      // Nothing moved yet, so a refused hold needs no compensation.
      return result.ok
        ? [{ type: 'TransferFundsHeld', data: { at } }]
        : [{ type: 'TransferFailed', data: { reason: result.reason, compensated: false, at } }];
    case 'credit':
      return result.ok
        ? [{ type: 'TransferRecipientCredited', data: { at } }]
        : [{ type: 'TransferCreditRefused', data: { reason: result.reason, at } }];
    case 'capture':
      // A hold on an open wallet cannot be refused (a wallet with open holds
      // cannot close); a refusal here is a bug for an operator, not a branch.
      if (!result.ok) return 'unexpected_step_refusal';
      return [
        { type: 'TransferHoldCaptured', data: { at } },
        { type: 'TransferCompleted', data: { at } },
      ];
    case 'release':
      if (!result.ok) return 'unexpected_step_refusal';
      return [
        { type: 'TransferHoldReleased', data: { at } },
        {
          type: 'TransferFailed',
          data: { reason: state.reason ?? 'credit_refused', compensated: true, at },
        },
      ];
  }
}

/** What of a payment is not yet refunded or set aside for a refund in flight. */
export function refundableMinor(state: Transfer): bigint {
  if (state.phase === 'none') return 0n;
  const held = Object.values(state.refunds ?? {}).reduce((sum, a) => sum + a, 0n);
  return state.request.amountMinor - held;
}

function reserveRefund(
  command: Extract<TransferCommand, { type: 'ReserveRefund' }>,
  state: Exclude<Transfer, { phase: 'none' }>,
): TransferEvent[] | MovementRejection {
  if (state.request.kind !== 'payment' || state.phase !== 'completed')
    return 'payment_not_refundable';
  if (state.refunds?.[command.refundId] !== undefined) return [];
  if (command.amountMinor <= 0n || command.amountMinor > refundableMinor(state))
    return 'refund_exceeds_payment';
  return [
    {
      type: 'PaymentRefundReserved',
      data: { refundId: command.refundId, amountMinor: command.amountMinor, at: command.at },
    },
  ];
}

export function evolveTransfer(state: Transfer, event: TransferEvent): Transfer {
  if (event.type === 'TransferRequested') return { phase: 'requested', request: event.data };
  if (state.phase === 'none') return state;
  switch (event.type) {
    case 'TransferFundsHeld':
      return { ...state, phase: 'held' };
    case 'TransferRecipientCredited':
      return { ...state, phase: 'credited' };
    case 'TransferCreditRefused':
      return { ...state, phase: 'credit_refused', reason: event.data.reason };
    case 'TransferHoldCaptured':
    case 'TransferHoldReleased':
      return state;
    case 'TransferCompleted':
      return { ...state, phase: 'completed' };
    case 'TransferInlineRunEnded':
      return { ...state, inlineEnded: true };
    case 'TransferFailed':
      return { ...state, phase: 'failed', reason: event.data.reason };
    case 'PaymentRefundReserved':
      return {
        ...state,
        refunds: { ...state.refunds, [event.data.refundId]: event.data.amountMinor },
      };
    case 'PaymentRefundReleased': {
      const refunds = { ...state.refunds };
      delete refunds[event.data.refundId];
      return { ...state, refunds };
    }
  }
}

/**
 * Where the money waits between the legs. Within one currency it is the
 * transfer's own transit account, which nets to zero once both legs post.
 * Across currencies each leg posts against `system:fx` in its own currency:
 * the sender's leg credits fx in the source currency, the recipient's leg
 * debits fx in the target currency, so each currency balances on its own.
 */
export function contraOf(request: TransferRequest, movementId: string): AccountRef {
  return request.currency === request.creditCurrency
    ? transitAccount(movementId)
    : systemAccount('fx');
}

/** The wallet command the due step issues, with ids derived from the saga and the step. */
export function nextTransferActions(state: Transfer, movementId: string, at: string): SagaAction[] {
  if (state.phase === 'none') return [];
  const step = DUE_STEP[state.phase];
  if (!step) return [];
  const r = state.request;
  const commandId = stepId(movementId, step);
  const holdId = stepId(movementId, 'hold');
  const contra = contraOf(r, movementId);
  const movement = {
    contra,
    kind: r.kind ?? ('transfer' as const),
    movementId,
    ...(r.description && { description: r.description }),
  };
  const command: { walletId: string; command: WalletCommand } =
    step === 'hold'
      ? {
          walletId: r.fromWalletId,
          command: {
            type: 'PlaceHold',
            commandId,
            at,
            holdId,
            amountMinor: r.amountMinor,
            currency: r.currency,
            ...movement,
          },
        }
      : step === 'credit'
        ? {
            walletId: r.toWalletId,
            command: {
              type: 'Credit',
              commandId,
              at,
              entryId: commandId,
              amountMinor: r.creditAmountMinor,
              currency: r.creditCurrency,
              ...movement,
            },
          }
        : {
            walletId: r.fromWalletId,
            command: {
              type: step === 'capture' ? 'CaptureHold' : 'ReleaseHold',
              commandId,
              at,
              holdId,
            },
          };
  return [{ type: 'wallet', step, ...command }];
}

export function transferSummary(state: Transfer): SagaSummary | undefined {
  if (state.phase === 'none') return undefined;
  const r = state.request;
  const status: SagaStatus =
    state.phase === 'completed' ? 'completed' : state.phase === 'failed' ? 'failed' : 'pending';
  return {
    status,
    phase: state.phase,
    amountMinor: r.amountMinor,
    currency: r.currency,
    walletIds: [r.fromWalletId, r.toWalletId],
    partyIds: [...new Set([r.requestedBy, r.fromOwnerId, r.toOwnerId])],
    requestedAt: r.at,
    ...(state.phase === 'failed' && state.reason && { failureReason: state.reason }),
  };
}

export const transferSaga: SagaDefinition<
  Transfer,
  TransferCommand,
  TransferEvent,
  MovementRejection
> = {
  kind: 'transfer',
  initialState: initialTransfer,
  decide: decideTransfer,
  evolve: evolveTransfer,
  ...sagaCodec<TransferEvent>(TRANSFER_EVENT_SHAPES),
  next: nextTransferActions,
  // A transfer moves money between wallets only: no provider, no timer.
  jobs: () => [],
  holdOf: (state, movementId) =>
    state.phase === 'none'
      ? undefined
      : { walletId: state.request.fromWalletId, holdId: stepId(movementId, 'hold') },
  summary: transferSummary,
  recordStep: (movementId, step, result, at) =>
    recordStep(movementId, step as TransferStep, result, at),
  inlineLease: (state) =>
    state.phase === 'none' || state.request.inlineUntil === undefined
      ? undefined
      : { until: state.request.inlineUntil, ended: state.inlineEnded === true },
  recordSteps: (movementId, outcomes) =>
    recordSteps(movementId, outcomes as ReadonlyArray<StepOutcome<TransferStep>>),
  endInlineRun,
};
