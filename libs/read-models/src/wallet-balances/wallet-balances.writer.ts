import type { SqlExecutor } from '@ledger/database';
import type { BatchPlan, WalletChange } from '../batch.plan';

/**
 * Writes a batch's wallet changes in at most two statements. A wallet opened
 * in this batch is inserted whole; the others get their deltas added, but
 * only where the row's revision is below the batch's first revision for that
 * wallet, so a redelivered batch adds nothing twice. Returns the wallets that
 * accepted the batch: the others had already seen it.
 */
export async function writeWalletBalances(
  tx: SqlExecutor,
  schema: string,
  plan: BatchPlan,
): Promise<Set<string>> {
  const opened: WalletChange[] = [];
  const changed: WalletChange[] = [];
  for (const change of plan.wallets.values()) (change.opened ? opened : changed).push(change);
  const applied = new Set<string>();
  if (opened.length > 0) for (const id of await insertOpened(tx, schema, opened)) applied.add(id);
  if (changed.length > 0) for (const id of await addDeltas(tx, schema, changed)) applied.add(id);
  return applied;
}

async function insertOpened(
  tx: SqlExecutor,
  schema: string,
  wallets: readonly WalletChange[],
): Promise<string[]> {
  const { rows } = await tx.query<{ wallet_id: string }>(
    `INSERT INTO ${schema}.wallet_balances (wallet_id, owner_id, currency, status, credits_minor, debits_minor,
       held_minor, revision, opened_at, updated_at, last_commit, last_prepare)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
       $7::bigint[], $8::bigint[], $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::bigint[])
     ON CONFLICT (wallet_id) DO NOTHING
     RETURNING wallet_id`,
    [
      wallets.map((w) => w.walletId),
      wallets.map((w) => w.opened!.ownerId),
      wallets.map((w) => w.opened!.currency),
      wallets.map((w) => w.status ?? 'open'),
      wallets.map((w) => w.credits.toString()),
      wallets.map((w) => w.debits.toString()),
      wallets.map((w) => w.held.toString()),
      wallets.map((w) => w.lastRevision.toString()),
      wallets.map((w) => w.opened!.openedAt),
      wallets.map((w) => w.updatedAt),
      wallets.map((w) => w.last.commit.toString()),
      wallets.map((w) => w.last.prepare.toString()),
    ],
  );
  return rows.map((r) => r.wallet_id);
}

async function addDeltas(
  tx: SqlExecutor,
  schema: string,
  wallets: readonly WalletChange[],
): Promise<string[]> {
  const { rows } = await tx.query<{ wallet_id: string }>(
    `UPDATE ${schema}.wallet_balances w
        SET credits_minor = w.credits_minor + d.credits,
            debits_minor = w.debits_minor + d.debits,
            held_minor = w.held_minor + d.held,
            status = coalesce(d.status, w.status),
            revision = d.last_revision,
            updated_at = d.updated_at,
            last_commit = d.last_commit,
            last_prepare = d.last_prepare
       FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
              $7::text[], $8::timestamptz[], $9::bigint[], $10::bigint[])
            AS d(wallet_id, first_revision, last_revision, credits, debits, held, status, updated_at, last_commit, last_prepare)
      WHERE w.wallet_id = d.wallet_id AND w.revision < d.first_revision
      RETURNING w.wallet_id`,
    [
      wallets.map((w) => w.walletId),
      wallets.map((w) => w.firstRevision.toString()),
      wallets.map((w) => w.lastRevision.toString()),
      wallets.map((w) => w.credits.toString()),
      wallets.map((w) => w.debits.toString()),
      wallets.map((w) => w.held.toString()),
      wallets.map((w) => w.status ?? null),
      wallets.map((w) => w.updatedAt),
      wallets.map((w) => w.last.commit.toString()),
      wallets.map((w) => w.last.prepare.toString()),
    ],
  );
  return rows.map((r) => r.wallet_id);
}
