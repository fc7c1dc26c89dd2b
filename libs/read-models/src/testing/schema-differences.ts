import { must } from '@ledger/invariant';
import type { SqlExecutor } from '@ledger/database';
import { checkedSchema } from '../schema';

export const READ_MODEL_TABLES = [
  'wallet_balances',
  'wallet_history',
  'account_balances',
  'balance_history',
  'ledger_totals',
  'balance_history_floor',
  'movement_summaries',
  'movement_legs',
] as const;

/** Rows that are in one schema's table and not the other's, per table; all zero when equal. */
export async function schemaDifferences(
  db: SqlExecutor,
  a: string,
  b: string,
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of READ_MODEL_TABLES) {
    const [x, y] = [`${checkedSchema(a)}.${table}`, `${checkedSchema(b)}.${table}`];
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ((TABLE ${x} EXCEPT ALL TABLE ${y}) UNION ALL (TABLE ${y} EXCEPT ALL TABLE ${x})) d`,
    );
    result[table] = Number(must(rows[0], 'count row').n);
  }
  return result;
}
