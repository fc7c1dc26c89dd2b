import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';
import { isUuid, toBigInt, WALLET_EVENT_TYPES } from '@ledger/ledger';
import type { HistoryRow } from '../batch.plan';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';
import { LIVE_SCHEMA } from '../schema';

export interface HistoryEntry {
  readonly eventId: string;
  readonly walletId: string;
  readonly revision: bigint;
  readonly type: string;
  /** credit and debit move the posted balance; hold and release move the held amount. */
  readonly direction?: 'credit' | 'debit' | 'hold' | 'release';
  readonly amountMinor?: bigint;
  readonly currency?: string;
  readonly contra?: string;
  readonly kind?: string;
  /** The entry id or hold id the event carries. */
  readonly reference?: string;
  readonly movementId?: string;
  readonly description?: string;
  readonly occurredAt: Date;
  readonly position: Position;
}

export interface WalletHistoryQuery {
  readonly cursor?: string;
  readonly limit?: number;
  /** Only events of these types (WalletCredited, HoldPlaced, …). */
  readonly types?: readonly string[];
  /** Only entries of these kinds (top_up, transfer, …). */
  readonly kinds?: readonly string[];
  /** occurred_at at or after. */
  readonly from?: Date;
  /** occurred_at strictly before. */
  readonly to?: Date;
}

export type HistoryProblem = PageProblem | 'invalid_type' | 'invalid_date_range';

/**
 * The projector's `HistoryRow` as a query selects it back: integers as the
 * driver returns them, the timestamp as a Date or a string.
 */
type SelectedHistoryRow = Omit<
  HistoryRow,
  'revision' | 'direction' | 'amount_minor' | 'occurred_at' | 'commit_pos' | 'prepare_pos'
> & {
  readonly revision: unknown;
  readonly direction: HistoryEntry['direction'] | null;
  readonly amount_minor: unknown;
  readonly occurred_at: Date | string;
  readonly commit_pos: unknown;
  readonly prepare_pos: unknown;
};

const MAX_FILTER_VALUES = 20;

/**
 * A wallet's events, newest first, a bounded page at a time. Paging is by
 * revision (the wallet's own order), so a page never shifts when new events
 * arrive; the cursor names the wallet so it cannot page another one.
 */
export async function walletHistory(
  db: SqlExecutor,
  walletId: string,
  query: WalletHistoryQuery = {},
): Promise<Page<HistoryEntry> | HistoryProblem> {
  const limit = pageSize(query.limit);
  if (limit === 'invalid_limit') return limit;
  const before =
    query.cursor === undefined ? undefined : decodeCursor(tag(walletId), query.cursor, 1);
  if (query.cursor !== undefined && (before?.[0] === undefined || !/^\d{1,19}$/.test(before[0])))
    return 'invalid_cursor';
  const problem = filterProblem(query);
  if (problem) return problem;
  // Wallet ids are UUIDs; anything else has no history (and must not reach a uuid cast).
  if (!isUuid(walletId)) return { items: [] };
  const { rows } = await db.query<SelectedHistoryRow>(
    `SELECT event_id, wallet_id, revision, type, direction, amount_minor, currency, contra, kind, reference,
            movement_id, description, occurred_at, commit_pos, prepare_pos
       FROM ${LIVE_SCHEMA}.wallet_history
      WHERE wallet_id = $1
        AND ($2::bigint IS NULL OR revision < $2)
        AND ($3::text[] IS NULL OR type = ANY ($3))
        AND ($4::text[] IS NULL OR kind = ANY ($4))
        AND ($5::timestamptz IS NULL OR occurred_at >= $5)
        AND ($6::timestamptz IS NULL OR occurred_at < $6)
      ORDER BY revision DESC
      LIMIT $7`,
    [
      walletId,
      before?.[0] ?? null,
      query.types?.length ? [...query.types] : null,
      query.kinds?.length ? [...query.kinds] : null,
      query.from?.toISOString() ?? null,
      query.to?.toISOString() ?? null,
      limit + 1,
    ],
  );
  return toPage(rows, limit, toHistoryEntry, (r) => [String(r.revision)], tag(walletId));
}

const tag = (walletId: string) => `history:${walletId}`;

function filterProblem(query: WalletHistoryQuery): HistoryProblem | undefined {
  const types = query.types ?? [];
  if (
    types.length > MAX_FILTER_VALUES ||
    types.some((t) => !(WALLET_EVENT_TYPES as readonly string[]).includes(t))
  ) {
    return 'invalid_type';
  }
  if ((query.kinds?.length ?? 0) > MAX_FILTER_VALUES) return 'invalid_type';
  const invalid = (d?: Date) => d !== undefined && Number.isNaN(d.getTime());
  if (invalid(query.from) || invalid(query.to)) return 'invalid_date_range';
  if (query.from && query.to && query.from >= query.to) return 'invalid_date_range';
  return undefined;
}

function toHistoryEntry(row: SelectedHistoryRow): HistoryEntry {
  return {
    eventId: row.event_id,
    walletId: row.wallet_id,
    revision: toBigInt(row.revision),
    type: row.type,
    ...(row.direction !== null && { direction: row.direction }),
    ...(row.amount_minor !== null && { amountMinor: toBigInt(row.amount_minor) }),
    ...(row.currency !== null && { currency: row.currency }),
    ...(row.contra !== null && { contra: row.contra }),
    ...(row.kind !== null && { kind: row.kind }),
    ...(row.reference !== null && { reference: row.reference }),
    ...(row.movement_id !== null && { movementId: row.movement_id }),
    ...(row.description !== null && { description: row.description }),
    occurredAt: new Date(row.occurred_at),
    position: { commit: toBigInt(row.commit_pos), prepare: toBigInt(row.prepare_pos) },
  };
}

export interface PostedEntry {
  readonly direction: 'credit' | 'debit';
  readonly amountMinor: bigint;
}

/**
 * The credit or debit a wallet's history holds under a reference (an entry
 * id), or undefined; a finance reversal checks what it takes back against it.
 */
export async function postedEntry(
  db: SqlExecutor,
  walletId: string,
  reference: string,
): Promise<PostedEntry | undefined> {
  const { rows } = await db.query<{ direction: string; amount_minor: unknown }>(
    `SELECT direction, amount_minor FROM ${LIVE_SCHEMA}.wallet_history
      WHERE wallet_id = $1 AND reference = $2 AND direction IN ('credit', 'debit') LIMIT 1`,
    [walletId, reference],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (row.direction !== 'credit' && row.direction !== 'debit')
    throw new Error(`wallet_history row has direction ${row.direction}`);
  return { direction: row.direction, amountMinor: toBigInt(row.amount_minor) };
}
