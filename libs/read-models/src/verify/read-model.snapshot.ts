import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import { START, type Position } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import { findCheckpoint } from '@ledger/event-store/sql';
import { readBalanceHistory, type BalanceHistorySnapshot } from './balance-history.compare';

/** The read models as of one checkpoint, in memory for comparison with a replay. */
export interface ReadModelSnapshot {
  readonly position: Position;
  readonly wallets: Map<string, WalletRow>;
  readonly accounts: Map<string, AccountRow>;
  readonly history: Map<string, HistoryAggregate>;
  readonly balanceHistory: BalanceHistorySnapshot;
}

export interface WalletRow {
  readonly ownerId: string;
  readonly currency: string;
  readonly status: string;
  readonly posted: bigint;
  readonly held: bigint;
  readonly credits: bigint;
  readonly debits: bigint;
  readonly revision: bigint;
}

export interface AccountRow {
  readonly debits: bigint;
  readonly credits: bigint;
}

export interface HistoryAggregate {
  readonly rows: number;
  readonly lastRevision: bigint;
  readonly credited: bigint;
  readonly debited: bigint;
}

/**
 * Reads checkpoint and rows in one REPEATABLE READ snapshot: the projector
 * commits rows and checkpoint together, so the rows are exactly the read
 * model at that checkpoint even while the projector keeps going. Memory is
 * proportional to accounts, not events: history is read as per-wallet sums.
 */
export async function readSnapshot(
  db: SqlDatabase,
  schema: string,
  checkpoint: string,
): Promise<ReadModelSnapshot> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const position = (await findCheckpoint(tx, checkpoint))?.position ?? START;
    return {
      position,
      wallets: await readWallets(tx, schema),
      accounts: await readAccounts(tx, schema),
      history: await readHistory(tx, schema),
      balanceHistory: await readBalanceHistory(tx, schema),
    };
  });
}

async function readWallets(tx: SqlExecutor, schema: string): Promise<Map<string, WalletRow>> {
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT wallet_id, owner_id, currency, status, posted_minor, held_minor, credits_minor, debits_minor, revision
       FROM ${schema}.wallet_balances`,
  );
  return new Map(
    rows.map((r) => [
      String(r.wallet_id),
      {
        ownerId: String(r.owner_id),
        currency: String(r.currency),
        status: String(r.status),
        posted: toBigInt(r.posted_minor),
        held: toBigInt(r.held_minor),
        credits: toBigInt(r.credits_minor),
        debits: toBigInt(r.debits_minor),
        revision: toBigInt(r.revision),
      },
    ]),
  );
}

async function readAccounts(tx: SqlExecutor, schema: string): Promise<Map<string, AccountRow>> {
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT account, currency, debits_minor, credits_minor FROM ${schema}.account_balances`,
  );
  return new Map(
    rows.map((r) => [
      `${String(r.account)}\u0000${String(r.currency)}`,
      { debits: toBigInt(r.debits_minor), credits: toBigInt(r.credits_minor) },
    ]),
  );
}

async function readHistory(
  tx: SqlExecutor,
  schema: string,
): Promise<Map<string, HistoryAggregate>> {
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT wallet_id, count(*) AS n, max(revision) AS last_revision,
            coalesce(sum(amount_minor) FILTER (WHERE direction = 'credit'), 0)::text AS credited,
            coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit'), 0)::text AS debited
       FROM ${schema}.wallet_history GROUP BY wallet_id`,
  );
  return new Map(
    rows.map((r) => [
      String(r.wallet_id),
      {
        rows: Number(r.n),
        lastRevision: toBigInt(r.last_revision),
        credited: toBigInt(r.credited),
        debited: toBigInt(r.debited),
      },
    ]),
  );
}
