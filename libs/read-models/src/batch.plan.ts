import { must } from '@ledger/invariant';
import type { Position, RecordedEvent } from '@ledger/event-store';
import {
  isUuid,
  isWalletEventType,
  toBigInt,
  WALLET_STREAM_PREFIX,
  type StoredEntry,
  type StoredWalletData,
  type WalletEventType,
} from '@ledger/ledger';
import {
  planBalanceChange,
  type BalanceChange,
  type TotalsChange,
} from './balance-history/balance-history.plan';

/**
 * One batch of the log, reduced to what the read models write: per-wallet
 * and per-account deltas (so each table takes one statement per batch, not
 * one per event) and the history rows.
 * Amounts come from the journal entry each money-moving event carries; the
 * verifier recomputes them independently through the wallet's `evolve`.
 */
export interface WalletChange {
  readonly walletId: string;
  /** Set when the batch holds the wallet's WalletOpened: the row is inserted whole. */
  opened?: { readonly ownerId: string; readonly currency: string; readonly openedAt: string };
  readonly firstRevision: bigint;
  lastRevision: bigint;
  credits: bigint;
  debits: bigint;
  held: bigint;
  status?: WalletStatus;
  updatedAt: string;
  last: Position;
}

export type WalletStatus = 'open' | 'frozen' | 'closed';

export interface AccountChange {
  readonly account: string;
  readonly currency: string;
  debits: bigint;
  credits: bigint;
  updatedAt: string;
  last: Position;
}

/**
 * A history row as it travels to SQL inside one JSON document, keyed by
 * column name so that jsonb_to_recordset maps it directly. Amounts and
 * positions are decimal strings, never JSON numbers.
 */
export interface HistoryRow {
  readonly event_id: string;
  readonly wallet_id: string;
  readonly revision: string;
  readonly type: string;
  readonly direction: string | null;
  readonly amount_minor: string | null;
  readonly currency: string | null;
  readonly contra: string | null;
  readonly kind: string | null;
  readonly reference: string | null;
  readonly movement_id: string | null;
  readonly description: string | null;
  readonly occurred_at: string;
  readonly commit_pos: string;
  readonly prepare_pos: string;
}

export interface BatchPlan {
  /** Position of the batch's first event: rows already past it have seen this batch. */
  readonly first: Position;
  readonly wallets: Map<string, WalletChange>;
  readonly accounts: Map<string, AccountChange>;
  readonly history: HistoryRow[];
  /** Per event that changes a balance (or opens a wallet): the rows of the balance history. */
  readonly balances: BalanceChange[];
  readonly totals: TotalsChange[];
}

/** A wallet stream holds something the read models cannot interpret: the log is corrupt. */
export class UnreadableWalletEvent extends Error {
  override readonly name = 'UnreadableWalletEvent';
  constructor(
    readonly eventId: string,
    detail: string,
  ) {
    super(`Wallet event ${eventId}: ${detail}`);
  }
}

const DIRECTIONS: Readonly<Record<WalletEventType, string | null>> = {
  WalletOpened: null,
  WalletCredited: 'credit',
  WalletDebited: 'debit',
  HoldPlaced: 'hold',
  HoldCaptured: 'debit',
  HoldReleased: 'release',
  WalletFrozen: null,
  WalletUnfrozen: null,
  WalletClosed: null,
};

const STATUS_AFTER: Partial<Record<WalletEventType, WalletStatus>> = {
  WalletOpened: 'open',
  WalletFrozen: 'frozen',
  WalletUnfrozen: 'open',
  WalletClosed: 'closed',
};

const HELD_SIGN: Partial<Record<WalletEventType, bigint>> = {
  HoldPlaced: 1n,
  HoldCaptured: -1n,
  HoldReleased: -1n,
};

export function planBatch(events: readonly RecordedEvent[]): BatchPlan {
  const plan: BatchPlan = {
    first: must(events[0], 'first event of a batch').position,
    wallets: new Map(),
    accounts: new Map(),
    history: [],
    balances: [],
    totals: [],
  };
  for (const event of events) {
    // Saga, identity and other streams share the log; the read models ignore them.
    if (!event.streamId.startsWith(WALLET_STREAM_PREFIX)) continue;
    if (!isWalletEventType(event.type))
      throw new UnreadableWalletEvent(event.id, `unknown type ${event.type}`);
    planWalletEvent(plan, event, event.type);
  }
  return plan;
}

function planWalletEvent(plan: BatchPlan, event: RecordedEvent, type: WalletEventType): void {
  const walletId = event.streamId.slice(WALLET_STREAM_PREFIX.length);
  // Wallet ids are derived UUIDs, and the read models key on the uuid type.
  if (!isUuid(walletId))
    throw new UnreadableWalletEvent(
      event.id,
      `stream ${event.streamId} does not name a wallet UUID`,
    );
  const data = event.data as StoredWalletData;
  const at = data.at ?? event.createdAt.toISOString();
  const change = walletChange(plan, walletId, event, at);
  if (type === 'WalletOpened') {
    if (!data.ownerId || !data.currency)
      throw new UnreadableWalletEvent(event.id, 'opened without owner or currency');
    change.opened = { ownerId: data.ownerId, currency: data.currency, openedAt: at };
  }
  const status = STATUS_AFTER[type];
  if (status) change.status = status;
  const sign = HELD_SIGN[type];
  const held = sign ? sign * amountOf(event, data.amountMinor) : 0n;
  change.held += held;
  if (data.entry) planEntry(plan, change, event, data.entry, at);
  const problem = planBalanceChange(plan, event, walletId, type === 'WalletOpened', data, held);
  if (problem) throw new UnreadableWalletEvent(event.id, problem);
  plan.history.push(historyRow(event, walletId, type, data, at));
}

function walletChange(
  plan: BatchPlan,
  walletId: string,
  event: RecordedEvent,
  at: string,
): WalletChange {
  let change = plan.wallets.get(walletId);
  if (!change) {
    change = {
      walletId,
      firstRevision: event.revision,
      lastRevision: event.revision,
      credits: 0n,
      debits: 0n,
      held: 0n,
      updatedAt: at,
      last: event.position,
    };
    plan.wallets.set(walletId, change);
  }
  change.lastRevision = event.revision;
  change.updatedAt = at;
  change.last = event.position;
  return change;
}

/** Each leg lands on the account it names: this wallet, or a system or transit account. */
function planEntry(
  plan: BatchPlan,
  wallet: WalletChange,
  event: RecordedEvent,
  entry: StoredEntry,
  at: string,
): void {
  const amount = amountOf(event, entry.amountMinor);
  const own = `wallet:${wallet.walletId}`;
  if (entry.debit !== own && entry.credit !== own) {
    throw new UnreadableWalletEvent(event.id, 'entry does not involve the wallet of its stream');
  }
  for (const [leg, side] of [
    [entry.debit, 'debits'],
    [entry.credit, 'credits'],
  ] as const) {
    if (leg === own) {
      wallet[side] += amount;
      continue;
    }
    if (leg.startsWith('wallet:'))
      throw new UnreadableWalletEvent(event.id, `entry moves another wallet (${leg})`);
    const key = `${leg}\u0000${entry.currency}`;
    let account = plan.accounts.get(key);
    if (!account) {
      account = {
        account: leg,
        currency: entry.currency,
        debits: 0n,
        credits: 0n,
        updatedAt: at,
        last: event.position,
      };
      plan.accounts.set(key, account);
    }
    account[side] += amount;
    account.updatedAt = at;
    account.last = event.position;
  }
}

function amountOf(event: RecordedEvent, text: string | undefined): bigint {
  try {
    return toBigInt(text);
  } catch {
    throw new UnreadableWalletEvent(event.id, `amount ${String(text)} is not an integer`);
  }
}

function historyRow(
  event: RecordedEvent,
  walletId: string,
  type: WalletEventType,
  data: StoredWalletData,
  at: string,
): HistoryRow {
  const moves = data.amountMinor !== undefined;
  return {
    event_id: event.id,
    wallet_id: walletId,
    revision: event.revision.toString(),
    type,
    direction: DIRECTIONS[type],
    amount_minor: data.amountMinor ?? null,
    currency: moves || type === 'WalletOpened' ? (data.currency ?? null) : null,
    contra: data.contra ?? null,
    kind: data.kind ?? null,
    reference: data.entryId ?? data.holdId ?? null,
    movement_id: data.movementId ?? null,
    description: data.description ?? data.reason ?? null,
    occurred_at: at,
    commit_pos: event.position.commit.toString(),
    prepare_pos: event.position.prepare.toString(),
  };
}
