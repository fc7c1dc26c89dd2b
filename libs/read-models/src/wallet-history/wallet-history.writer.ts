import type { SqlExecutor } from '@ledger/database';
import type { BatchPlan } from '../batch.plan';

/**
 * Inserts a batch's history rows in one statement. Both unique keys (event id
 * and wallet + revision) make a redelivered event a no-op.
 */
export async function writeWalletHistory(tx: SqlExecutor, schema: string, plan: BatchPlan): Promise<void> {
  const h = plan.history;
  if (h.eventId.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.wallet_history (event_id, wallet_id, revision, type, direction, amount_minor, currency,
       contra, kind, reference, movement_id, description, occurred_at, commit_pos, prepare_pos)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::bigint[], $15::bigint[])
     ON CONFLICT DO NOTHING`,
    [
      h.eventId, h.walletId, h.revision, h.type, h.direction, h.amount, h.currency,
      h.contra, h.kind, h.reference, h.movementId, h.description, h.occurredAt, h.commit, h.prepare,
    ],
  );
}
