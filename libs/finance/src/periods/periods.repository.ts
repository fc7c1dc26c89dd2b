import type { SqlExecutor } from '@ledger/database';
import { periodOf, type PeriodSeal } from './period-seal';

export const MAX_PERIODS_PER_PAGE = 200;

/** False when the month was already closed: a seal is written once. */
export async function insertPeriodClose(db: SqlExecutor, seal: PeriodSeal): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO period_closes (period, seal, closed_by, reason) VALUES ($1, $2, $3, $4)
     ON CONFLICT (period) DO NOTHING`,
    [seal.period, JSON.stringify(seal), seal.closedBy, seal.reason],
  );
  return rowCount === 1;
}

export async function getPeriodClose(
  db: SqlExecutor,
  period: string,
): Promise<PeriodSeal | undefined> {
  const { rows } = await db.query<{ seal: PeriodSeal }>(
    'SELECT seal FROM period_closes WHERE period = $1',
    [period],
  );
  return rows[0]?.seal;
}

/** Newest first; `before` is the nextCursor of the previous page (a period). */
export async function listPeriodCloses(
  db: SqlExecutor,
  query: { before?: string; limit: number },
): Promise<{ items: PeriodSeal[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit, 1), MAX_PERIODS_PER_PAGE);
  const { rows } = await db.query<{ seal: PeriodSeal }>(
    `SELECT seal FROM period_closes WHERE ($1::text IS NULL OR period < $1)
      ORDER BY period DESC LIMIT $2`,
    [query.before ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => r.seal);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.period : null };
}

/** Whether the month `at` falls in is closed. */
export async function isClosed(db: SqlExecutor, at: Date): Promise<boolean> {
  return (await getPeriodClose(db, periodOf(at))) !== undefined;
}
