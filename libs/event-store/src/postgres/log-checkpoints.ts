import type { SqlExecutor } from '@ledger/database';
import { comparePositions, START, type Position } from '../event-store.port';
import { CheckpointMoved } from '../checkpointed.reader';
import { toBigInt } from './sql-values';

/**
 * The checkpoint store every reader of the global log shares
 * (`log_checkpoints`, migrations/070_log_checkpoints.sql): one row per reader,
 * the position of the last event whose effects that reader has committed.
 * The row moves by compare-and-set in the same transaction as the effects, so
 * the checkpoint is exactly what the reader's tables reflect, and a second
 * instance that read the same batch cannot commit it twice.
 */
export { CheckpointMoved };

export interface Checkpoint {
  readonly name: string;
  readonly position: Position;
  /** created_at of the last applied event; undefined before the first batch. */
  readonly lastEventAt?: Date;
  readonly updatedAt: Date;
}

interface CheckpointRow {
  name: string;
  commit_pos: unknown;
  prepare_pos: unknown;
  last_event_at: Date | string | null;
  updated_at: Date | string;
}

const COLUMNS = 'name, commit_pos, prepare_pos, last_event_at, updated_at';

/** Reads a checkpoint, creating it at the start of the log the first time. */
export async function loadCheckpoint(db: SqlExecutor, name: string): Promise<Checkpoint> {
  await db.query(
    `INSERT INTO log_checkpoints (name, commit_pos, prepare_pos) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING`,
    [name, START.commit.toString(), START.prepare.toString()],
  );
  const found = await findCheckpoint(db, name);
  if (!found) throw new Error(`Checkpoint ${name} vanished after it was created`);
  return found;
}

export async function findCheckpoint(
  db: SqlExecutor,
  name: string,
): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT ${COLUMNS} FROM log_checkpoints WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  return row && toCheckpoint(row);
}

/**
 * Locks the checkpoint row for the rest of the transaction and checks that it
 * is still where this instance left it. A projector takes it first in every
 * batch, so that a rebuild's swap (which locks the same row) and the
 * projector never interleave.
 * @throws CheckpointMoved when the row has moved.
 */
export async function lockCheckpoint(
  tx: SqlExecutor,
  name: string,
  expected: Position,
): Promise<void> {
  const { rows } = await tx.query<CheckpointRow>(
    `SELECT ${COLUMNS} FROM log_checkpoints WHERE name = $1 FOR UPDATE`,
    [name],
  );
  const row = rows[0];
  if (!row || comparePositions(toCheckpoint(row).position, expected) !== 0) {
    throw new CheckpointMoved(name, expected);
  }
}

/**
 * Compare-and-set: moves the checkpoint from `from` to `to` or throws.
 * `lastEventAt` (the last event's created_at) feeds lag in seconds.
 * @throws CheckpointMoved when the row is not at `from`.
 */
export async function moveCheckpoint(
  tx: SqlExecutor,
  name: string,
  from: Position,
  to: Position,
  lastEventAt?: Date,
): Promise<void> {
  const { rowCount } = await tx.query(
    `UPDATE log_checkpoints
        SET commit_pos = $4, prepare_pos = $5, last_event_at = coalesce($6, last_event_at),
            updated_at = now()
      WHERE name = $1 AND commit_pos = $2 AND prepare_pos = $3`,
    [
      name,
      from.commit.toString(),
      from.prepare.toString(),
      to.commit.toString(),
      to.prepare.toString(),
      lastEventAt ?? null,
    ],
  );
  if (rowCount !== 1) throw new CheckpointMoved(name, from);
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    name: row.name,
    position: {
      commit: toBigInt(row.commit_pos, 'commit_pos'),
      prepare: toBigInt(row.prepare_pos, 'prepare_pos'),
    },
    lastEventAt: row.last_event_at === null ? undefined : new Date(row.last_event_at),
    updatedAt: new Date(row.updated_at),
  };
}
