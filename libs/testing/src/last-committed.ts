import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';

/**
 * The position of the last event committed to the SQL event store, read from
 * the table itself. `headPosition()` stops below the oldest transaction open
 * anywhere on the server, which may belong to another test; a test that waits
 * for quiet must wait for this position instead.
 */
export async function lastCommittedPosition(db: SqlExecutor): Promise<Position | undefined> {
  const { rows } = await db.query<{ commit: string; prepare: string }>(
    'SELECT tx_id::text AS commit, seq::text AS prepare FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1',
  );
  return rows[0] && { commit: BigInt(rows[0].commit), prepare: BigInt(rows[0].prepare) };
}
