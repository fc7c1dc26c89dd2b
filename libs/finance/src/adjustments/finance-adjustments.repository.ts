import { must } from '@ledger/invariant';
import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';

export type AdjustmentStatus = 'pending_approval' | 'posted' | 'rejected' | 'refused';
export const ADJUSTMENT_STATUSES: readonly AdjustmentStatus[] = [
  'pending_approval',
  'posted',
  'rejected',
  'refused',
];

/** An adjustment or reversal as finance asked for it, and what became of it. */
export interface FinanceAdjustment {
  /** Also the command id of its posting: posting it twice is one entry. */
  readonly id: string;
  readonly walletId: string;
  readonly direction: 'credit' | 'debit';
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly account: string;
  readonly reason: string;
  /** The entry a reversal compensates. */
  readonly reverses: string | null;
  /** What a correction corrects: an entry, a movement, a closed period. */
  readonly corrects: string | null;
  /** The reconciliation break it resolves. */
  readonly breakId: string | null;
  /** The period it belongs to; never a closed one. */
  readonly effectiveAt: string;
  readonly requestedBy: string;
  readonly status: AdjustmentStatus;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly entryId: string | null;
  readonly rejection: string | null;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
}

export type NewAdjustment = Omit<
  FinanceAdjustment,
  'decidedBy' | 'decisionReason' | 'entryId' | 'rejection' | 'requestedAt' | 'decidedAt'
> & {
  /** For one posted (or refused) at once, below the approval threshold. */
  readonly entryId?: string;
  readonly rejection?: string;
};

export const MAX_ADJUSTMENTS_PER_PAGE = 200;

const COLUMNS = `id, wallet_id, direction, amount_minor, currency, account, reason, reverses, corrects,
  break_id, effective_at, requested_by, status, decided_by, decision_reason, entry_id, rejection,
  requested_at, decided_at`;

/** Records a request; a retry with the same id finds the first one. */
export async function insertAdjustment(
  db: SqlExecutor,
  a: NewAdjustment,
): Promise<FinanceAdjustment> {
  await db.query(
    `INSERT INTO finance_adjustments (id, wallet_id, direction, amount_minor, currency, account, reason,
       reverses, corrects, break_id, effective_at, requested_by, status, entry_id, rejection)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (id) DO NOTHING`,
    [
      a.id,
      a.walletId,
      a.direction,
      a.amountMinor.toString(),
      a.currency,
      a.account,
      a.reason,
      a.reverses,
      a.corrects,
      a.breakId,
      a.effectiveAt,
      a.requestedBy,
      a.status,
      a.entryId ?? null,
      a.rejection ?? null,
    ],
  );
  return (await getAdjustment(db, a.id))!;
}

export async function getAdjustment(
  db: SqlExecutor,
  id: string,
): Promise<FinanceAdjustment | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM finance_adjustments WHERE id = $1`, [
    id,
  ]);
  return rows[0] && toAdjustment(rows[0]);
}

/**
 * Moves a request out of `pending_approval` (or records a posting's outcome),
 * once: the update holds only while the status is still `from`.
 */
export async function decideAdjustment(
  db: SqlExecutor,
  id: string,
  from: AdjustmentStatus,
  to: {
    status: AdjustmentStatus;
    decidedBy?: string;
    decisionReason?: string;
    entryId?: string;
    rejection?: string;
  },
): Promise<FinanceAdjustment | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE finance_adjustments
        SET status = $3, decided_by = coalesce($4, decided_by),
            decision_reason = coalesce($5, decision_reason), entry_id = coalesce($6::uuid, entry_id),
            rejection = $7, decided_at = CASE WHEN $4::text IS NULL THEN decided_at ELSE now() END
      WHERE id = $1 AND status = $2
      RETURNING ${COLUMNS}`,
    [
      id,
      from,
      to.status,
      to.decidedBy ?? null,
      to.decisionReason ?? null,
      to.entryId ?? null,
      to.rejection ?? null,
    ],
  );
  return rows[0] && toAdjustment(rows[0]);
}

/** Newest first; `before` is the nextCursor of the previous page. */
export async function listAdjustments(
  db: SqlExecutor,
  query: { status?: AdjustmentStatus; before?: string; limit: number },
): Promise<{ items: FinanceAdjustment[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit, 1), MAX_ADJUSTMENTS_PER_PAGE);
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM finance_adjustments
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::uuid IS NULL OR (requested_at, id) <
             (SELECT requested_at, id FROM finance_adjustments WHERE id = $2))
      ORDER BY requested_at DESC, id DESC LIMIT $3`,
    [query.status ?? null, query.before ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(toAdjustment);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

/** What reversals of `entryId`, posted or awaiting approval, already take back. */
export async function reversedSoFar(
  db: SqlExecutor,
  entryId: string,
  except: string,
): Promise<bigint> {
  const { rows } = await db.query<{ total: unknown }>(
    `SELECT coalesce(sum(amount_minor), 0)::text AS total FROM finance_adjustments
      WHERE reverses = $1 AND id <> $2 AND status IN ('posted', 'pending_approval')`,
    [entryId, except],
  );
  return toBigInt(must(rows[0], 'sum row').total);
}

interface Row {
  id: string;
  wallet_id: string;
  direction: 'credit' | 'debit';
  amount_minor: unknown;
  currency: string;
  account: string;
  reason: string;
  reverses: string | null;
  corrects: string | null;
  break_id: string | null;
  effective_at: Date | string;
  requested_by: string;
  status: AdjustmentStatus;
  decided_by: string | null;
  decision_reason: string | null;
  entry_id: string | null;
  rejection: string | null;
  requested_at: Date | string;
  decided_at: Date | string | null;
}

function toAdjustment(r: Row): FinanceAdjustment {
  return {
    id: r.id,
    walletId: r.wallet_id,
    direction: r.direction,
    amountMinor: toBigInt(r.amount_minor),
    currency: r.currency,
    account: r.account,
    reason: r.reason,
    reverses: r.reverses,
    corrects: r.corrects,
    breakId: r.break_id,
    effectiveAt: new Date(r.effective_at).toISOString(),
    requestedBy: r.requested_by,
    status: r.status,
    decidedBy: r.decided_by,
    decisionReason: r.decision_reason,
    entryId: r.entry_id,
    rejection: r.rejection,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
  };
}
