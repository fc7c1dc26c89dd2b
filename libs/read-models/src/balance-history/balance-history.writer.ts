import type { SqlExecutor } from '@ledger/database';
import type { BatchPlan } from '../batch.plan';

/**
 * Writes a batch's balance history and ledger totals, one statement each.
 * Every row is the latest row of its account (or currency) plus the running
 * sum of the batch's deltas up to its event. The guard is the one
 * account_balances uses: an account whose latest row is at or past the
 * batch's first event has seen this batch (batches are contiguous and commit
 * whole), so a redelivered batch writes nothing; a row that exists anyway
 * fails the batch on the primary key rather than being skipped silently.
 * The latest rows are looked up once per account (or currency), not once per
 * change: `base` is materialized, so the planner cannot push the lookup
 * into the join with the batch's rows.
 */
export async function writeBalanceHistory(
  tx: SqlExecutor,
  schema: string,
  plan: BatchPlan,
): Promise<void> {
  if (plan.totals.length === 0) return;
  const first = [plan.first.commit.toString(), plan.first.prepare.toString()];
  await tx.query(
    `WITH d AS (
       SELECT * FROM json_to_recordset($1::json) AS r(ord int, account text, currency text, debits bigint,
              credits bigint, held bigint, commit_pos bigint, prepare_pos bigint)),
     base AS MATERIALIZED (
       SELECT k.account, k.currency, b.commit_pos, b.prepare_pos,
              coalesce(b.debits_minor, 0) AS debits, coalesce(b.credits_minor, 0) AS credits,
              coalesce(b.held_minor, 0) AS held
         FROM (SELECT DISTINCT account, currency FROM d) k
         LEFT JOIN LATERAL (
           SELECT * FROM ${schema}.balance_history h
            WHERE h.account = k.account AND h.currency = k.currency
            ORDER BY h.commit_pos DESC, h.prepare_pos DESC LIMIT 1) b ON true)
     INSERT INTO ${schema}.balance_history (account, currency, commit_pos, prepare_pos, debits_minor,
       credits_minor, held_minor)
     SELECT d.account, d.currency, d.commit_pos, d.prepare_pos,
            base.debits + sum(d.debits) OVER w, base.credits + sum(d.credits) OVER w,
            base.held + sum(d.held) OVER w
       FROM d JOIN base USING (account, currency)
      WHERE base.commit_pos IS NULL OR (base.commit_pos, base.prepare_pos) < ($2::bigint, $3::bigint)
     WINDOW w AS (PARTITION BY d.account, d.currency ORDER BY d.ord)`,
    [JSON.stringify(plan.balances), ...first],
  );
  await tx.query(
    `WITH d AS (
       SELECT * FROM json_to_recordset($1::json) AS r(ord int, currency text, commit_pos bigint,
              prepare_pos bigint, recorded_at timestamptz, wallet_debits bigint, wallet_credits bigint,
              system_debits bigint, system_credits bigint, transit_debits bigint, transit_credits bigint)),
     clock AS (SELECT max(clock) AS at FROM ${schema}.ledger_totals),
     base AS MATERIALIZED (
       SELECT k.currency, b.commit_pos, b.prepare_pos, b.wallet_debits_minor, b.wallet_credits_minor,
              b.system_debits_minor, b.system_credits_minor, b.transit_debits_minor, b.transit_credits_minor
         FROM (SELECT DISTINCT currency FROM d) k
         LEFT JOIN LATERAL (
           SELECT * FROM ${schema}.ledger_totals t WHERE t.currency = k.currency
            ORDER BY t.commit_pos DESC, t.prepare_pos DESC LIMIT 1) b ON true),
     timed AS (
       SELECT d.*, greatest((SELECT at FROM clock), max(d.recorded_at) OVER (ORDER BY d.ord)) AS clock
         FROM d)
     INSERT INTO ${schema}.ledger_totals (currency, commit_pos, prepare_pos, clock, wallet_debits_minor,
       wallet_credits_minor, system_debits_minor, system_credits_minor, transit_debits_minor,
       transit_credits_minor)
     SELECT d.currency, d.commit_pos, d.prepare_pos, d.clock,
            coalesce(b.wallet_debits_minor, 0) + sum(d.wallet_debits) OVER w,
            coalesce(b.wallet_credits_minor, 0) + sum(d.wallet_credits) OVER w,
            coalesce(b.system_debits_minor, 0) + sum(d.system_debits) OVER w,
            coalesce(b.system_credits_minor, 0) + sum(d.system_credits) OVER w,
            coalesce(b.transit_debits_minor, 0) + sum(d.transit_debits) OVER w,
            coalesce(b.transit_credits_minor, 0) + sum(d.transit_credits) OVER w
       FROM timed d JOIN base b ON b.currency = d.currency
      WHERE b.commit_pos IS NULL OR (b.commit_pos, b.prepare_pos) < ($2::bigint, $3::bigint)
     WINDOW w AS (PARTITION BY d.currency ORDER BY d.ord)`,
    [JSON.stringify(plan.totals), ...first],
  );
}
