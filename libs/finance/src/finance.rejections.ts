import type { WalletRejection } from '@ledger/ledger';

/** Finance's refusals: reconciliation, period close, adjustments under four eyes. */
export type FinanceRejection =
  | 'invalid_period'
  | 'invalid_reconciliation_period'
  | 'effective_date_in_future'
  | 'approver_is_requester'
  | 'entry_not_found'
  | 'break_not_found'
  | 'approval_not_found'
  | 'period_not_found'
  | 'period_closed'
  | 'period_not_ended'
  | 'period_already_closed'
  | 'trial_balance_unbalanced'
  | 'break_already_resolved'
  | 'break_not_open'
  | 'approval_not_pending'
  | 'reversal_direction_mismatch'
  | 'reversal_exceeds_entry';

/**
 * Every refusal a finance command or query answers with: its own, the wallet
 * command's it posts (a busy wallet's included), and those of what it reads (a provider's report, the
 * balance history, a page cursor).
 */
export type FinanceRefusalCode =
  | FinanceRejection
  | WalletRejection
  | 'concurrency_conflict'
  | 'payment_provider_unavailable'
  | 'position_not_reached'
  | 'as_of_before_history'
  | 'invalid_cursor';

/** A refusal as a value; `detail` is said instead of the refusal's usual message. */
export interface FinanceRefused {
  readonly refused: FinanceRefusalCode;
  readonly detail?: string;
}

export function isFinanceRefused(answer: unknown): answer is FinanceRefused {
  return typeof answer === 'object' && answer !== null && 'refused' in answer;
}
