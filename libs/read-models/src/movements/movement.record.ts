import type { Position } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';

export type MovementStatus = 'pending' | 'completed' | 'failed';

/** A movement as its summary row holds it. */
export interface MovementSummary {
  readonly movementId: string;
  readonly kind: string;
  readonly status: MovementStatus;
  readonly reason?: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Cross-currency only: what the recipient was credited, and at which recorded rate. */
  readonly fx?: {
    readonly rate: string;
    readonly source?: string;
    readonly creditAmountMinor: bigint;
    readonly creditCurrency: string;
  };
  readonly description?: string;
  readonly reference?: string;
  /** A refund's payment. */
  readonly paymentId?: string;
  readonly createdAt: Date;
  readonly completedAt?: Date;
  readonly position: Position;
}

/** What one wallet saw of a movement. */
export interface MovementLeg {
  readonly walletId: string;
  readonly ownerId: string;
  readonly direction: 'in' | 'out';
  readonly amountMinor: bigint;
  /** amountMinor with the sign of its direction: what the wallet gains (+) or gives (−). */
  readonly signedAmountMinor: bigint;
  readonly currency: string;
  /** A leg is completed once its money posted, whatever the movement's later steps. */
  readonly status: MovementStatus;
  /** Held while pending; 0 once captured or released. */
  readonly heldMinor: bigint;
  /** The owner on the other side, for a display name; never answered as an id. */
  readonly counterpartyOwnerId?: string;
  readonly postedAt?: Date;
}

export interface MovementRecord extends MovementSummary {
  /** The legs the reader may see: their own wallets' (or every leg, for staff). */
  readonly legs: MovementLeg[];
}

export interface SummaryRow {
  movement_id: string;
  kind: string;
  status: MovementStatus;
  reason: string | null;
  amount_minor: unknown;
  currency: string;
  credit_amount_minor: unknown;
  credit_currency: string | null;
  fx_rate: string | null;
  fx_source: string | null;
  description: string | null;
  reference: string | null;
  payment_id: string | null;
  created_at: Date | string;
  completed_at: Date | string | null;
  created_commit: unknown;
  created_prepare: unknown;
}

export interface LegRow {
  movement_id: string;
  wallet_id: string;
  owner_id: string;
  direction: 'in' | 'out';
  leg_amount_minor: unknown;
  leg_currency: string;
  leg_status: MovementStatus;
  held_minor: unknown;
  counterparty_owner_id: string | null;
  posted_at: Date | string | null;
}

/** A leg's status: completed once its money posted, else the movement's. */
export const LEG_STATUS_SQL = `CASE WHEN l.posted_commit IS NOT NULL THEN 'completed' ELSE s.status END`;

/**
 * Which legs a wallet's owner is shown. A recipient hears only of money
 * that arrived: an incoming transfer or payment is listed once credited,
 * so a failed one never appears on the recipient's side.
 */
export const LISTED_SQL = `(l.direction = 'out' OR l.posted_commit IS NOT NULL OR s.kind IN ('top_up', 'adjustment'))`;

export const SUMMARY_SELECT = `s.movement_id, s.kind, s.status, s.reason, s.amount_minor, s.currency,
  s.credit_amount_minor, s.credit_currency, s.fx_rate, s.fx_source, s.description, s.reference,
  s.payment_id, s.created_at, s.completed_at, s.created_commit, s.created_prepare`;

/** Leg columns that a summary also has are renamed, so one row can carry both. */
export const LEG_SELECT = `l.movement_id, l.wallet_id, l.owner_id, l.direction,
  l.amount_minor AS leg_amount_minor, l.currency AS leg_currency,
  ${LEG_STATUS_SQL} AS leg_status, l.held_minor, l.counterparty_owner_id, l.posted_at`;

export function summaryOf(row: SummaryRow): MovementSummary {
  return {
    movementId: row.movement_id,
    kind: row.kind,
    status: row.status,
    ...(row.reason !== null && { reason: row.reason }),
    amountMinor: toBigInt(row.amount_minor),
    currency: row.currency,
    ...(row.fx_rate !== null &&
      row.credit_currency !== null && {
        fx: {
          rate: row.fx_rate,
          ...(row.fx_source !== null && { source: row.fx_source }),
          creditAmountMinor: toBigInt(row.credit_amount_minor),
          creditCurrency: row.credit_currency,
        },
      }),
    ...(row.description !== null && { description: row.description }),
    ...(row.reference !== null && { reference: row.reference }),
    ...(row.payment_id !== null && { paymentId: row.payment_id }),
    createdAt: new Date(row.created_at),
    ...(row.completed_at !== null && { completedAt: new Date(row.completed_at) }),
    position: { commit: toBigInt(row.created_commit), prepare: toBigInt(row.created_prepare) },
  };
}

export function legOf(row: LegRow): MovementLeg {
  const amount = toBigInt(row.leg_amount_minor);
  return {
    walletId: row.wallet_id,
    ownerId: row.owner_id,
    direction: row.direction,
    amountMinor: amount,
    signedAmountMinor: row.direction === 'in' ? amount : -amount,
    currency: row.leg_currency,
    status: row.leg_status,
    heldMinor: toBigInt(row.held_minor),
    ...(row.counterparty_owner_id !== null && { counterpartyOwnerId: row.counterparty_owner_id }),
    ...(row.posted_at !== null && { postedAt: new Date(row.posted_at) }),
  };
}
