import type { SqlExecutor } from '@ledger/database';
import type { BatchPlan } from '../batch.plan';

/**
 * Inserts a batch's history rows in one statement, for the wallets whose
 * balance row accepted this batch. The balance row's revision guard thereby
 * decides for both tables, and a redelivered event inserts nothing; a row
 * that exists anyway (history and balances out of step, a corruption) fails
 * the batch on the unique keys instead of being skipped silently. Passing the
 * rows as one JSON document (json, not jsonb: read once, never stored)
 * beats fifteen parallel arrays.
 */
export async function writeWalletHistory(
  tx: SqlExecutor,
  schema: string,
  plan: BatchPlan,
  applied: ReadonlySet<string>,
): Promise<void> {
  const rows = plan.history.filter((row) => applied.has(row.wallet_id));
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.wallet_history (event_id, wallet_id, revision, type, direction, amount_minor, currency,
       contra, kind, reference, movement_id, description, occurred_at, commit_pos, prepare_pos)
     SELECT event_id, wallet_id, revision, type, direction, amount_minor, currency,
            contra, kind, reference, movement_id, description, occurred_at, commit_pos, prepare_pos
       FROM json_to_recordset($1::json) AS r(event_id uuid, wallet_id uuid, revision bigint, type text,
            direction text, amount_minor bigint, currency text, contra text, kind text, reference text,
            movement_id text, description text, occurred_at timestamptz, commit_pos bigint, prepare_pos bigint)`,
    [JSON.stringify(rows)],
  );
}
