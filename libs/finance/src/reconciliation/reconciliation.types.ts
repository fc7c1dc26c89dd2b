/** Which rail, and so which gateway, an object went through. */
export type Rail = 'card' | 'mpesa';

export type ProviderObjectType = 'charge' | 'refund' | 'payout';

/**
 * A provider object as the ledger recorded it on its saga stream: the payment
 * intent a top-up charged, the refund that compensated it, the payout a
 * withdrawal made. `state` is the provider's final word as the saga recorded
 * it; `pending` while none has arrived.
 */
export interface LedgerObject {
  readonly movementId: string;
  readonly rail: Rail;
  readonly type: ProviderObjectType;
  readonly objectId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** When the saga recorded the object (its creation). */
  readonly recordedAt: Date;
  readonly state: 'pending' | 'settled' | 'failed' | 'canceled';
}

/** A money movement as its saga stream ends (or stands). */
export interface LedgerMovement {
  readonly movementId: string;
  readonly kind: 'top_up' | 'withdrawal';
  readonly rail: Rail;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: 'pending' | 'completed' | 'failed';
  readonly requestedAt: Date;
  readonly objects: readonly LedgerObject[];
}

/** The same movement as the read models show it (movement_summaries). */
export interface ReadModelMovement {
  readonly movementId: string;
  readonly status: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export const BREAK_KINDS = [
  /** The ledger recorded a provider object the provider's report does not have. */
  'missing_at_provider',
  /** The provider booked an object the ledger has no record of. */
  'missing_in_ledger',
  'amount_mismatch',
  'currency_mismatch',
  /** Booked further apart in time than the date tolerance. */
  'date_mismatch',
  /** One side says settled, the other failed or canceled. */
  'status_mismatch',
  /** A movement on the log that the read models do not show. */
  'missing_in_read_model',
  /** The read models show a movement with another amount, currency or status. */
  'read_model_mismatch',
  /** An object in clearing with no final report past the deadline. */
  'clearing_overdue',
  /** A clearing account moved in the period by other than the provider settled. */
  'clearing_mismatch',
] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

export interface ReconciliationBreak {
  /** Derived from kind, subject and currency: the same difference found again is the same break. */
  readonly id: string;
  readonly kind: BreakKind;
  /** The gateway's provider name (`sandbox`, `stripe`, `mpesa-sandbox`), or `ledger`. */
  readonly provider: string;
  /** The provider object, the movement, or the clearing account the break is about. */
  readonly objectId: string;
  readonly movementId?: string;
  readonly currency?: string;
  readonly ledgerAmountMinor?: bigint;
  readonly providerAmountMinor?: bigint;
  readonly detail: string;
}

export interface MatchedItem {
  readonly provider: string;
  readonly type: ProviderObjectType;
  readonly objectId: string;
  readonly movementId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export interface ClearingLine {
  readonly account: 'system:card_clearing' | 'system:payouts_clearing';
  readonly currency: string;
  /** The balance at the start of the period (debits minus credits), from the balance history. */
  readonly openingMinor: bigint;
  /** What the providers settled in the period: charges less refunds, or minus the payouts paid. */
  readonly settledMinor: bigint;
  /** opening + settled: the balance the account should close the period with. */
  readonly expectedMinor: bigint;
  /** The balance it did close with. */
  readonly actualMinor: bigint;
  readonly differenceMinor: bigint;
}

/** A clearing account's balance at the start and the end of the period. */
export interface ClearingBalance {
  readonly openingMinor: bigint;
  readonly closingMinor: bigint;
}

export interface ProviderCoverage {
  readonly provider: string;
  readonly rail: Rail;
  /** `not_supported`: matched against the ledger's own record only (M-Pesa). */
  readonly report: 'complete' | 'truncated' | 'not_supported';
  readonly reason?: string;
  readonly items: number;
}

export interface ReconciliationReport {
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly providers: readonly ProviderCoverage[];
  readonly movements: number;
  /** More movements fell in the period than one run reads: reconcile a shorter period. */
  readonly truncated: boolean;
  readonly matched: readonly MatchedItem[];
  readonly breaks: readonly ReconciliationBreak[];
  /** Null when the balance history does not reach back to `from`. */
  readonly clearing: readonly ClearingLine[] | null;
}
