import type { SqlExecutor } from '@ledger/database';
import type { StreamHead } from '@ledger/event-store';
import type { Checkpoint } from './checkpoint';

/** Heads upserted per statement: one bounded JSON parameter each. */
const HEADS_PER_STATEMENT = 5_000;
/** Checkpoints returned per page of the listing. */
export const MAX_CHECKPOINTS_PER_PAGE = 1_000;

export async function latestCheckpoint(db: SqlExecutor): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<{ checkpoint: Checkpoint }>(
    'SELECT checkpoint FROM ledger_checkpoints ORDER BY sequence DESC LIMIT 1',
  );
  return rows[0]?.checkpoint;
}

/** Checkpoints with a sequence above `after`, oldest first. */
export async function checkpointsAfter(
  db: SqlExecutor,
  after: number,
  limit = MAX_CHECKPOINTS_PER_PAGE,
): Promise<Checkpoint[]> {
  const { rows } = await db.query<{ checkpoint: Checkpoint }>(
    'SELECT checkpoint FROM ledger_checkpoints WHERE sequence > $1 ORDER BY sequence LIMIT $2',
    [after, Math.min(Math.max(limit, 1), MAX_CHECKPOINTS_PER_PAGE)],
  );
  return rows.map((r) => r.checkpoint);
}

export async function saveHeads(
  tx: SqlExecutor,
  heads: ReadonlyMap<string, StreamHead>,
): Promise<void> {
  const all = [...heads].map(([s, h]) => ({ s, r: h.revision.toString(), h: h.hash }));
  for (let i = 0; i < all.length; i += HEADS_PER_STATEMENT) {
    await tx.query(
      `INSERT INTO ledger_stream_heads (stream_id, revision, hash)
       SELECT s, r::bigint, h FROM jsonb_to_recordset($1::jsonb) AS x(s text, r text, h text)
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash`,
      [JSON.stringify(all.slice(i, i + HEADS_PER_STATEMENT))],
    );
  }
}

export async function loadHeads(tx: SqlExecutor): Promise<Map<string, StreamHead>> {
  const { rows } = await tx.query<{ stream_id: string; revision: string; hash: string }>(
    'SELECT stream_id, revision, hash FROM ledger_stream_heads',
  );
  return new Map(rows.map((r) => [r.stream_id, { revision: BigInt(r.revision), hash: r.hash }]));
}

export async function insertCheckpoint(tx: SqlExecutor, checkpoint: Checkpoint): Promise<void> {
  await tx.query(
    'INSERT INTO ledger_checkpoints (sequence, position, checkpoint) VALUES ($1, $2, $3)',
    [checkpoint.sequence, checkpoint.position, JSON.stringify(checkpoint)],
  );
}
