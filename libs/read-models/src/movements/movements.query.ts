import type { SqlExecutor } from '@ledger/database';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';
import { LIVE_SCHEMA } from '../schema';
import {
  LEG_SELECT,
  LEG_STATUS_SQL,
  legOf,
  LISTED_SQL,
  SUMMARY_SELECT,
  summaryOf,
  type LegRow,
  type MovementRecord,
  type MovementStatus,
  type SummaryRow,
} from './movement.record';

export const MOVEMENT_KINDS = [
  'transfer',
  'top_up',
  'withdrawal',
  'payment',
  'refund',
  'adjustment',
] as const;
export const MOVEMENT_STATUSES: readonly MovementStatus[] = ['pending', 'completed', 'failed'];

export interface MovementFilter {
  readonly walletId?: string;
  readonly kinds?: readonly string[];
  readonly statuses?: readonly string[];
  /** created at or after. */
  readonly from?: Date;
  /** created strictly before. */
  readonly to?: Date;
  /** Only movements with this owner on the other side (resolved from an e-mail or phone by the caller). */
  readonly counterpartyOwnerId?: string;
}

export interface MovementPageQuery extends MovementFilter {
  readonly cursor?: string;
  readonly limit?: number;
}

export type MovementProblem = PageProblem | 'invalid_date_range';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Movement ids are a kind and a UUID (`transfer-…`, `adjustment-…`); nothing else reaches SQL. */
export const MOVEMENT_ID =
  /^[a-z_]{1,20}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Keyset: a movement's first position, then its id; both legs of one movement share the first. */
export interface Keyset {
  readonly limit: number;
  readonly before?: readonly string[];
}

export function keysetOf(tag: string, query: MovementPageQuery): Keyset | MovementProblem {
  const limit = pageSize(query.limit);
  if (limit === 'invalid_limit') return limit;
  if (query.from && query.to && query.from >= query.to) return 'invalid_date_range';
  if (query.cursor === undefined) return { limit };
  const before = decodeCursor(tag, query.cursor, 3);
  const [commit, prepare, movementId] = before ?? [];
  const valid =
    before !== undefined &&
    commit !== undefined &&
    prepare !== undefined &&
    movementId !== undefined &&
    /^-?\d{1,18}$/.test(commit) &&
    /^-?\d{1,18}$/.test(prepare) &&
    MOVEMENT_ID.test(movementId);
  if (!valid) return 'invalid_cursor';
  return { limit, before };
}

/**
 * The WHERE clause of a filtered, keyset-paged scan over legs `l` joined to
 * summaries `s`; `params` receives the values it binds.
 */
export function legConditions(filter: MovementFilter, keyset: Keyset, params: unknown[]): string {
  const bind = (value: unknown) => `$${params.push(value)}`;
  const where = [LISTED_SQL];
  if (filter.walletId) where.push(`l.wallet_id = ${bind(filter.walletId)}::uuid`);
  if (filter.kinds?.length) where.push(`s.kind = ANY(${bind(filter.kinds)}::text[])`);
  if (filter.statuses?.length)
    where.push(`${LEG_STATUS_SQL} = ANY(${bind(filter.statuses)}::text[])`);
  if (filter.from) where.push(`l.created_at >= ${bind(filter.from.toISOString())}`);
  if (filter.to) where.push(`l.created_at < ${bind(filter.to.toISOString())}`);
  if (filter.counterpartyOwnerId)
    where.push(`l.counterparty_owner_id = ${bind(filter.counterpartyOwnerId)}`);
  if (keyset.before) {
    const [commit, prepare, id] = keyset.before;
    where.push(
      `(l.created_commit, l.created_prepare, l.movement_id) < (${bind(commit)}::bigint, ${bind(prepare)}::bigint, ${bind(id)})`,
    );
  }
  return where.join(' AND ');
}

/**
 * One owner's movements across all their wallets, newest first. Each comes
 * with the owner's own legs only: the wallet on the other side is the other
 * party's business, and is answered, if at all, as a display name.
 */
export async function listMovements(
  db: SqlExecutor,
  ownerId: string,
  query: MovementPageQuery = {},
): Promise<Page<MovementRecord> | MovementProblem> {
  const tag = `movements:${ownerId}`;
  const keyset = keysetOf(tag, query);
  if (typeof keyset === 'string') return keyset;
  if (query.walletId !== undefined && !UUID.test(query.walletId)) return { items: [] };
  const params: unknown[] = [ownerId];
  const where = legConditions(query, keyset, params);
  const { rows } = await db.query<SummaryRow>(
    `SELECT ${SUMMARY_SELECT}
       FROM ${LIVE_SCHEMA}.movement_summaries s
      WHERE s.movement_id IN (
        SELECT l.movement_id FROM ${LIVE_SCHEMA}.movement_legs l
          JOIN ${LIVE_SCHEMA}.movement_summaries s USING (movement_id)
         WHERE l.owner_id = $1 AND ${where}
         ORDER BY l.created_commit DESC, l.created_prepare DESC, l.movement_id DESC
         LIMIT ${keyset.limit * 2 + 1})
      ORDER BY s.created_commit DESC, s.created_prepare DESC, s.movement_id DESC
      LIMIT ${keyset.limit + 1}`,
    params,
  );
  const legs = await legsOf(
    db,
    rows.map((r) => r.movement_id),
    ownerId,
  );
  return toPage(
    rows,
    keyset.limit,
    (row) => ({ ...summaryOf(row), legs: legs.get(row.movement_id) ?? [] }),
    (row) => [String(row.created_commit), String(row.created_prepare), row.movement_id],
    tag,
  );
}

/** One movement with the legs `ownerId` may see (every leg when `ownerId` is undefined: staff). */
export async function getMovementRecord(
  db: SqlExecutor,
  movementId: string,
  ownerId: string | undefined,
): Promise<MovementRecord | undefined> {
  if (!MOVEMENT_ID.test(movementId)) return undefined;
  const { rows } = await db.query<SummaryRow>(
    `SELECT ${SUMMARY_SELECT} FROM ${LIVE_SCHEMA}.movement_summaries s WHERE s.movement_id = $1`,
    [movementId],
  );
  if (!rows[0]) return undefined;
  const legs = (await legsOf(db, [movementId], ownerId)).get(movementId) ?? [];
  if (ownerId !== undefined && legs.length === 0) return undefined;
  return { ...summaryOf(rows[0]), legs };
}

async function legsOf(
  db: SqlExecutor,
  movementIds: readonly string[],
  ownerId: string | undefined,
): Promise<Map<string, ReturnType<typeof legOf>[]>> {
  const byMovement = new Map<string, ReturnType<typeof legOf>[]>();
  if (movementIds.length === 0) return byMovement;
  const { rows } = await db.query<LegRow>(
    `SELECT ${LEG_SELECT}
       FROM ${LIVE_SCHEMA}.movement_legs l
       JOIN ${LIVE_SCHEMA}.movement_summaries s USING (movement_id)
      WHERE l.movement_id = ANY($1::text[]) AND ($2::text IS NULL OR (l.owner_id = $2 AND ${LISTED_SQL}))
      ORDER BY l.direction DESC, l.wallet_id`,
    [movementIds, ownerId ?? null],
  );
  for (const row of rows) {
    const list = byMovement.get(row.movement_id) ?? [];
    list.push(legOf(row));
    byMovement.set(row.movement_id, list);
  }
  return byMovement;
}
