import type { SqlExecutor } from '@ledger/database';
import { comparePositions, START, type Position } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import { findCheckpoint } from '@ledger/event-store/sql';
import { READ_MODELS_PROJECTOR } from '../read-models.projector';
import { LIVE_SCHEMA } from '../schema';

/** A wallet's balance as it stood after the event at `position`. */
export interface BalanceChange {
  readonly type: 'balance';
  readonly position: Position;
  readonly walletId: string;
  readonly ownerId: string;
  readonly currency: string;
  readonly status: string;
  readonly postedMinor: bigint;
  readonly availableMinor: bigint;
  readonly heldMinor: bigint;
}

/** A movement's status as it stood after the event at `position`, with the owners of its legs. */
export interface MovementChange {
  readonly type: 'movement';
  readonly position: Position;
  readonly movementId: string;
  readonly kind: string;
  readonly status: string;
  readonly reason?: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The wallets it touches and their owners, to route the change; never shown across owners. */
  readonly legs: readonly { walletId: string; ownerId: string; listed: boolean }[];
}

export type ReadModelChange = BalanceChange | MovementChange;

export interface ChangesBatch {
  /** Every change after `after` up to here is in `changes`; read again from here. */
  readonly until: Position;
  /** In log order. */
  readonly changes: readonly ReadModelChange[];
}

/** The position the read models reflect: where a live reader starts. */
export async function liveHead(db: SqlExecutor): Promise<Position> {
  return (await findCheckpoint(db, READ_MODELS_PROJECTOR))?.position ?? START;
}

/** Rows per table per read; a longer backlog is read in several rounds. */
export const CHANGES_PAGE = 1_000;

/**
 * What the read models changed after `after`: wallet balances and movement
 * summaries whose last applied event lies after it, up to the projector's
 * checkpoint (rows and checkpoint commit together, so nothing below the
 * checkpoint is still to come). Each row is answered once, in its latest
 * state, at the position of its last change: a reader that asks again from
 * `until` misses no change and sees none twice. `ownerId` narrows the read
 * to one owner's wallets (a reconnecting client catching up).
 */
export async function readChangesSince(
  db: SqlExecutor,
  after: Position,
  options: { ownerId?: string; limit?: number } = {},
): Promise<ChangesBatch> {
  const limit = Math.max(1, options.limit ?? CHANGES_PAGE);
  const checkpoint = await liveHead(db);
  if (comparePositions(checkpoint, after) <= 0) return { until: after, changes: [] };
  const range = [
    after.commit.toString(),
    after.prepare.toString(),
    checkpoint.commit.toString(),
    checkpoint.prepare.toString(),
  ];
  const owner = options.ownerId ?? null;
  const balances = await db.query<Record<string, unknown>>(
    `SELECT wallet_id, owner_id, currency, status, posted_minor, available_minor, held_minor,
            last_commit, last_prepare
       FROM ${LIVE_SCHEMA}.wallet_balances
      WHERE (last_commit, last_prepare) > ($1::bigint, $2::bigint)
        AND (last_commit, last_prepare) <= ($3::bigint, $4::bigint)
        AND ($5::text IS NULL OR owner_id = $5)
      ORDER BY last_commit, last_prepare
      LIMIT ${limit}`,
    [...range, owner],
  );
  const movements = await db.query<Record<string, unknown>>(
    `SELECT s.movement_id, s.kind, s.status, s.reason, s.amount_minor, s.currency,
            s.last_commit, s.last_prepare,
            (SELECT coalesce(json_agg(json_build_object(
                      'walletId', l.wallet_id, 'ownerId', l.owner_id,
                      'listed', (l.direction = 'out' OR l.posted_commit IS NOT NULL
                                 OR s.kind IN ('top_up', 'adjustment')))), '[]'::json)
               FROM ${LIVE_SCHEMA}.movement_legs l WHERE l.movement_id = s.movement_id) AS legs
       FROM ${LIVE_SCHEMA}.movement_summaries s
      WHERE (s.last_commit, s.last_prepare) > ($1::bigint, $2::bigint)
        AND (s.last_commit, s.last_prepare) <= ($3::bigint, $4::bigint)
        AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM ${LIVE_SCHEMA}.movement_legs o
                                          WHERE o.movement_id = s.movement_id AND o.owner_id = $5))
      ORDER BY s.last_commit, s.last_prepare
      LIMIT ${limit}`,
    [...range, owner],
  );
  const positionOf = (row: Record<string, unknown>): Position => ({
    commit: toBigInt(row.last_commit),
    prepare: toBigInt(row.last_prepare),
  });
  // A table that filled its page may have more rows: read no further than its last one.
  let until = checkpoint;
  for (const rows of [balances.rows, movements.rows]) {
    const lastRow = rows.at(-1);
    if (rows.length < limit || !lastRow) continue;
    const last = positionOf(lastRow);
    if (comparePositions(last, until) < 0) until = last;
  }
  const changes: ReadModelChange[] = [
    ...balances.rows.map((row): BalanceChange => ({
      type: 'balance',
      position: positionOf(row),
      walletId: String(row.wallet_id),
      ownerId: String(row.owner_id),
      currency: String(row.currency),
      status: String(row.status),
      postedMinor: toBigInt(row.posted_minor),
      availableMinor: toBigInt(row.available_minor),
      heldMinor: toBigInt(row.held_minor),
    })),
    ...movements.rows.map((row): MovementChange => ({
      type: 'movement',
      position: positionOf(row),
      movementId: String(row.movement_id),
      kind: String(row.kind),
      status: String(row.status),
      ...(row.reason !== null && row.reason !== undefined && { reason: String(row.reason) }),
      amountMinor: toBigInt(row.amount_minor),
      currency: String(row.currency),
      legs: (typeof row.legs === 'string'
        ? JSON.parse(row.legs)
        : row.legs) as MovementChange['legs'],
    })),
  ]
    .filter((change) => comparePositions(change.position, until) <= 0)
    .sort((a, b) => comparePositions(a.position, b.position));
  return { until, changes };
}
