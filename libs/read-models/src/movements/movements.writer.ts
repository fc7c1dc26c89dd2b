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
 * Writes a batch's movement summaries and legs, one statement per table
 * (each document is parsed once, and the update and the insert share it).
 * Rows that exist take the fields the batch set, but only when their last
 * applied event lies before the batch's first one (batches are contiguous
 * and commit whole, so a row at or past it has seen this batch). Rows that
 * do not exist yet are inserted whole from a movement's first event (its
 * request, or an adjustment's entry), which carries every column; the
 * insert's existence check sees the table as the statement began, and the
 * update only touches rows that existed then, so the two never meet. A saga
 * request that does not carry every column (a malformed event the saga
 * itself refuses to act on) makes no row rather than stopping the balances
 * beside it: the movement read models are a view for people, and the
 * verifier checks money from the wallet streams alone.
 */
export async function writeMovements(
  tx: SqlExecutor,
  schema: string,
  plan: MovementsPlan,
  first: Position,
): Promise<void> {
  const after = [first.commit.toString(), first.prepare.toString()];
  if (plan.summaries.size > 0) {
    await tx.query(
      `WITH r AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS j(${SUMMARY_COLUMNS})),
       updated AS (
         UPDATE ${schema}.movement_summaries t
            SET status = coalesce(r.status, t.status), reason = coalesce(r.reason, t.reason),
                completed_at = coalesce(r.completed_at, t.completed_at),
                last_commit = r.last_commit, last_prepare = r.last_prepare
           FROM r
          WHERE t.movement_id = r.movement_id AND (t.last_commit, t.last_prepare) < ($2::bigint, $3::bigint))
       INSERT INTO ${schema}.movement_summaries (movement_id, kind, status, reason, amount_minor, currency,
         credit_amount_minor, credit_currency, fx_rate, fx_source, description, reference, created_at,
         completed_at, created_commit, created_prepare, last_commit, last_prepare, payment_id)
       SELECT r.* FROM r
        WHERE ${COMPLETE} AND r.kind IS NOT NULL AND r.status IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${schema}.movement_summaries t WHERE t.movement_id = r.movement_id)`,
      [JSON.stringify([...plan.summaries.values()]), ...after],
    );
  }
  if (plan.legs.size === 0) return;
  // An adjustment's entry names no owner: the wallet's balance row, written
  // by an earlier statement of this batch if the wallet is new, knows it.
  await tx.query(
    `WITH p AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS j(${LEG_COLUMNS})),
     updated AS (
       UPDATE ${schema}.movement_legs t
          SET held_minor = coalesce(p.held_minor, t.held_minor),
              posted_commit = coalesce(p.posted_commit, t.posted_commit),
              posted_prepare = coalesce(p.posted_prepare, t.posted_prepare),
              posted_at = coalesce(p.posted_at, t.posted_at),
              last_commit = p.last_commit, last_prepare = p.last_prepare
         FROM p
        WHERE t.movement_id = p.movement_id AND t.wallet_id = p.wallet_id
          AND (t.last_commit, t.last_prepare) < ($2::bigint, $3::bigint)),
     r AS (
       SELECT p.*, coalesce(p.owner_id, w.owner_id) AS owner
         FROM p LEFT JOIN ${schema}.wallet_balances w ON p.owner_id IS NULL AND w.wallet_id = p.wallet_id)
     INSERT INTO ${schema}.movement_legs (movement_id, wallet_id, owner_id, direction, amount_minor, currency,
       counterparty_owner_id, held_minor, posted_commit, posted_prepare, posted_at, created_at,
       created_commit, created_prepare, last_commit, last_prepare)
     SELECT r.movement_id, r.wallet_id, r.owner, r.direction, r.amount_minor, r.currency, r.counterparty_owner_id,
            coalesce(r.held_minor, 0), r.posted_commit, r.posted_prepare, r.posted_at, r.created_at,
            r.created_commit, r.created_prepare, r.last_commit, r.last_prepare
       FROM r
      WHERE ${COMPLETE} AND r.direction IS NOT NULL AND r.owner IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${schema}.movement_legs t
                         WHERE t.movement_id = r.movement_id AND t.wallet_id = r.wallet_id)`,
    [JSON.stringify([...plan.legs.values()]), ...after],
  );
}
