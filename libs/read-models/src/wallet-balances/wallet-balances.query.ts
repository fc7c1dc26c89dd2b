import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';
import { isUuid, toBigInt } from '@ledger/ledger';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';
import { LIVE_SCHEMA } from '../schema';

export interface WalletBalance {
  readonly walletId: string;
  readonly ownerId: string;
  readonly currency: string;
  readonly status: 'open' | 'frozen' | 'closed';
  readonly postedMinor: bigint;
  readonly heldMinor: bigint;
  readonly availableMinor: bigint;
  readonly creditsMinor: bigint;
  readonly debitsMinor: bigint;
  /** Stream revision of the last event reflected here. */
  readonly revision: bigint;
  readonly openedAt: Date;
  readonly updatedAt: Date;
  /** Global position of the last event reflected here. */
  readonly position: Position;
}

interface WalletRow {
  wallet_id: string;
  owner_id: string;
  currency: string;
  status: WalletBalance['status'];
  posted_minor: unknown;
  held_minor: unknown;
  available_minor: unknown;
  credits_minor: unknown;
  debits_minor: unknown;
  revision: unknown;
  opened_at: Date | string;
  updated_at: Date | string;
  last_commit: unknown;
  last_prepare: unknown;
}

const COLUMNS = `wallet_id, owner_id, currency, status, posted_minor, held_minor, available_minor, credits_minor,
  debits_minor, revision, opened_at, updated_at, last_commit, last_prepare`;

const TAG = 'wallets';

export async function getWallet(
  db: SqlExecutor,
  walletId: string,
): Promise<WalletBalance | undefined> {
  // Wallet ids are UUIDs; anything else names no wallet (and must not reach a uuid cast).
  if (!isUuid(walletId)) return undefined;
  const { rows } = await db.query<WalletRow>(
    `SELECT ${COLUMNS} FROM ${LIVE_SCHEMA}.wallet_balances WHERE wallet_id = $1`,
    [walletId],
  );
  return rows[0] && toWalletBalance(rows[0]);
}

export interface ListWalletsQuery {
  /** Only this owner's wallets; all wallets when absent (admin). */
  readonly ownerId?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Wallets in wallet id order, a bounded page at a time. */
export async function listWallets(
  db: SqlExecutor,
  query: ListWalletsQuery = {},
): Promise<Page<WalletBalance> | PageProblem> {
  const limit = pageSize(query.limit);
  if (limit === 'invalid_limit') return limit;
  const after = query.cursor === undefined ? undefined : decodeCursor(TAG, query.cursor, 1);
  if (query.cursor !== undefined && (after === undefined || !isUuid(after[0])))
    return 'invalid_cursor';
  const { rows } = await db.query<WalletRow>(
    `SELECT ${COLUMNS} FROM ${LIVE_SCHEMA}.wallet_balances
      WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::uuid IS NULL OR wallet_id > $2)
      ORDER BY wallet_id LIMIT $3`,
    [query.ownerId ?? null, after?.[0] ?? null, limit + 1],
  );
  return toPage(rows, limit, toWalletBalance, (r) => [r.wallet_id], TAG);
}

function toWalletBalance(row: WalletRow): WalletBalance {
  return {
    walletId: row.wallet_id,
    ownerId: row.owner_id,
    currency: row.currency,
    status: row.status,
    postedMinor: toBigInt(row.posted_minor),
    heldMinor: toBigInt(row.held_minor),
    availableMinor: toBigInt(row.available_minor),
    creditsMinor: toBigInt(row.credits_minor),
    debitsMinor: toBigInt(row.debits_minor),
    revision: toBigInt(row.revision),
    openedAt: new Date(row.opened_at),
    updatedAt: new Date(row.updated_at),
    position: { commit: toBigInt(row.last_commit), prepare: toBigInt(row.last_prepare) },
  };
}

export interface OwnedWallet {
  readonly walletId: string;
  readonly currency: string;
}

/**
 * An owner's open wallets, oldest first, at most `limit` (a recipient lookup
 * by e-mail or phone picks one of them).
 */
export async function openWalletsOfOwner(
  db: SqlExecutor,
  ownerId: string,
  limit: number,
): Promise<OwnedWallet[]> {
  const { rows } = await db.query<{ wallet_id: string; currency: string }>(
    `SELECT wallet_id, currency FROM ${LIVE_SCHEMA}.wallet_balances
     WHERE owner_id = $1 AND status = 'open' ORDER BY opened_at, wallet_id LIMIT $2`,
    [ownerId, limit],
  );
  return rows.map((r) => ({ walletId: r.wallet_id, currency: r.currency }));
}
