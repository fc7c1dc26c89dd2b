import {
  comparePositions,
  formatPosition,
  MAX_READ_COUNT,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { WALLET_STREAM_PREFIX } from '@ledger/ledger';
import { LedgerReplay } from '../verify/ledger-replay';

/** What a replay of the log up to a point gives, as plain strings for comparison. */
export interface ReplayPoint {
  readonly position: Position;
  /** Opened wallets: id → "posted/held/credits/debits". */
  readonly wallets: Map<string, string>;
  /** System and transit accounts: "account currency" → "debits/credits". */
  readonly accounts: Map<string, string>;
  /** Currency → "debits/credits" over every account. */
  readonly trialBalance: Map<string, string>;
}

const BALANCE_EVENTS = new Set([
  'WalletOpened',
  'WalletCredited',
  'WalletDebited',
  'HoldPlaced',
  'HoldCaptured',
  'HoldReleased',
]);

/** The whole log, in pages, bounded by `max_events`. */
export async function readLog(store: EventStore, max_events = 100_000): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let after = START; events.length < max_events;) {
    const page = await store.readAll({ after, maxCount: MAX_READ_COUNT });
    const last = page.at(-1);
    if (!last) break;
    events.push(...page);
    after = last.position;
  }
  return events;
}

/**
 * Replays `events` once and records the state right after each index in
 * `at` (-1 is the empty log). Independent of the projector: the replay folds
 * the domain's own `evolve` and `postingOf`.
 */
export function replayPoints(
  events: readonly RecordedEvent[],
  at: readonly number[],
): ReplayPoint[] {
  const replay = new LedgerReplay((difference) => {
    throw new Error(`The test log itself is wrong: ${JSON.stringify(difference)}`);
  });
  const wanted = [...new Set(at)].sort((a, b) => a - b);
  const points: ReplayPoint[] = [];
  let next = 0;
  for (let i = -1; i < events.length && next < wanted.length; i++) {
    const event = events[i];
    if (event) replay.apply(event);
    if (wanted[next] !== i) continue;
    points.push(capture(replay, event ? event.position : START));
    next++;
  }
  return points;
}

function capture(replay: LedgerReplay, position: Position): ReplayPoint {
  const wallets = new Map<string, string>();
  const accounts = new Map<string, string>();
  const totals = new Map<string, [bigint, bigint]>();
  const add = (currency: string, debits: bigint, credits: bigint) => {
    const [d, c] = totals.get(currency) ?? [0n, 0n];
    totals.set(currency, [d + debits, c + credits]);
  };
  for (const [id, tally] of replay.wallets) {
    const w = tally.wallet;
    if (w.status === 'unopened') continue;
    wallets.set(id, `${w.postedMinor}/${w.heldMinor}/${tally.credits}/${tally.debits}`);
    add(w.currency, tally.debits, tally.credits);
  }
  for (const a of replay.accounts.values()) {
    accounts.set(`${a.account} ${a.currency}`, `${a.debits}/${a.credits}`);
    add(a.currency, a.debits, a.credits);
  }
  const trialBalance = new Map([...totals].map(([c, [d, cr]]) => [c, `${d}/${cr}`]));
  return { position, wallets, accounts, trialBalance };
}

/**
 * The index of the last balance-changing event whose ledger clock (the
 * running maximum of recorded times) is at or before `at`; -1 when none.
 */
export function lastIndexAt(events: readonly RecordedEvent[], at: Date): number {
  let clock = -Infinity;
  let found = -1;
  for (const [i, event] of events.entries()) {
    if (!event.streamId.startsWith(WALLET_STREAM_PREFIX) || !BALANCE_EVENTS.has(event.type))
      continue;
    clock = Math.max(clock, event.createdAt.getTime());
    if (clock > at.getTime()) break;
    found = i;
  }
  return found;
}

export const describePosition = (p: Position) =>
  comparePositions(p, START) === 0 ? 'start' : formatPosition(p);
