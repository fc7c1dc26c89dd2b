import type { SqlExecutor } from '@ledger/database';
import type { BatchPlan } from '../batch.plan';

/**
 * Upserts a batch's system and transit account deltas in one statement. An
 * account has no stream revision, so the guard is the position of the last
 * event applied to the row: a row already at or past the batch's first event
 * has seen this batch (batches are contiguous and commit whole).
 */
export async function writeAccountBalances(
  tx: SqlExecutor,
  schema: string,
  plan: BatchPlan,
): Promise<void> {
  if (plan.accounts.size === 0) return;
  const accounts = [...plan.accounts.values()];
  await tx.query(
    `INSERT INTO ${schema}.account_balances AS a (account, currency, debits_minor, credits_minor, updated_at,
       last_commit, last_prepare)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::bigint[], $7::bigint[])
     ON CONFLICT (account, currency) DO UPDATE
        SET debits_minor = a.debits_minor + excluded.debits_minor,
            credits_minor = a.credits_minor + excluded.credits_minor,
            updated_at = excluded.updated_at,
            last_commit = excluded.last_commit,
            last_prepare = excluded.last_prepare
      WHERE (a.last_commit, a.last_prepare) < ($8::bigint, $9::bigint)`,
    [
      accounts.map((a) => a.account),
      accounts.map((a) => a.currency),
      accounts.map((a) => a.debits.toString()),
      accounts.map((a) => a.credits.toString()),
      accounts.map((a) => a.updatedAt),
      accounts.map((a) => a.last.commit.toString()),
      accounts.map((a) => a.last.prepare.toString()),
      plan.first.commit.toString(),
      plan.first.prepare.toString(),
    ],
  );
}
