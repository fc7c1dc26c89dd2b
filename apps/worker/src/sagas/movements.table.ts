import type { SqlExecutor } from '@ledger/database';
import { START, type Position } from '@ledger/event-store';
import { toBigInt, type SagaSummary } from '@ledger/ledger';

/** The saga driver's checkpoint and the movements table (migrations/035_movements.sql). */
export async function loadSagaCheckpoint(db: SqlExecutor, name: string): Promise<Position> {
  await db.query(
    `INSERT INTO saga_checkpoints (name, commit_pos, prepare_pos) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
    [name, START.commit.toString(), START.prepare.toString()],
  );
  const { rows } = await db.query<{ commit_pos: unknown; prepare_pos: unknown }>(
    'SELECT commit_pos, prepare_pos FROM saga_checkpoints WHERE name = $1',
    [name],
  );
  return { commit: toBigInt(rows[0].commit_pos), prepare: toBigInt(rows[0].prepare_pos) };
}

export class SagaCheckpointMoved extends Error {
  override readonly name = 'SagaCheckpointMoved';
}

/** Compare-and-set: another driver moving the checkpoint means this one must not write over it. */
export async function moveSagaCheckpoint(
  db: SqlExecutor,
  name: string,
  from: Position,
  to: Position,
): Promise<void> {
  const moved = await db.query(
    `UPDATE saga_checkpoints SET commit_pos = $4, prepare_pos = $5, updated_at = now()
     WHERE name = $1 AND commit_pos = $2 AND prepare_pos = $3`,
    [
      name,
      from.commit.toString(),
      from.prepare.toString(),
      to.commit.toString(),
      to.prepare.toString(),
    ],
  );
  if (moved.rowCount !== 1)
    throw new SagaCheckpointMoved(`Saga checkpoint ${name} moved under this driver`);
}

/** Upserts a movement row; an older revision never overwrites a newer one (redelivery). */
export async function upsertMovement(
  db: SqlExecutor,
  movementId: string,
  kind: string,
  summary: SagaSummary,
  revision: bigint,
): Promise<void> {
  await db.query(
    `INSERT INTO movements (movement_id, kind, status, phase, amount_minor, currency, wallet_ids, party_ids, failure_reason, revision, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (movement_id) DO UPDATE SET status = EXCLUDED.status, phase = EXCLUDED.phase,
       failure_reason = EXCLUDED.failure_reason, revision = EXCLUDED.revision, updated_at = now()
     WHERE movements.revision < EXCLUDED.revision`,
    [
      movementId,
      kind,
      summary.status,
      summary.phase,
      summary.amountMinor.toString(),
      summary.currency,
      summary.walletIds,
      summary.partyIds,
      summary.failureReason ?? null,
      revision.toString(),
      summary.requestedAt,
    ],
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
