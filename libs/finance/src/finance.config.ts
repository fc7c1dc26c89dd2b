import { ConfigError, readInt, readOptional, type Env } from '@ledger/config';

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

/**
 * FINANCE_RECONCILE_AMOUNT_TOLERANCE_MINOR (0), FINANCE_RECONCILE_DATE_TOLERANCE_HOURS (48),
 * FINANCE_CLEARING_DEADLINE_HOURS (72), FINANCE_APPROVAL_THRESHOLD_MINOR (100000):
 * documented in docs/operations.md.
 */
export function readFinanceConfig(env: Env): FinanceConfig {
  return {
    amountToleranceMinor: readMinor(env, 'FINANCE_RECONCILE_AMOUNT_TOLERANCE_MINOR', 0n),
    dateToleranceHours: readInt(env, 'FINANCE_RECONCILE_DATE_TOLERANCE_HOURS', 48, {
      min: 0,
      max: 24 * 31,
    }),
    clearingDeadlineHours: readInt(env, 'FINANCE_CLEARING_DEADLINE_HOURS', 72, {
      min: 1,
      max: 24 * 90,
    }),
    approvalThresholdMinor: readMinor(env, 'FINANCE_APPROVAL_THRESHOLD_MINOR', 100_000n),
  };
}

/** Minor units are bigint; a whole number of any size up to int8. */
function readMinor(env: Env, name: string, fallback: bigint): bigint {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,18}$/.test(raw))
    throw new ConfigError(`${name} must be a whole number of minor units, got "${raw}"`);
  return BigInt(raw);
}
