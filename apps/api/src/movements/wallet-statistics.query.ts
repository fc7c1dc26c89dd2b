import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';

export interface MonthlyTotal {
  /** `YYYY-MM`, UTC. */
  readonly month: string;
  readonly kind: string;
  readonly currency: string;
  readonly inMinor: string;
  readonly outMinor: string;
  readonly entries: number;
}

/** Two years of months times a handful of kinds; beyond this a caller pages by `from`. */
const MAX_ROWS = 24 * 8;

/**
 * Money in and out of one wallet per month and entry kind, from the
 * wallet-history read model (owned by the read-models projector; read only
 * here). Posted entries only: a hold moves nothing until it is captured,
 * and a captured hold is a debit.
 */
@Injectable()
export class WalletStatisticsQuery {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async monthly(walletId: string, fromMonth: string | undefined): Promise<MonthlyTotal[]> {
    const { rows } = await this.db.query<{
      month: string;
      kind: string;
      currency: string;
      in_minor: unknown;
      out_minor: unknown;
      entries: unknown;
    }>(
      `SELECT to_char(date_trunc('month', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
              coalesce(kind, 'other') AS kind, currency,
              coalesce(sum(amount_minor) FILTER (WHERE direction = 'credit'), 0)::text AS in_minor,
              coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit'), 0)::text AS out_minor,
              count(*)::text AS entries
       FROM read_models.wallet_history
       WHERE wallet_id = $1 AND direction IN ('credit', 'debit')
         AND ($2::text IS NULL OR occurred_at >= to_timestamp($2, 'YYYY-MM') AT TIME ZONE 'UTC')
       GROUP BY 1, 2, 3
       ORDER BY 1 DESC, 2, 3
       LIMIT $3`,
      [walletId, fromMonth ?? null, MAX_ROWS],
    );
    return rows.map((r) => ({
      month: r.month,
      kind: r.kind,
      currency: r.currency,
      inMinor: toBigInt(r.in_minor).toString(),
      outMinor: toBigInt(r.out_minor).toString(),
      entries: Number(toBigInt(r.entries)),
    }));
  }
}
