import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { LIVE_SCHEMA } from '../schema';
import { MOVEMENT_KINDS } from './movements.query';

export interface MonthlyTotals {
  /** UTC month, `YYYY-MM`. */
  readonly month: string;
  readonly kind: string;
  readonly currency: string;
  /** Money in, completed movements (a decimal string of minor units). */
  readonly inMinor: string;
  /** Money out, completed movements (a decimal string of minor units). */
  readonly outMinor: string;
  /** Completed movements (not events). */
  readonly movements: number;
  readonly failed: number;
  readonly pending: number;
}

interface MonthlyRow {
  month: string;
  kind: string;
  currency: string;
  in_minor: string;
  out_minor: string;
  completed: string;
  failed: string;
  pending: string;
}

/** Two years of months times every kind; beyond this a caller narrows `from`/`to`. */
const MAX_ROWS = 24 * MOVEMENT_KINDS.length;

/**
 * Money in and out of one wallet per month and movement kind, from the
 * movement read model: one count per movement, the same rows as the wallet's
 * statement, so the two always agree. Sums are over completed legs: a failed
 * movement moved nothing, a pending one has not moved yet.
 */
export async function walletMonthlyTotals(
  db: SqlExecutor,
  walletId: string,
  fromMonth?: string,
  toMonth?: string,
): Promise<MonthlyTotals[]> {
  const { rows } = await db.query<MonthlyRow>(
    `WITH legs AS (
       SELECT l.direction, l.amount_minor, l.currency, s.kind, l.created_at,
              CASE WHEN l.posted_commit IS NOT NULL THEN 'completed' ELSE s.status END AS status
         FROM ${LIVE_SCHEMA}.movement_legs l
         JOIN ${LIVE_SCHEMA}.movement_summaries s USING (movement_id)
        WHERE l.wallet_id = $1::uuid
          AND (l.direction = 'out' OR l.posted_commit IS NOT NULL OR s.kind IN ('top_up', 'adjustment'))
          AND ($2::text IS NULL OR l.created_at >= to_timestamp($2, 'YYYY-MM') AT TIME ZONE 'UTC')
          AND ($3::text IS NULL OR l.created_at < (to_timestamp($3, 'YYYY-MM') AT TIME ZONE 'UTC') + interval '1 month'))
     SELECT to_char(date_trunc('month', created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, kind, currency,
            coalesce(sum(amount_minor) FILTER (WHERE status = 'completed' AND direction = 'in'), 0)::text AS in_minor,
            coalesce(sum(amount_minor) FILTER (WHERE status = 'completed' AND direction = 'out'), 0)::text AS out_minor,
            count(*) FILTER (WHERE status = 'completed')::text AS completed,
            count(*) FILTER (WHERE status = 'failed')::text AS failed,
            count(*) FILTER (WHERE status = 'pending')::text AS pending
       FROM legs
      GROUP BY 1, 2, 3
      ORDER BY 1 DESC, 2, 3
      LIMIT $4`,
    [walletId, fromMonth ?? null, toMonth ?? null, MAX_ROWS],
  );
  return rows.map((r) => ({
    month: r.month,
    kind: r.kind,
    currency: r.currency,
    inMinor: toBigInt(r.in_minor).toString(),
    outMinor: toBigInt(r.out_minor).toString(),
    movements: Number(r.completed),
    failed: Number(r.failed),
    pending: Number(r.pending),
  }));
}
