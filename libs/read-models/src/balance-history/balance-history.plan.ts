import type { RecordedEvent } from '@ledger/event-store';
import { toBigInt, type StoredWalletData } from '@ledger/ledger';
import type { BatchPlan } from '../batch.plan';

/**
 * One account's change at one event, as it travels to SQL in a JSON document
 * (amounts and positions as decimal strings). `ord` is the event's place in
 * the batch: the writer adds the deltas up in that order onto the account's
 * latest row.
 */
export interface BalanceChange {
  readonly ord: number;
  readonly account: string;
  readonly currency: string;
  readonly debits: string;
  readonly credits: string;
  readonly held: string;
  readonly commit_pos: string;
  readonly prepare_pos: string;
}

/** One event's change to its currency's totals by account class, and its recorded time. */
export interface TotalsChange {
  readonly ord: number;
  readonly currency: string;
  readonly commit_pos: string;
  readonly prepare_pos: string;
  readonly recorded_at: string;
  readonly wallet_debits: string;
  readonly wallet_credits: string;
  readonly system_debits: string;
  readonly system_credits: string;
  readonly transit_debits: string;
  readonly transit_credits: string;
}

export type AccountClass = 'wallet' | 'system' | 'transit';

const CLASSES: readonly AccountClass[] = ['wallet', 'system', 'transit'];

/** The class an account name starts with, or undefined for a name no account has. */
export function accountClass(account: string): AccountClass | undefined {
  const prefix = account.slice(0, account.indexOf(':'));
  return (CLASSES as readonly string[]).includes(prefix) ? (prefix as AccountClass) : undefined;
}

/**
 * Adds the history rows of one wallet event: the wallet's own change (its
 * opening, a hold, or its leg of the entry), the contra account's leg, and
 * the currency's totals. Events that change no balance add nothing. Returns
 * a problem when the event cannot be read; the caller turns it into
 * UnreadableWalletEvent. Runs after planBatch validated the entry's amount.
 */
export function planBalanceChange(
  plan: BatchPlan,
  event: RecordedEvent,
  walletId: string,
  opened: boolean,
  data: StoredWalletData,
  held: bigint,
): string | undefined {
  const entry = data.entry;
  if (!opened && !entry && held === 0n) return undefined;
  const currency = entry?.currency ?? data.currency;
  if (!currency) return 'balance change without a currency';
  const ord = plan.totals.length;
  const position = {
    commit_pos: event.position.commit.toString(),
    prepare_pos: event.position.prepare.toString(),
  };
  const sums: Record<'wallet' | 'system' | 'transit', [bigint, bigint]> = {
    wallet: [0n, 0n],
    system: [0n, 0n],
    transit: [0n, 0n],
  };
  const own = `wallet:${walletId}`;
  const wallet = { debits: 0n, credits: 0n };
  if (entry) {
    const amount = toBigInt(entry.amountMinor);
    for (const [leg, side] of [
      [entry.debit, 0],
      [entry.credit, 1],
    ] as const) {
      const cls = accountClass(leg);
      if (!cls) return `entry names an account of no known class (${leg})`;
      sums[cls][side] += amount;
      if (leg === own) {
        wallet[side === 0 ? 'debits' : 'credits'] += amount;
        continue;
      }
      plan.balances.push({
        ord,
        account: leg,
        currency,
        debits: side === 0 ? amount.toString() : '0',
        credits: side === 1 ? amount.toString() : '0',
        held: '0',
        ...position,
      });
    }
  }
  plan.balances.push({
    ord,
    account: own,
    currency,
    debits: wallet.debits.toString(),
    credits: wallet.credits.toString(),
    held: held.toString(),
    ...position,
  });
  plan.totals.push({
    ord,
    currency,
    ...position,
    recorded_at: event.createdAt.toISOString(),
    wallet_debits: sums.wallet[0].toString(),
    wallet_credits: sums.wallet[1].toString(),
    system_debits: sums.system[0].toString(),
    system_credits: sums.system[1].toString(),
    transit_debits: sums.transit[0].toString(),
    transit_credits: sums.transit[1].toString(),
  });
  return undefined;
}
