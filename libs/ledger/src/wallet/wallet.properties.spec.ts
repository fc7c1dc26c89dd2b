import fc from 'fast-check';
import type { RecordedEvent } from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import { AppendBatcher } from '../command-path/append-batcher';
import { CommandProcessor } from '../command-path/command-processor';
import { SYSTEM_ACCOUNTS, type AccountRef } from '../accounts';
import type { WalletCommand } from './wallet.commands';
import { walletAggregate } from './wallet.aggregate';
import { walletStream } from './wallet.events';
import { StateCache } from '../command-path/state-cache';

/** Limits far above what a test fills. */
const testCache = () => new StateCache<never>({ maxStreams: 100_000, maxCommandIds: 10_000_000 });

/**
 * Invariants of the ledger, checked over random sequences of commands run
 * through the real command path (in-memory store):
 * - debits equal credits, summed apart, in every event and per currency;
 * - each wallet's journal lines add up to the balance its decider holds;
 * - no wallet's available balance is ever negative;
 * - a hold resolves at most once, and only after it was placed;
 * - the same command id twice changes nothing.
 */
const WALLETS = [
  { id: 'a', currency: 'USD' },
  { id: 'b', currency: 'USD' },
  { id: 'c', currency: 'EUR' },
];
const at = '2026-01-01T00:00:00.000Z';

const contra = fc.oneof(
  fc.constantFrom(...SYSTEM_ACCOUNTS).map((name): AccountRef => `system:${name}`),
  fc.constant<AccountRef>('transit:transfer-00000000-0000-4000-8000-000000000001'),
);
const step = fc.record({
  wallet: fc.constantFrom(...WALLETS),
  kind: fc.constantFrom(
    'Credit',
    'Debit',
    'PlaceHold',
    'CaptureHold',
    'ReleaseHold',
    'Freeze',
    'Unfreeze',
    'Repeat',
  ),
  amount: fc.bigInt({ min: 1n, max: 10_000n }),
  holdNo: fc.integer({ min: 0, max: 3 }),
  contra,
  wrongCurrency: fc.boolean(),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function toCommand(s: Step, n: number): WalletCommand | undefined {
  const base = { commandId: `cmd-${n}`, at };
  const currency = s.wrongCurrency && n % 7 === 0 ? 'JPY' : s.wallet.currency;
  const movement = {
    amountMinor: s.amount,
    currency,
    contra: s.contra,
    kind: 'adjustment' as const,
  };
  const holdId = `${s.wallet.id}-hold-${s.holdNo}`;
  switch (s.kind) {
    case 'Credit':
      return { ...base, type: 'Credit', entryId: `e-${n}`, ...movement };
    case 'Debit':
      return { ...base, type: 'Debit', entryId: `e-${n}`, ...movement };
    case 'PlaceHold':
      return { ...base, type: 'PlaceHold', holdId, ...movement };
    case 'CaptureHold':
      return { ...base, type: 'CaptureHold', holdId };
    case 'ReleaseHold':
      return { ...base, type: 'ReleaseHold', holdId };
    case 'Freeze':
      return { ...base, type: 'Freeze', reason: 'review' };
    case 'Unfreeze':
      return { ...base, type: 'Unfreeze' };
    case 'Repeat':
      return undefined;
  }
}

type Processor = Awaited<ReturnType<typeof setup>>['processor'];

async function setup() {
  const store = new InMemoryEventStore();
  const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache: testCache(),
  });
  for (const w of WALLETS) {
    await processor.execute(walletStream(w.id), {
      type: 'OpenWallet',
      commandId: `open-${w.id}`,
      at,
      walletId: w.id,
      ownerId: 'u',
      currency: w.currency,
    });
  }
  return { store, processor };
}

/** One side of a journal entry, read from the raw log as an auditor would. */
interface JournalLine {
  readonly event: string;
  readonly account: string;
  readonly currency: string;
  readonly side: 'debit' | 'credit';
  readonly amountMinor: bigint;
}

/** What one account was debited and credited in one currency, summed apart. */
interface Totals {
  debitMinor: bigint;
  creditMinor: bigint;
}

type RawEntry = { debit: string; credit: string; amountMinor: string; currency: string };

function journalLines(log: readonly RecordedEvent[]): JournalLine[] {
  return log.flatMap((e) => {
    const entry = e.data.entry as RawEntry | undefined;
    if (!entry) return [];
    const amountMinor = BigInt(entry.amountMinor);
    const line = { event: e.id, currency: entry.currency, amountMinor };
    return [
      { ...line, account: entry.debit, side: 'debit' as const },
      { ...line, account: entry.credit, side: 'credit' as const },
    ];
  });
}

function addTo(map: Map<string, Totals>, key: string, line: JournalLine): void {
  const totals = map.get(key) ?? { debitMinor: 0n, creditMinor: 0n };
  if (line.side === 'debit') totals.debitMinor += line.amountMinor;
  else totals.creditMinor += line.amountMinor;
  map.set(key, totals);
}

/**
 * Sums debits and credits apart, per account and currency, and names each
 * imbalance: within one event (every entry balances on its own), within one
 * currency over the whole log, a line that is not positive, and an event
 * that debits and credits the same account.
 */
function checkJournal(lines: readonly JournalLine[]) {
  const byAccount = new Map<string, Totals>();
  const byEvent = new Map<string, Totals>();
  const byCurrency = new Map<string, Totals>();
  const problems: string[] = [];
  for (const line of lines) {
    if (line.amountMinor <= 0n)
      problems.push(`${line.event}: ${line.side} ${line.amountMinor} ${line.currency}`);
    addTo(byAccount, `${line.account} ${line.currency}`, line);
    addTo(byEvent, `${line.event} ${line.currency}`, line);
    addTo(byCurrency, line.currency, line);
  }
  for (const [key, t] of [...byEvent, ...byCurrency]) {
    if (t.debitMinor !== t.creditMinor)
      problems.push(`${key}: debits ${t.debitMinor}, credits ${t.creditMinor}`);
  }
  const debited = new Set(
    lines.filter((l) => l.side === 'debit').map((l) => `${l.event} ${l.account}`),
  );
  for (const line of lines) {
    if (line.side === 'credit' && debited.has(`${line.event} ${line.account}`))
      problems.push(`${line.event}: ${line.account} on both sides`);
  }
  return { byAccount, problems };
}

/**
 * A wallet's balance from its journal lines (credits minus debits: wallets
 * are credit-normal) must be the balance its decider holds, in its own
 * currency only.
 */
function walletProblems(
  byAccount: ReadonlyMap<string, Totals>,
  wallets: ReadonlyArray<{ id: string; currency: string; postedMinor: bigint }>,
): string[] {
  const problems: string[] = [];
  for (const w of wallets) {
    for (const [key, t] of byAccount) {
      const [account, currency] = key.split(' ');
      if (account !== `wallet:${w.id}`) continue;
      if (currency !== w.currency) problems.push(`${key}: a ${w.currency} wallet`);
      else if (t.creditMinor - t.debitMinor !== w.postedMinor)
        problems.push(`${key}: journal ${t.creditMinor - t.debitMinor}, balance ${w.postedMinor}`);
    }
  }
  return problems;
}

/** Holds resolve once, after being placed, and no wallet's available balance is ever negative. */
function checkHoldsAndAvailable(log: readonly RecordedEvent[]): void {
  const walletNet = new Map<string, bigint>();
  const held = new Map<string, bigint>();
  const placed = new Set<string>();
  for (const e of log) {
    const entry = e.data.entry as RawEntry | undefined;
    if (entry) {
      const amount = BigInt(entry.amountMinor);
      walletNet.set(entry.credit, (walletNet.get(entry.credit) ?? 0n) + amount);
      walletNet.set(entry.debit, (walletNet.get(entry.debit) ?? 0n) - amount);
    }
    const holdKey = `${e.streamId}/${String(e.data.holdId)}`;
    if (e.type === 'HoldPlaced') {
      placed.add(holdKey);
      held.set(e.streamId, (held.get(e.streamId) ?? 0n) + BigInt(e.data.amountMinor as string));
    }
    if (e.type === 'HoldCaptured' || e.type === 'HoldReleased') {
      expect(placed.has(holdKey)).toBe(true);
      placed.delete(holdKey);
      held.set(e.streamId, (held.get(e.streamId) ?? 0n) - BigInt(e.data.amountMinor as string));
    }
    for (const w of WALLETS) {
      const posted = walletNet.get(`wallet:${w.id}`) ?? 0n;
      expect(posted - (held.get(walletStream(w.id)) ?? 0n)).toBeGreaterThanOrEqual(0n);
    }
  }
}

async function checkInvariants(store: InMemoryEventStore, processor: Processor) {
  const log = await store.readAll({ maxCount: 10_000 });
  const { byAccount, problems } = checkJournal(journalLines(log));
  expect(problems).toEqual([]);
  expect(walletProblems(byAccount, await postedBalances(processor))).toEqual([]);
  checkHoldsAndAvailable(log);
}

async function postedBalances(processor: Processor) {
  return Promise.all(
    WALLETS.map(async (w) => {
      const { state } = await processor.load(walletStream(w.id));
      if (state.status === 'unopened') throw new Error(`Wallet ${w.id} is not open`);
      return { ...w, postedMinor: state.postedMinor };
    }),
  );
}

describe('wallet invariants (property)', () => {
  it('hold after every command of any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        const { store, processor } = await setup();
        let previous: { stream: string; command: WalletCommand } | undefined;
        for (const [n, s] of steps.entries()) {
          const command = toCommand(s, n);
          if (!command && previous) {
            // The same command id twice changes nothing.
            const before = (await store.readAll()).length;
            const outcome = await processor.execute(previous.stream, previous.command);
            expect((await store.readAll()).length).toBe(before);
            if (outcome.ok) expect(outcome.events).toHaveLength(0);
            continue;
          }
          if (!command) continue;
          await processor.execute(walletStream(s.wallet.id), command);
          previous = { stream: walletStream(s.wallet.id), command };
        }
        await checkInvariants(store, processor);
        // The decider's state equals a recomputation from the log.
        for (const w of WALLETS) {
          const state = await processor.load(walletStream(w.id));
          const events = await store.readStream(walletStream(w.id));
          const replayed = events
            .map(walletAggregate.decode)
            .reduce(walletAggregate.evolve, walletAggregate.initialState);
          expect(state.state).toEqual(replayed);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('journal check', () => {
  const line = (event: string, side: 'debit' | 'credit', account: string, amountMinor: bigint) => ({
    event,
    side,
    account,
    currency: 'USD',
    amountMinor,
  });

  it('names an entry whose debits and credits differ, and one that moves nothing', () => {
    const { problems } = checkJournal([
      line('e-1', 'debit', 'system:adjustments', 100n),
      line('e-1', 'credit', 'wallet:a', 100n),
      line('e-2', 'debit', 'wallet:a', 100n),
      line('e-2', 'credit', 'system:fees', 90n),
      line('e-3', 'debit', 'wallet:a', 0n),
      line('e-3', 'credit', 'wallet:a', 0n),
    ]);
    expect(problems).toEqual([
      'e-3: debit 0 USD',
      'e-3: credit 0 USD',
      'e-2 USD: debits 100, credits 90',
      'USD: debits 200, credits 190',
      'e-3: wallet:a on both sides',
    ]);
  });

  it('names a wallet whose entries disagree with its balance', async () => {
    const { store, processor } = await setup();
    const outcome = await processor.execute(walletStream('a'), {
      type: 'Credit',
      commandId: 'fund',
      at,
      entryId: 'fund',
      amountMinor: 100n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    expect(outcome.ok).toBe(true);
    const log = await store.readAll();
    const balances = await postedBalances(processor);
    expect(walletProblems(checkJournal(journalLines(log)).byAccount, balances)).toEqual([]);

    // The same credit with its entry's sides swapped still balances, but not the wallet.
    const swapped = log.map((e) => {
      const entry = e.data.entry as RawEntry | undefined;
      if (!entry) return e;
      return {
        ...e,
        data: { ...e.data, entry: { ...entry, debit: entry.credit, credit: entry.debit } },
      };
    });
    const { byAccount, problems } = checkJournal(journalLines(swapped));
    expect(problems).toEqual([]);
    expect(walletProblems(byAccount, balances)).toEqual([
      'wallet:a USD: journal -100, balance 100',
    ]);
  });
});
