import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';
import type { MovementsPlan } from './movements.plan';

const SUMMARY_COLUMNS = `movement_id text, kind text, status text, reason text, amount_minor bigint,
  currency text, credit_amount_minor bigint, credit_currency text, fx_rate text, fx_source text,
  description text, reference text, created_at timestamptz, completed_at timestamptz,
  created_commit bigint, created_prepare bigint, last_commit bigint, last_prepare bigint,
  payment_id text`;

const LEG_COLUMNS = `movement_id text, wallet_id uuid, owner_id text, direction text, amount_minor bigint,
  currency text, counterparty_owner_id text, held_minor bigint, posted_commit bigint, posted_prepare bigint,
  posted_at timestamptz, created_at timestamptz, created_commit bigint, created_prepare bigint,
  last_commit bigint, last_prepare bigint`;

/** What every new row needs; a movement whose first event lacks it has no row (see below). */
const COMPLETE = `r.amount_minor > 0 AND r.currency IS NOT NULL AND r.created_at IS NOT NULL
  AND r.created_commit IS NOT NULL AND r.created_prepare IS NOT NULL`;

/**
 * Writes a batch's movement summaries and legs, two statements per table.
 * Rows that exist take the fields the batch set, but only when their last
 * applied event lies before the batch's first one (batches are contiguous
 * and commit whole, so a row at or past it has seen this batch). Rows that
 * do not exist yet are inserted whole from a movement's first event (its
 * request, or an adjustment's entry), which carries every column. A saga
 * request that does not (a malformed event the saga itself refuses to act
 * on) makes no row rather than stopping the balances beside it: the
 * movement read models are a view for people, and the verifier checks money
 * from the wallet streams alone.
 */
export async function writeMovements(
  tx: SqlExecutor,
  schema: string,
  plan: MovementsPlan,
  first: Position,
): Promise<void> {
  const after = [first.commit.toString(), first.prepare.toString()];
  if (plan.summaries.size > 0) {
    const rows = JSON.stringify([...plan.summaries.values()]);
    await tx.query(
      `UPDATE ${schema}.movement_summaries t
          SET status = coalesce(r.status, t.status), reason = coalesce(r.reason, t.reason),
              completed_at = coalesce(r.completed_at, t.completed_at),
              last_commit = r.last_commit, last_prepare = r.last_prepare
         FROM json_to_recordset($1::json) AS r(${SUMMARY_COLUMNS})
        WHERE t.movement_id = r.movement_id AND (t.last_commit, t.last_prepare) < ($2::bigint, $3::bigint)`,
      [rows, ...after],
    );
    await tx.query(
      `INSERT INTO ${schema}.movement_summaries (movement_id, kind, status, reason, amount_minor, currency,
         credit_amount_minor, credit_currency, fx_rate, fx_source, description, reference, created_at,
         completed_at, created_commit, created_prepare, last_commit, last_prepare, payment_id)
       SELECT r.* FROM json_to_recordset($1::json) AS r(${SUMMARY_COLUMNS})
        WHERE ${COMPLETE} AND r.kind IS NOT NULL AND r.status IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${schema}.movement_summaries t WHERE t.movement_id = r.movement_id)`,
      [rows],
    );
  }
  if (plan.legs.size === 0) return;
  const legs = JSON.stringify([...plan.legs.values()]);
  await tx.query(
    `UPDATE ${schema}.movement_legs t
        SET held_minor = coalesce(r.held_minor, t.held_minor),
            posted_commit = coalesce(r.posted_commit, t.posted_commit),
            posted_prepare = coalesce(r.posted_prepare, t.posted_prepare),
            posted_at = coalesce(r.posted_at, t.posted_at),
            last_commit = r.last_commit, last_prepare = r.last_prepare
       FROM json_to_recordset($1::json) AS r(${LEG_COLUMNS})
      WHERE t.movement_id = r.movement_id AND t.wallet_id = r.wallet_id
        AND (t.last_commit, t.last_prepare) < ($2::bigint, $3::bigint)`,
    [legs, ...after],
  );
  // An adjustment's entry names no owner: the wallet's balance row, written
  // earlier in this batch if the wallet is new, knows it.
  await tx.query(
    `INSERT INTO ${schema}.movement_legs (movement_id, wallet_id, owner_id, direction, amount_minor, currency,
       counterparty_owner_id, held_minor, posted_commit, posted_prepare, posted_at, created_at,
       created_commit, created_prepare, last_commit, last_prepare)
     SELECT r.movement_id, r.wallet_id, r.owner_id, r.direction, r.amount_minor, r.currency, r.counterparty_owner_id, coalesce(r.held_minor, 0),
            r.posted_commit, r.posted_prepare, r.posted_at, r.created_at, r.created_commit, r.created_prepare,
            r.last_commit, r.last_prepare
       FROM (SELECT p.movement_id, p.wallet_id, p.direction, p.amount_minor, p.currency, p.counterparty_owner_id,
                    p.held_minor, p.posted_commit, p.posted_prepare, p.posted_at, p.created_at, p.created_commit,
                    p.created_prepare, p.last_commit, p.last_prepare,
                    coalesce(p.owner_id, (SELECT w.owner_id FROM ${schema}.wallet_balances w
                                           WHERE w.wallet_id = p.wallet_id)) AS owner_id
               FROM json_to_recordset($1::json) AS p(${LEG_COLUMNS})) r
      WHERE ${COMPLETE} AND r.direction IS NOT NULL AND r.owner_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${schema}.movement_legs t
                         WHERE t.movement_id = r.movement_id AND t.wallet_id = r.wallet_id)`,
    [legs],
  );
}
