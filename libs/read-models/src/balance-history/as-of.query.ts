import type { SqlExecutor } from '@ledger/database';
import { comparePositions, START, type Position } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import { LIVE_SCHEMA } from '../schema';

/**
 * Where the balance history stands: `floor` is the first position it answers
 * for (the start of the log after a rebuild), `clock` the latest recorded
 * time it has applied. Both are single-row probes.
 */
export interface HistoryBounds {
  readonly floor: Position;
  readonly clock?: Date;
}

export async function historyBounds(db: SqlExecutor): Promise<HistoryBounds> {
  const { rows } = await db.query<{ commit_pos: unknown; prepare_pos: unknown; clock: unknown }>(
    `SELECT f.commit_pos, f.prepare_pos, (SELECT max(clock) FROM ${LIVE_SCHEMA}.ledger_totals) AS clock
       FROM ${LIVE_SCHEMA}.balance_history_floor f`,
  );
  const row = rows[0];
  if (!row) return { floor: START };
  return {
    floor: { commit: toBigInt(row.commit_pos), prepare: toBigInt(row.prepare_pos) },
    ...(row.clock !== null && { clock: new Date(row.clock as string) }),
  };
}

/** Whether the history answers for `position`: it must not lie before the floor. */
export function historyCovers(bounds: HistoryBounds, position: Position): boolean {
  return comparePositions(position, bounds.floor) >= 0;
}

/**
 * The position of the last balance-changing event whose ledger clock is at
 * or before `at`, or START when there is none: one probe of the clock index.
 * The clock never decreases along the log, so everything up to that
 * position was recorded at or before `at`, and nothing after it was.
 */
export async function positionAt(db: SqlExecutor, at: Date): Promise<Position> {
  const { rows } = await db.query<{ commit_pos: unknown; prepare_pos: unknown }>(
    `SELECT commit_pos, prepare_pos FROM ${LIVE_SCHEMA}.ledger_totals
      WHERE clock <= $1 ORDER BY clock DESC, commit_pos DESC, prepare_pos DESC LIMIT 1`,
    [at.toISOString()],
  );
  return rows[0]
    ? { commit: toBigInt(rows[0].commit_pos), prepare: toBigInt(rows[0].prepare_pos) }
    : START;
}

/** A wallet's balances right after the last event at or before a position. */
export interface WalletBalanceAsOf {
  readonly walletId: string;
  readonly currency: string;
  readonly postedMinor: bigint;
  readonly heldMinor: bigint;
  readonly availableMinor: bigint;
  readonly creditsMinor: bigint;
  readonly debitsMinor: bigint;
  /** The event that last changed these balances. */
  readonly changedAt: Position;
}

/**
 * One probe of balance_history's primary key. Undefined when the wallet had
 * not been opened by `position`. The caller knows the wallet's currency (a
 * wallet has one) from its balance row, which it reads for ownership anyway.
 */
export async function walletBalanceAsOf(
  db: SqlExecutor,
  wallet: { readonly walletId: string; readonly currency: string },
  position: Position,
): Promise<WalletBalanceAsOf | undefined> {
  const row = await latestRow(db, `wallet:${wallet.walletId}`, wallet.currency, position);
  if (!row) return undefined;
  const posted = row.credits - row.debits;
  return {
    walletId: wallet.walletId,
    currency: wallet.currency,
    postedMinor: posted,
    heldMinor: row.held,
    availableMinor: posted - row.held,
    creditsMinor: row.credits,
    debitsMinor: row.debits,
    changedAt: row.position,
  };
}

export interface HistoryRowAsOf {
  readonly debits: bigint;
  readonly credits: bigint;
  readonly held: bigint;
  readonly position: Position;
}

/** The latest history row of (account, currency) at or before `position`. */
export async function latestRow(
  db: SqlExecutor,
  account: string,
  currency: string,
  position: Position,
): Promise<HistoryRowAsOf | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT debits_minor, credits_minor, held_minor, commit_pos, prepare_pos
       FROM ${LIVE_SCHEMA}.balance_history
      WHERE account = $1 AND currency = $2 AND (commit_pos, prepare_pos) <= ($3::bigint, $4::bigint)
      ORDER BY commit_pos DESC, prepare_pos DESC LIMIT 1`,
    [account, currency, position.commit.toString(), position.prepare.toString()],
  );
  return rows[0] && toHistoryRow(rows[0]);
}

export function toHistoryRow(row: Record<string, unknown>): HistoryRowAsOf {
  return {
    debits: toBigInt(row.debits_minor),
    credits: toBigInt(row.credits_minor),
    held: toBigInt(row.held_minor),
    position: { commit: toBigInt(row.commit_pos), prepare: toBigInt(row.prepare_pos) },
  };
}
