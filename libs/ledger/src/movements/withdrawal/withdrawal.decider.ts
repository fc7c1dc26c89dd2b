import { systemAccount } from '../../accounts';
import type { WalletCommand } from '../../wallet/wallet.commands';
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
  WITHDRAWAL_EVENT_SHAPES,
  WITHDRAWAL_STEPS,
  type WithdrawalCommand,
  type WithdrawalEvent,
  type WithdrawalRequest,
  type WithdrawalStep,
} from './withdrawal.events';

export type WithdrawalPhase =
  | 'requested' // next: hold the wallet's money against payouts clearing
  | 'held' // the payout job runs; a timer runs (or ran out: `timedOut`)
  | 'payout_created' // waiting for payout_paid or payout_failed; a timer runs
  | 'cancel_due' // timed out: the cancel job asks the provider to stop the payout; reports still count
  | 'awaiting_report' // the payout could not be canceled: the hold stays until it is paid or fails
  | 'paid' // next: capture the hold
  | 'release_due' // next: release the hold (compensation)
  | 'completed'
  | 'failed';

export type Withdrawal =
  | { readonly phase: 'none' }
  | {
      readonly phase: WithdrawalPhase;
      readonly request: WithdrawalRequest;
      readonly payoutId?: string;
      /** When to ask the provider about a payout that has not reported. */
      readonly payoutCheckAt?: string;
      readonly reason?: string;
      /** The timer ran out before the payout call answered. */
      readonly timedOut?: boolean;
      readonly reports: ReadonlySet<string>;
    };

export const initialWithdrawal: Withdrawal = { phase: 'none' };

/** Phases in which the payout may still be paid or fail, so a report is acted on. */
const IN_FLIGHT: readonly WithdrawalPhase[] = [
  'held',
  'payout_created',
  'cancel_due',
  'awaiting_report',
];

export function decideWithdrawal(
  command: WithdrawalCommand,
  state: Withdrawal,
): WithdrawalEvent[] | MovementRejection {
  if (command.type === 'StartWithdrawal') {
    return state.phase === 'none'
      ? [{ type: 'WithdrawalRequested', data: command.request }]
      : 'movement_already_exists';
  }
  if (state.phase === 'none') return 'movement_not_started';
  const { at } = command;
  switch (command.type) {
    case 'RecordPayoutCreated': {
      if (state.phase !== 'held') return [];
      if (!command.result.ok)
        return [{ type: 'WithdrawalReleaseDue', data: { reason: command.result.reason, at } }];
      const payoutId = command.result.payoutId;
      const checkAt =
        command.checkAfterMs !== undefined && Number.isSafeInteger(command.checkAfterMs)
          ? new Date(Date.parse(at) + command.checkAfterMs).toISOString()
          : undefined;
      const created: WithdrawalEvent = {
        type: 'PayoutCreated',
        data: { payoutId, at, ...(checkAt && { checkAt }) },
      };
      return state.timedOut
        ? [created, { type: 'PayoutCancelDue', data: { payoutId, reason: 'timed_out', at } }]
        : [created];
    }
    case 'RecordPayoutReport':
      return decideReport(command, state);
    case 'RecordTimeout':
      return decideTimeout(state, at);
    case 'RecordPayoutCancel':
      return decideCancel(command, state);
    case 'RecordStep':
      return decideStep(command.step, command.result, state, at);
  }
}

/**
 * The timer. Releasing the hold while a payout may exist could pay the money
 * out twice, so: once a payout exists the provider is asked to cancel it,
 * and the hold is released only if it confirms (or the payout fails). While
 * the payout call has not answered, it may have reached the provider: the
 * timeout is noted and the answer decides (refused: release; created:
 * cancel). There is one timer per withdrawal; after a refused cancel the
 * saga waits for the provider's final report.
 */
function decideTimeout(
  state: Exclude<Withdrawal, { phase: 'none' }>,
  at: string,
): WithdrawalEvent[] {
  if (state.phase === 'held')
    return state.timedOut ? [] : [{ type: 'WithdrawalTimedOut', data: { at } }];
  if (state.phase === 'payout_created' && state.payoutId)
    return [
      { type: 'PayoutCancelDue', data: { payoutId: state.payoutId, reason: 'timed_out', at } },
    ];
  return [];
}

function decideCancel(
  command: Extract<WithdrawalCommand, { type: 'RecordPayoutCancel' }>,
  state: Exclude<Withdrawal, { phase: 'none' }>,
): WithdrawalEvent[] {
  // A report that came first (paid or failed) has already decided the saga.
  if (state.phase !== 'cancel_due' || !state.payoutId) return [];
  const { at } = command;
  const payoutId = state.payoutId;
  return command.result.ok
    ? [
        { type: 'PayoutCanceled', data: { payoutId, at } },
        { type: 'WithdrawalReleaseDue', data: { reason: state.reason ?? 'timed_out', at } },
      ]
    : [{ type: 'PayoutNotCancelable', data: { payoutId, reason: command.result.reason, at } }];
}

/**
 * The provider's report, once per event id. A paid payout after the hold was
 * released cannot be undone here; it is recorded for reconciliation. With the
 * release waiting for a confirmed cancel, that takes a provider paying a
 * payout it said it had canceled.
 */
function decideReport(
  command: Extract<WithdrawalCommand, { type: 'RecordPayoutReport' }>,
  state: Exclude<Withdrawal, { phase: 'none' }>,
): WithdrawalEvent[] {
  const { providerEventId, payoutId, at } = command;
  if (state.reports.has(providerEventId)) return [];
  if (command.result.ok) {
    if (IN_FLIGHT.includes(state.phase))
      return [{ type: 'PayoutPaid', data: { providerEventId, payoutId, at } }];
    if (state.phase === 'release_due' || state.phase === 'failed')
      return [{ type: 'PayoutPaidAfterRelease', data: { providerEventId, payoutId, at } }];
    return [];
  }
  return IN_FLIGHT.includes(state.phase)
    ? [
        {
          type: 'WithdrawalReleaseDue',
          data: { reason: command.result.reason, providerEventId, at },
        },
      ]
    : [];
}

const DUE_STEP: Partial<Record<WithdrawalPhase, WithdrawalStep>> = {
  requested: 'hold',
  paid: 'capture',
  release_due: 'release',
};

function decideStep(
  step: WithdrawalStep,
  result: { ok: boolean; reason?: string },
  state: Exclude<Withdrawal, { phase: 'none' }>,
  at: string,
): WithdrawalEvent[] | MovementRejection {
  if (!WITHDRAWAL_STEPS.includes(step)) return 'unknown_step';
  if (DUE_STEP[state.phase] !== step) return [];
  if (step === 'hold') {
    return result.ok
      ? [{ type: 'WithdrawalFundsHeld', data: { at } }]
      : [
          {
            type: 'WithdrawalFailed',
            data: { reason: result.reason ?? 'hold_refused', compensated: false, at },
          },
        ];
  }
  // Resolving a hold on a wallet cannot be refused (open holds keep it from closing).
  if (!result.ok) return 'unexpected_step_refusal';
  return step === 'capture'
    ? [
        { type: 'WithdrawalHoldCaptured', data: { at } },
        { type: 'WithdrawalCompleted', data: { at } },
      ]
    : [
        { type: 'WithdrawalHoldReleased', data: { at } },
        {
          type: 'WithdrawalFailed',
          data: { reason: state.reason ?? 'payout_failed', compensated: true, at },
        },
      ];
}

export function evolveWithdrawal(state: Withdrawal, event: WithdrawalEvent): Withdrawal {
  if (event.type === 'WithdrawalRequested')
    return { phase: 'requested', request: event.data, reports: new Set() };
  if (state.phase === 'none') return state;
  const withReport = (id: string | undefined) =>
    id ? new Set([...state.reports, id]) : state.reports;
  switch (event.type) {
    case 'WithdrawalFundsHeld':
      return { ...state, phase: 'held' };
    case 'PayoutCreated':
      return {
        ...state,
        phase: 'payout_created',
        payoutId: event.data.payoutId,
        payoutCheckAt: event.data.checkAt,
      };
    case 'WithdrawalTimedOut':
      return { ...state, timedOut: true };
    case 'PayoutCancelDue':
      return { ...state, phase: 'cancel_due', reason: event.data.reason };
    case 'PayoutNotCancelable':
      return { ...state, phase: 'awaiting_report' };
    case 'PayoutPaid':
      return {
        ...state,
        phase: 'paid',
        payoutId: event.data.payoutId,
        reports: withReport(event.data.providerEventId),
      };
    case 'WithdrawalReleaseDue':
      return {
        ...state,
        phase: 'release_due',
        reason: event.data.reason,
        reports: withReport(event.data.providerEventId),
      };
    case 'PayoutPaidAfterRelease':
      return { ...state, reports: withReport(event.data.providerEventId) };
    case 'WithdrawalCompleted':
      return { ...state, phase: 'completed' };
    case 'WithdrawalFailed':
      return { ...state, phase: 'failed', reason: event.data.reason };
    default:
      return state;
  }
}

export function nextWithdrawalActions(
  state: Withdrawal,
  movementId: string,
  at: string,
): SagaAction[] {
  if (state.phase === 'none') return [];
  const step = DUE_STEP[state.phase];
  if (!step) return [];
  const r = state.request;
  const commandId = stepId(movementId, step);
  const holdId = stepId(movementId, 'hold');
  const command: WalletCommand =
    step === 'hold'
      ? {
          type: 'PlaceHold',
          commandId,
          holdId,
          amountMinor: r.amountMinor,
          currency: r.currency,
          contra: systemAccount('payouts_clearing'),
          kind: 'withdrawal',
          movementId,
          at,
        }
      : { type: step === 'capture' ? 'CaptureHold' : 'ReleaseHold', commandId, holdId, at };
  return [{ type: 'wallet', step, walletId: r.walletId, command }];
}

/**
 * What a withdrawal waits on. A created payout has two clocks: the check
 * (asking the provider what became of it, in case its report was lost) and
 * the timeout (cancel, then release). A payout that could not be canceled is
 * checked too: without a report, only the provider's answer can end it.
 */
export function withdrawalJobs(state: Withdrawal, movementId: string): SagaJob[] {
  if (state.phase === 'cancel_due')
    return [{ name: 'withdrawal.cancel_payout', jobId: `${movementId}:cancel`, movementId }];
  const check: SagaJob[] =
    state.phase !== 'none' && state.payoutCheckAt
      ? [
          {
            name: 'withdrawal.check_payout',
            jobId: `${movementId}:check`,
            movementId,
            runAt: state.payoutCheckAt,
          },
        ]
      : [];
  if (state.phase === 'awaiting_report') return check;
  if (state.phase !== 'held' && state.phase !== 'payout_created') return [];
  const timeout: SagaJob = {
    name: 'withdrawal.timeout',
    jobId: `${movementId}:timeout`,
    movementId,
    runAt: state.request.timeoutAt,
  };
  if (state.phase === 'payout_created') return [timeout, ...check];
  const payout: SagaJob = {
    name: 'withdrawal.payout',
    jobId: `${movementId}:payout`,
    movementId,
  };
  return state.timedOut ? [payout] : [payout, timeout];
}

export function withdrawalSummary(state: Withdrawal): SagaSummary | undefined {
  return state.phase === 'none' ? undefined : oneWalletSummary(state);
}

export const withdrawalSaga: SagaDefinition<
  Withdrawal,
  WithdrawalCommand,
  WithdrawalEvent,
  MovementRejection
> = {
  kind: 'withdrawal',
  initialState: initialWithdrawal,
  decide: decideWithdrawal,
  evolve: evolveWithdrawal,
  ...sagaCodec<WithdrawalEvent>(WITHDRAWAL_EVENT_SHAPES),
  next: nextWithdrawalActions,
  jobs: withdrawalJobs,
  holdOf: (state, movementId) =>
    state.phase === 'none'
      ? undefined
      : { walletId: state.request.walletId, holdId: stepId(movementId, 'hold') },
  summary: withdrawalSummary,
  recordStep: (movementId, step, result, at) =>
    recordStep(movementId, step as WithdrawalStep, result, at),
};
