import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import {
  comparePositions,
  formatPosition,
  type EventStore,
  type Position,
} from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import { ProjectionRunner } from '../projector';
import { READ_MODELS_PROJECTOR, ReadModelsProjector } from '../read-models.projector';
import { LIVE_SCHEMA, REBUILD_SCHEMA, RETIRED_SCHEMA } from '../schema';

export const REBUILD_CHECKPOINT = `${READ_MODELS_PROJECTOR}:rebuild`;

export interface RebuildOptions {
  readonly batchSize?: number;
  /**
   * Swap attempts while the live projector is still ahead of the rebuild. The
   * last attempt swaps anyway and the live projector applies the remainder.
   */
  readonly maxSwapAttempts?: number;
}

export interface RebuildResult {
  readonly eventsApplied: number;
  /** The checkpoint the rebuilt read models took over with. */
  readonly position: string;
  readonly swapAttempts: number;
  readonly elapsedMs: number;
}

export class RebuildInProgress extends Error {
  override readonly name = 'RebuildInProgress';
  constructor() {
    super('Another rebuild of the read models holds the rebuild lease');
  }
}

/**
 * Rebuilds every read model from the start of the log into a side schema
 * while the live ones keep serving, then swaps the two by renaming schemas
 * in one transaction and drops the old copy. Queries see either the old or
 * the new tables, never a mix; the live projector carries on against the new
 * ones from the rebuilt checkpoint.
 * @throws RebuildInProgress when another rebuild is running.
 */
export async function rebuildReadModels(
  db: SqlDatabase,
  store: EventStore,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const lease = await db.tryLock(`rebuild:${READ_MODELS_PROJECTOR}`);
  if (!lease) throw new RebuildInProgress();
  try {
    await prepareSideSchema(db);
    const runner = new ProjectionRunner(
      db,
      store,
      new ReadModelsProjector({ schema: REBUILD_SCHEMA }),
      {
        checkpoint: REBUILD_CHECKPOINT,
        batchSize: options.batchSize,
      },
    );
    const maxAttempts = Math.max(options.maxSwapAttempts ?? 20, 1);
    let applied = 0;
    for (let attempt = 1; ; attempt++) {
      applied += await runner.catchUp();
      const position = await swap(db, attempt === maxAttempts);
      if (position) {
        await db.exec(`DROP SCHEMA IF EXISTS ${RETIRED_SCHEMA} CASCADE`);
        return {
          eventsApplied: applied,
          position: formatPosition(position),
          swapAttempts: attempt,
          elapsedMs: Date.now() - started,
        };
      }
    }
  } finally {
    await lease.release();
  }
}

/** A fresh side schema (a crashed rebuild may have left one) and its checkpoint at the start. */
async function prepareSideSchema(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await tx.query(`DROP SCHEMA IF EXISTS ${RETIRED_SCHEMA} CASCADE`);
    await tx.query('SELECT create_read_model_tables($1)', [REBUILD_SCHEMA]);
    await tx.query(
      `INSERT INTO log_checkpoints (name, commit_pos, prepare_pos) VALUES ($1, -1, -1)
       ON CONFLICT (name) DO UPDATE SET commit_pos = -1, prepare_pos = -1, last_event_at = NULL, updated_at = now()`,
      [REBUILD_CHECKPOINT],
    );
  });
}

/**
 * Swaps the rebuilt schema in, unless the live projector is ahead and `force`
 * is off: swapping then would let readers step back to an older position.
 * Returns the rebuilt checkpoint when swapped.
 */
async function swap(db: SqlDatabase, force: boolean): Promise<Position | undefined> {
  return db.transaction(async (tx) => {
    // The live projector locks its checkpoint row first in every batch, so
    // holding that row excludes it until the swap commits; its next batch
    // then finds the row moved and resumes from the rebuilt checkpoint.
    const live = await lockedPosition(tx, READ_MODELS_PROJECTOR);
    const rebuilt = await lockedPosition(tx, REBUILD_CHECKPOINT);
    if (!rebuilt.position) throw new Error(`Checkpoint ${REBUILD_CHECKPOINT} is missing`);
    if (!force && live.position && comparePositions(live.position, rebuilt.position) > 0)
      return undefined;
    await tx.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${RETIRED_SCHEMA}`);
    await tx.query(`ALTER SCHEMA ${REBUILD_SCHEMA} RENAME TO ${LIVE_SCHEMA}`);
    await tx.query(
      `INSERT INTO log_checkpoints (name, commit_pos, prepare_pos, last_event_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET commit_pos = $2, prepare_pos = $3, last_event_at = $4, updated_at = now()`,
      [
        READ_MODELS_PROJECTOR,
        rebuilt.position.commit.toString(),
        rebuilt.position.prepare.toString(),
        rebuilt.lastEventAt,
      ],
    );
    await tx.query('DELETE FROM log_checkpoints WHERE name = $1', [REBUILD_CHECKPOINT]);
    return rebuilt.position;
  });
}

async function lockedPosition(
  tx: SqlExecutor,
  name: string,
): Promise<{ position?: Position; lastEventAt: unknown }> {
  const { rows } = await tx.query<{
    commit_pos: unknown;
    prepare_pos: unknown;
    last_event_at: unknown;
  }>(
    'SELECT commit_pos, prepare_pos, last_event_at FROM log_checkpoints WHERE name = $1 FOR UPDATE',
    [name],
  );
  if (!rows[0]) return { lastEventAt: null };
  return {
    position: { commit: toBigInt(rows[0].commit_pos), prepare: toBigInt(rows[0].prepare_pos) },
    lastEventAt: rows[0].last_event_at,
  };
}
