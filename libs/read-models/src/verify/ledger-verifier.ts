import type { SqlDatabase } from '@ledger/database';
import {
  comparePositions,
  formatPosition,
  MAX_READ_COUNT,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { waitForPosition } from '../progress';
import { READ_MODELS_PROJECTOR } from '../read-models.projector';
import { checkedSchema, LIVE_SCHEMA } from '../schema';
import { LedgerReplay } from './ledger-replay';
import { compareWithReadModels } from './read-model.compare';
import { readSnapshot, type ReadModelSnapshot } from './read-model.snapshot';
import { Differences, type TrialBalanceTotals, type VerifyReport } from './verify.report';

export interface VerifyOptions {
  /** Events per read of the log; at most MAX_READ_COUNT. */
  readonly page_size?: number;
  /** Compare with the read models (default); off checks the log alone. */
  readonly compareReadModels?: boolean;
  /** How long to let the read models reach the head before snapshotting them. */
  readonly waitMs?: number;
  readonly schema?: string;
  readonly checkpoint?: string;
  /** Sees every replayed event, in log order, in the same pass (the audit's hash chain check). */
  readonly observe?: (event: RecordedEvent) => void;
}

/**
 * Replays the whole log once and checks the ledger: every wallet refolded
 * through `evolve`, every entry equal to the posting its event implies, no
 * revision gaps, no negative wallet, debits equal to credits per currency.
 * Then compares the read models with the replay at the read models' own
 * checkpoint: their rows are snapshotted first, and the replay compares when
 * it passes that position, so a projector that keeps running cannot cause a
 * false difference. Returns a report; `clean` is false on any difference.
 */
export async function verifyLedger(
  db: SqlDatabase,
  store: EventStore,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = process.hrtime.bigint();
  const differences = new Differences();
  const compare = options.compareReadModels ?? true;
  const checkpoint = options.checkpoint ?? READ_MODELS_PROJECTOR;
  const schema = checkedSchema(options.schema ?? LIVE_SCHEMA);
  let snapshot: ReadModelSnapshot | undefined;
  let behind = false;
  if (compare) {
    behind = !(await waitForPosition(
      db,
      checkpoint,
      await store.headPosition(),
      options.waitMs ?? 10_000,
    ));
    snapshot = await readSnapshot(db, schema, checkpoint);
  }
  const head = await store.headPosition();
  const replay = new LedgerReplay(differences.add);
  const observe = options.observe;
  const apply = observe
    ? (event: RecordedEvent) => {
        observe(event);
        replay.apply(event);
      }
    : (event: RecordedEvent) => replay.apply(event);
  const compareNow = () => snapshot && compareWithReadModels(replay, snapshot, differences.add);
  await replayLog(
    store,
    apply,
    head,
    options.page_size,
    snapshot?.position,
    compareNow,
    differences,
  );
  const trialBalance = checkLedger(replay, differences);
  return {
    clean: differences.count === 0,
    eventsRead: replay.eventsRead,
    walletEvents: replay.walletEvents,
    wallets: [...replay.wallets.values()].filter((t) => t.wallet.status !== 'unopened').length,
    accounts: replay.accounts.size,
    currencies: trialBalance.map((t) => t.currency),
    trialBalance,
    head: formatPosition(head),
    ...(snapshot && { readModelsAt: formatPosition(snapshot.position), readModelsBehind: behind }),
    differenceCount: differences.count,
    differences: differences.listed,
    elapsedMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
  };
}

/**
 * Reads the log up to `head` in big pages, calling `compareAt` exactly once:
 * just before the first event past `at` (or at the end).
 */
async function replayLog(
  store: EventStore,
  apply: (event: RecordedEvent) => void,
  head: Position,
  page_size: number | undefined,
  at: Position | undefined,
  compareAt: () => void,
  differences: Differences,
): Promise<void> {
  const maxCount = Math.min(Math.max(page_size ?? MAX_READ_COUNT, 1), MAX_READ_COUNT);
  let pending = at !== undefined;
  let seenAt = at === undefined || comparePositions(at, START) === 0;
  let next = store.readAll({ after: START, maxCount });
  for (;;) {
    const events = await next;
    const last = events.at(-1);
    const full = events.length === maxCount && last && comparePositions(last.position, head) < 0;
    // The server reads the next page while this one is folded.
    next = full ? store.readAll({ after: last.position, maxCount }) : Promise.resolve([]);
    for (const event of events) {
      if (comparePositions(event.position, head) > 0) break;
      if (pending && comparePositions(event.position, at!) > 0) {
        compareAt();
        pending = false;
      }
      if (!seenAt && comparePositions(event.position, at!) === 0) seenAt = true;
      apply(event);
    }
    if (!full) break;
  }
  if (pending) compareAt();
  // A checkpoint is always the position of an event the projector read; anything else is corruption.
  if (!seenAt) differences.add({ kind: 'checkpoint_not_in_log', subject: formatPosition(at!) });
}

function checkLedger(replay: LedgerReplay, differences: Differences): TrialBalanceTotals[] {
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  const add = (currency: string, debits: bigint, credits: bigint) => {
    const total = totals.get(currency) ?? { debits: 0n, credits: 0n };
    total.debits += debits;
    total.credits += credits;
    totals.set(currency, total);
  };
  for (const [walletId, tally] of replay.wallets) {
    const wallet = tally.wallet;
    if (wallet.status === 'unopened') continue;
    add(wallet.currency, tally.debits, tally.credits);
    // Wallets are credit-normal: neither the posted balance nor what is available may go below zero.
    if (wallet.postedMinor < 0n || wallet.postedMinor - wallet.heldMinor < 0n) {
      differences.add({
        kind: 'negative_balance',
        subject: walletId,
        actual: `posted ${wallet.postedMinor}, held ${wallet.heldMinor}`,
      });
    }
  }
  for (const account of replay.accounts.values())
    add(account.currency, account.debits, account.credits);
  const lines = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [currency, { debits, credits }] of lines) {
    if (debits !== credits) {
      differences.add({
        kind: 'unbalanced_currency',
        subject: currency,
        expected: `credits ${debits}`,
        actual: `credits ${credits}`,
      });
    }
  }
  return lines.map(([currency, t]) => ({
    currency,
    debitsMinor: String(t.debits),
    creditsMinor: String(t.credits),
  }));
}
