import { setting, type Env } from '@ledger/config';

export const FINANCE_CONFIG = Symbol('FINANCE_CONFIG');

export interface FinanceConfig {
  /** A provider amount within this many minor units of the ledger's matches. */
  readonly amountToleranceMinor: bigint;
  /** A provider date within this many hours of the ledger's matches. */
  readonly dateToleranceHours: number;
  /** A payment or payout left in clearing (no final report) longer than this is a break. */
  readonly clearingDeadlineHours: number;
  /** Adjustments and reversals above this many minor units need a second finance user. */
  readonly approvalThresholdMinor: bigint;
}

/** Read from the configuration schema (libs/config), documented in docs/operations.md. */
export function readFinanceConfig(env: Env): FinanceConfig {
  return {
    amountToleranceMinor: setting(env, 'FINANCE_RECONCILE_AMOUNT_TOLERANCE_MINOR'),
    dateToleranceHours: setting(env, 'FINANCE_RECONCILE_DATE_TOLERANCE_HOURS'),
    clearingDeadlineHours: setting(env, 'FINANCE_CLEARING_DEADLINE_HOURS'),
    approvalThresholdMinor: setting(env, 'FINANCE_APPROVAL_THRESHOLD_MINOR'),
  };
}
