import { Inject, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { MOVEMENT_KINDS } from '@ledger/read-models';

export class MonthlyTotal {
  @ApiProperty({ example: '2026-11', description: 'UTC month' }) month!: string;
  @ApiProperty({
    enum: MOVEMENT_KINDS,
    description: 'Payments and refunds are counted apart from transfers',
  })
  kind!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '10000', description: 'Money in, completed movements' })
  inMinor!: string;
  @ApiProperty({ example: '2500', description: 'Money out, completed movements' })
  outMinor!: string;
  @ApiProperty({ example: 3, description: 'Completed movements (not events)' })
  movements!: number;
  @ApiProperty({ example: 1, description: 'Movements that failed: nothing moved' })
  failed!: number;
  @ApiProperty({ example: 0, description: 'Movements still pending' }) pending!: number;
}

export class WalletStatisticsView {
  @ApiProperty({ format: 'uuid' }) walletId!: string;
  @ApiProperty({ type: [MonthlyTotal] }) months!: MonthlyTotal[];
}

/** Two years of months times every kind; beyond this a caller narrows `from`/`to`. */
const MAX_ROWS = 24 * MOVEMENT_KINDS.length;

/**
 * Money in and out of one wallet per month and movement kind, from the
 * movement read model (owned by the read-models projector; read only here):
 * one count per movement, the same rows as the wallet's statement, so the
 * two always agree. Sums are over completed legs: a failed movement moved
 * nothing, a pending one has not moved yet.
 */
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

@Injectable()
export class WalletStatisticsQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async monthly(walletId: string, fromMonth?: string, toMonth?: string): Promise<MonthlyTotal[]> {
    const { rows } = await this.db.query<MonthlyRow>(
      `WITH legs AS (
         SELECT l.direction, l.amount_minor, l.currency, s.kind, l.created_at,
                CASE WHEN l.posted_commit IS NOT NULL THEN 'completed' ELSE s.status END AS status
           FROM read_models.movement_legs l
           JOIN read_models.movement_summaries s USING (movement_id)
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
}
