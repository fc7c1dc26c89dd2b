import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { accountClass, type AccountClass } from '../balance-history/balance-history.plan';
import type { LedgerReplay } from './ledger-replay';
import type { Difference } from './verify.report';

/** The final balance-history row of every account and the final totals of every currency. */
export interface BalanceHistorySnapshot {
  /** Keyed by `account \0 currency`; wallets as `wallet:<id>`. */
  readonly accounts: Map<string, Totals>;
  /** Keyed by `currency \0 class`. */
  readonly totals: Map<string, Totals>;
}

interface Totals {
  readonly debits: bigint;
  readonly credits: bigint;
  readonly held: bigint;
}

/** Reads inside the verifier's snapshot transaction; memory grows with accounts, not events. */
export async function readBalanceHistory(
  tx: SqlExecutor,
  schema: string,
): Promise<BalanceHistorySnapshot> {
  const accounts = await tx.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (account, currency) account, currency, debits_minor, credits_minor, held_minor
       FROM ${schema}.balance_history
      ORDER BY account, currency, commit_pos DESC, prepare_pos DESC`,
  );
  const totals = await tx.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (currency) *
       FROM ${schema}.ledger_totals ORDER BY currency, commit_pos DESC, prepare_pos DESC`,
  );
  const byClass = new Map<string, Totals>();
  for (const row of totals.rows) {
    for (const cls of ['wallet', 'system', 'transit'] as const) {
      byClass.set(`${String(row.currency)}\u0000${cls}`, {
        debits: toBigInt(row[`${cls}_debits_minor`]),
        credits: toBigInt(row[`${cls}_credits_minor`]),
        held: 0n,
      });
    }
  }
  return {
    accounts: new Map(
      accounts.rows.map((r) => [
        `${String(r.account)}\u0000${String(r.currency)}`,
        {
          debits: toBigInt(r.debits_minor),
          credits: toBigInt(r.credits_minor),
          held: toBigInt(r.held_minor),
        },
      ]),
    ),
    totals: byClass,
  };
}

/**
 * The history's last row per account must hold what the replay folded for
 * it, and the last totals per currency and class the sums of those accounts.
 */
export function compareBalanceHistory(
  replay: LedgerReplay,
  snapshot: BalanceHistorySnapshot,
  report: (difference: Difference) => void,
): void {
  const expected = expectedTotals(replay);
  for (const [kind, actual, wanted] of [
    ['balance_history_mismatch', snapshot.accounts, expected.accounts],
    ['ledger_totals_mismatch', snapshot.totals, expected.totals],
  ] as const) {
    for (const key of new Set([...actual.keys(), ...wanted.keys()])) {
      const [a, e] = [describe(actual.get(key)), describe(wanted.get(key))];
      if (a !== e) report({ kind, subject: key.replace('\u0000', ' '), expected: e, actual: a });
    }
  }
}

function expectedTotals(replay: LedgerReplay): BalanceHistorySnapshot {
  const accounts = new Map<string, Totals>();
  const totals = new Map<string, Totals>();
  const add = (currency: string, cls: AccountClass, t: Totals) => {
    const key = `${currency}\u0000${cls}`;
    const sum = totals.get(key) ?? { debits: 0n, credits: 0n, held: 0n };
    totals.set(key, { debits: sum.debits + t.debits, credits: sum.credits + t.credits, held: 0n });
  };
  for (const [walletId, tally] of replay.wallets) {
    const wallet = tally.wallet;
    if (wallet.status === 'unopened') continue;
    const t = { debits: tally.debits, credits: tally.credits, held: wallet.heldMinor };
    accounts.set(`wallet:${walletId}\u0000${wallet.currency}`, t);
    // Every class gets a line for a currency that has a wallet, as the projector writes it.
    for (const cls of ['system', 'transit'] as const)
      add(wallet.currency, cls, { debits: 0n, credits: 0n, held: 0n });
    add(wallet.currency, 'wallet', { ...t, held: 0n });
  }
  for (const [key, tally] of replay.accounts) {
    const t = { debits: tally.debits, credits: tally.credits, held: 0n };
    accounts.set(key, t);
    const cls = accountClass(tally.account);
    if (cls) add(tally.currency, cls, t);
  }
  return { accounts, totals };
}

function describe(t: Totals | undefined): string {
  return t ? `debits ${t.debits}, credits ${t.credits}, held ${t.held}` : 'no row';
}
