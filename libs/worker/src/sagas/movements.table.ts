import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';
import { loadCheckpoint, moveCheckpoint } from '@ledger/event-store/sql';
import { toBigInt, type SagaSummary } from '@ledger/ledger';

/**
 * The saga driver's checkpoint is a row of the one checkpoint store every
 * reader of the log shares (`log_checkpoints`), named `saga:<driver name>`
 * so that a driver and a projector never claim the same row.
 */
export function sagaCheckpointName(driver: string): string {
  return `saga:${driver}`;
}

/** Where the saga driver `driver` is in the log, creating its row at the start the first time. */
export async function loadSagaCheckpoint(db: SqlExecutor, driver: string): Promise<Position> {
  return (await loadCheckpoint(db, sagaCheckpointName(driver))).position;
}

/**
 * Compare-and-set: another driver moving the checkpoint means this one must not write over it.
 * @throws CheckpointMoved when the row is not at `from`.
 */
export function moveSagaCheckpoint(
  db: SqlExecutor,
  driver: string,
  from: Position,
  to: Position,
  lastEventAt?: Date,
): Promise<void> {
  return moveCheckpoint(db, sagaCheckpointName(driver), from, to, lastEventAt);
}

/** The movements table (migrations/035_movements.sql). */
/** A movement row as of one saga revision. */
export interface MovementRow {
  readonly movementId: string;
  readonly kind: string;
  readonly summary: SagaSummary;
  readonly revision: bigint;
}

/**
 * Upserts many movement rows in one statement (one round trip for a whole
 * batch of the saga driver); an older revision never overwrites a newer one.
 * Rows of the same movement collapse to the newest first, since one
 * statement may not update a row twice.
 */
export async function upsertMovements(
  db: SqlExecutor,
  movements: readonly MovementRow[],
): Promise<void> {
  const newest = new Map<string, MovementRow>();
  for (const row of movements) {
    const known = newest.get(row.movementId);
    if (!known || known.revision < row.revision) newest.set(row.movementId, row);
  }
  if (newest.size === 0) return;
  // In key order, so two writers of overlapping batches lock rows in the same order.
  const rows = [...newest.values()]
    .sort((a, b) => (a.movementId < b.movementId ? -1 : a.movementId > b.movementId ? 1 : 0))
    .map(({ movementId, kind, summary, revision }) => ({
      movement_id: movementId,
      kind,
      status: summary.status,
      phase: summary.phase,
      amount_minor: summary.amountMinor.toString(),
      currency: summary.currency,
      wallet_ids: summary.walletIds,
      party_ids: summary.partyIds,
      failure_reason: summary.failureReason ?? null,
      revision: revision.toString(),
      requested_at: summary.requestedAt,
    }));
  await db.query(
    `INSERT INTO movements (movement_id, kind, status, phase, amount_minor, currency, wallet_ids, party_ids, failure_reason, revision, requested_at)
     SELECT r.movement_id, r.kind, r.status, r.phase, r.amount_minor, r.currency, r.wallet_ids, r.party_ids,
       r.failure_reason, r.revision, r.requested_at
     FROM json_to_recordset($1::json) AS r(movement_id text, kind text, status text, phase text,
       amount_minor bigint, currency text, wallet_ids text[], party_ids text[], failure_reason text,
       revision bigint, requested_at timestamptz)
     ON CONFLICT (movement_id) DO UPDATE SET status = EXCLUDED.status, phase = EXCLUDED.phase,
       failure_reason = EXCLUDED.failure_reason, revision = EXCLUDED.revision, updated_at = now()
     WHERE movements.revision < EXCLUDED.revision`,
    [JSON.stringify(rows)],
  );
}

/** Unfinished movements, oldest first, one page at a time (keyset on movement_id). */
export async function pendingMovements(
  db: SqlExecutor,
  after: string,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query<{ movement_id: string }>(
    `SELECT movement_id FROM movements WHERE status = 'pending' AND movement_id > $1 ORDER BY movement_id LIMIT $2`,
    [after, limit],
  );
  return rows.map((r) => r.movement_id);
}

/** Unfinished movements with the saga revision their row shows, one page at a time (keyset on movement_id). */
export async function pendingMovementRevisions(
  db: SqlExecutor,
  after: string,
  limit: number,
): Promise<Array<{ movementId: string; revision: bigint }>> {
  const { rows } = await db.query<{ movement_id: string; revision: unknown }>(
    `SELECT movement_id, revision FROM movements WHERE status = 'pending' AND movement_id > $1 ORDER BY movement_id LIMIT $2`,
    [after, limit],
  );
  return rows.map((r) => ({ movementId: r.movement_id, revision: toBigInt(r.revision) }));
}
