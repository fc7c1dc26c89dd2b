import type { SqlDatabase } from '@ledger/database';

/** Keys deleted per statement: short transactions, and a bounded lock footprint. */
export const PURGE_BATCH_SIZE = 1_000;
/** Batches per run; what is left waits for the next run rather than holding the loop. */
export const PURGE_MAX_BATCHES = 100;

/**
 * Deletes Idempotency-Keys first used more than `retentionDays` ago, oldest
 * first, in batches. A key whose request still holds a live lease is kept.
 * `SKIP LOCKED` lets several workers purge at once without waiting on each
 * other or deleting the same rows twice. Returns how many keys it deleted.
 */
export async function purgeIdempotencyKeys(
  db: SqlDatabase,
  retentionDays: number,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  const maxBatches = options.maxBatches ?? PURGE_MAX_BATCHES;
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const { rowCount } = await db.query(
      `DELETE FROM idempotency_keys WHERE (scope, key) IN (
         SELECT scope, key FROM idempotency_keys
          WHERE created_at < now() - $1 * interval '1 day'
            AND (status_code IS NOT NULL OR locked_until <= now())
          ORDER BY created_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED)`,
      [retentionDays, batchSize],
    );
    deleted += rowCount;
    if (rowCount < batchSize) break;
  }
  return deleted;
}
