import type { RecordStep, SagaEventShapes } from '../saga';

/** A withdrawal to a linked bank account, as recorded on its stream `withdrawal-<id>`. */
export interface WithdrawalRequest {
  readonly withdrawalId: string;
  readonly requestedBy: string;
  readonly walletId: string;
  readonly ownerId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /**
   * The linked destination (payout_destinations row) and the provider's ids it
   * stood for at request time. Mobile money pays the owner's phone number,
   * which is looked up when the payout is made and never written to the log:
   * `destinationId` and `destinationRef` are then `mpesa` and `owner`.
   */
  readonly destinationId: string;
  readonly destinationType: 'bank_account' | 'connected_account' | 'mobile_money';
  readonly destinationRef: string;
  readonly timeoutAt: string;
  readonly at: string;
}

export type WithdrawalEvent =
  | { type: 'WithdrawalRequested'; data: WithdrawalRequest }
  | { type: 'WithdrawalFundsHeld'; data: { at: string } }
  /**
   * The provider accepted the payout. `checkAt`: when the provider is asked
   * what became of it if no report has arrived by then (a report lost on its
   * way, a provider that forgot to send it); absent on events recorded before
   * the check existed.
   */
  | { type: 'PayoutCreated'; data: { payoutId: string; at: string; checkAt?: string } }
  /**
   * The timer ran out while the payout call had not answered yet. The call may
   * have reached the provider, so nothing is released until it answers: a
   * refusal releases the hold, a created payout is canceled first.
   */
  | { type: 'WithdrawalTimedOut'; data: { at: string } }
  | { type: 'PayoutPaid'; data: { providerEventId: string; payoutId: string; at: string } }
  /** The timer ran out after the payout was created: ask the provider to cancel it before releasing anything. */
  | { type: 'PayoutCancelDue'; data: { payoutId: string; reason: string; at: string } }
  /** The provider confirmed the payout will not be paid; the hold is released next. */
  | { type: 'PayoutCanceled'; data: { payoutId: string; at: string } }
  /**
   * The payout could not be canceled (already paid or in transit, a refusal,
   * or the attempts ran out): the hold stays until the provider's final report.
   */
  | { type: 'PayoutNotCancelable'; data: { payoutId: string; reason: string; at: string } }
  /** Anything that ends the payout attempt: refused, failed, timed out, retries exhausted. The hold is released next. */
  | { type: 'WithdrawalReleaseDue'; data: { reason: string; providerEventId?: string; at: string } }
  | { type: 'WithdrawalHoldCaptured'; data: { at: string } }
  | { type: 'WithdrawalHoldReleased'; data: { at: string } }
  | { type: 'WithdrawalCompleted'; data: { at: string } }
  | { type: 'WithdrawalFailed'; data: { reason: string; compensated: boolean; at: string } }
  /**
   * The provider paid out after the hold was released. Unreachable while the
   * provider honours a confirmed cancel; kept as a defensive record for an
   * operator to reconcile (see docs/sagas.md).
   */
  | {
      type: 'PayoutPaidAfterRelease';
      data: { providerEventId: string; payoutId: string; at: string };
    };

export const WITHDRAWAL_EVENT_TYPES: readonly WithdrawalEvent['type'][] = [
  'WithdrawalRequested',
  'WithdrawalFundsHeld',
  'PayoutCreated',
  'WithdrawalTimedOut',
  'PayoutPaid',
  'PayoutCancelDue',
  'PayoutCanceled',
  'PayoutNotCancelable',
  'WithdrawalReleaseDue',
  'WithdrawalHoldCaptured',
  'WithdrawalHoldReleased',
  'WithdrawalCompleted',
  'WithdrawalFailed',
  'PayoutPaidAfterRelease',
];

/** The fields each stored withdrawal event must carry (checked on decode). */
export const WITHDRAWAL_EVENT_SHAPES: SagaEventShapes<WithdrawalEvent> = {
  WithdrawalRequested: {
    withdrawalId: 'text',
    requestedBy: 'text',
    walletId: 'text',
    ownerId: 'text',
    amountMinor: 'minor',
    currency: 'text',
    destinationId: 'text',
    destinationType: { oneOf: ['bank_account', 'connected_account', 'mobile_money'] },
    destinationRef: 'text',
    timeoutAt: 'text',
    at: 'text',
  },
  WithdrawalFundsHeld: { at: 'text' },
  PayoutCreated: { payoutId: 'text', at: 'text', checkAt: 'text?' },
  WithdrawalTimedOut: { at: 'text' },
  PayoutPaid: { providerEventId: 'text', payoutId: 'text', at: 'text' },
  PayoutCancelDue: { payoutId: 'text', reason: 'text', at: 'text' },
  PayoutCanceled: { payoutId: 'text', at: 'text' },
  PayoutNotCancelable: { payoutId: 'text', reason: 'text', at: 'text' },
  WithdrawalReleaseDue: { reason: 'text', providerEventId: 'text?', at: 'text' },
  WithdrawalHoldCaptured: { at: 'text' },
  WithdrawalHoldReleased: { at: 'text' },
  WithdrawalCompleted: { at: 'text' },
  WithdrawalFailed: { reason: 'text', compensated: 'flag', at: 'text' },
  PayoutPaidAfterRelease: { providerEventId: 'text', payoutId: 'text', at: 'text' },
};

export const WITHDRAWAL_STEPS = ['hold', 'capture', 'release'] as const;
export type WithdrawalStep = (typeof WITHDRAWAL_STEPS)[number];

export type WithdrawalCommand =
  | {
      readonly type: 'StartWithdrawal';
      readonly commandId: string;
      readonly request: WithdrawalRequest;
    }
  | {
      readonly type: 'RecordPayoutCreated';
      readonly commandId: string;
      readonly result: { ok: true; payoutId: string } | { ok: false; reason: string };
      /** How long after `at` to ask the provider about the payout if it has not reported. */
      readonly checkAfterMs?: number;
      readonly at: string;
    }
  | {
      readonly type: 'RecordPayoutReport';
      readonly commandId: string;
      readonly providerEventId: string;
      readonly payoutId: string;
      readonly result: { ok: true } | { ok: false; reason: string };
      readonly at: string;
    }
  | { readonly type: 'RecordTimeout'; readonly commandId: string; readonly at: string }
  /** The cancel job's answer: canceled, or not (with the reason: `not_cancelable`, a refusal, attempts exhausted). */
  | {
      readonly type: 'RecordPayoutCancel';
      readonly commandId: string;
      readonly result: { ok: true } | { ok: false; reason: string };
      readonly at: string;
    }
  | RecordStep<WithdrawalStep>;
