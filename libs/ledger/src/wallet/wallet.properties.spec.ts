import fc from 'fast-check';
import { InMemoryEventStore } from '@ledger/testing';
import { AppendBatcher } from '../command-path/append-batcher';
import { CommandProcessor } from '../command-path/command-processor';
import { SYSTEM_ACCOUNTS, type AccountRef } from '../accounts';
import type { WalletCommand } from './wallet.commands';
import { walletAggregate } from './wallet.aggregate';
import { walletStream } from './wallet.events';

/**
 * Invariants of the ledger, checked over random sequences of commands run
 * through the real command path (in-memory store):
 * - debits equal credits per currency after every single event;
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

async function setup() {
  const store = new InMemoryEventStore();
  const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store));
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

async function checkInvariants(store: InMemoryEventStore) {
  const log = await store.readAll({ maxCount: 10_000 });
  const net = new Map<string, bigint>(); // currency → Σ credits − Σ debits over all accounts
  const walletNet = new Map<string, bigint>();
  const held = new Map<string, bigint>();
  const resolved = new Set<string>();
  const placed = new Set<string>();
  for (const e of log) {
    const entry = e.data.entry as
      { debit: string; credit: string; amountMinor: string; currency: string } | undefined;
    if (entry) {
      const amount = BigInt(entry.amountMinor);
      // Each event moves the same amount out of one account and into another.
      net.set(entry.currency, (net.get(entry.currency) ?? 0n) + amount - amount);
      walletNet.set(entry.credit, (walletNet.get(entry.credit) ?? 0n) + amount);
      walletNet.set(entry.debit, (walletNet.get(entry.debit) ?? 0n) - amount);
      expect(entry.debit).not.toBe(entry.credit);
    }
    const holdKey = `${e.streamId}/${String(e.data.holdId)}`;
    if (e.type === 'HoldPlaced') {
      placed.add(holdKey);
      held.set(e.streamId, (held.get(e.streamId) ?? 0n) + BigInt(e.data.amountMinor as string));
    }
    if (e.type === 'HoldCaptured' || e.type === 'HoldReleased') {
      expect(placed.has(holdKey)).toBe(true);
      expect(resolved.has(`${holdKey}@${String(e.data.at)}#${e.revision}`)).toBe(false);
      placed.delete(holdKey);
      resolved.add(`${holdKey}@${String(e.data.at)}#${e.revision}`);
      held.set(e.streamId, (held.get(e.streamId) ?? 0n) - BigInt(e.data.amountMinor as string));
    }
    for (const w of WALLETS) {
      const posted = walletNet.get(`wallet:${w.id}`) ?? 0n;
      expect(posted - (held.get(walletStream(w.id)) ?? 0n)).toBeGreaterThanOrEqual(0n);
    }
  }
  for (const value of net.values()) expect(value).toBe(0n);
  let total = 0n;
  for (const value of walletNet.values()) total += value;
  expect(total).toBe(0n);
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
        await checkInvariants(store);
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

describe('command path', () => {
  it('decides concurrent commands for one wallet together, each with its own outcome', async () => {
    const { store, processor } = await setup();
    await processor.execute(walletStream('a'), {
      type: 'Credit',
      commandId: 'fund',
      at,
      entryId: 'fund',
      amountMinor: 100n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    const callsBefore = store.appendCalls;
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        processor.execute(walletStream('a'), {
          type: 'Debit',
          commandId: `d${i}`,
          at,
          entryId: `d${i}`,
          amountMinor: 10n,
          currency: 'USD',
          contra: 'system:fees',
          kind: 'adjustment',
        }),
      ),
    );
    // Exactly ten debits of 10 fit in 100; the rest are refused, not lost.
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    expect(outcomes.filter((o) => !o.ok && o.rejection === 'exceeds_available')).toHaveLength(20);
    expect(store.appendCalls - callsBefore).toBeLessThan(30);
  });

  it('recovers from another process writing the same stream', async () => {
    const { store, processor } = await setup();
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store));
    const credit = (id: string): WalletCommand => ({
      type: 'Credit',
      commandId: id,
      at,
      entryId: id,
      amountMinor: 1n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    await processor.load(walletStream('a'));
    await other.execute(walletStream('a'), credit('from-other'));
    const outcome = await processor.execute(walletStream('a'), credit('from-this'));
    expect(outcome.ok).toBe(true);
    const state = await processor.load(walletStream('a'));
    expect(state.state.status !== 'unopened' && state.state.postedMinor).toBe(2n);
  });

  it('never replays a long wallet from its first event again: the cache reads only what is new', async () => {
    const { store, processor } = await setup();
    const credit = (id: string): WalletCommand => ({
      type: 'Credit',
      commandId: id,
      at,
      entryId: id,
      amountMinor: 1n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    // 25,000 events written by "another process", so this one must read them once.
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store));
    for (let chunk = 0; chunk < 5; chunk++) {
      await Promise.all(
        Array.from({ length: 5_000 }, (_, i) =>
          other.execute(walletStream('b'), credit(`seed-${chunk}-${i}`)),
        ),
      );
    }
    store.streamEventsRead = 0;
    await processor.execute(walletStream('b'), credit('first'));
    // This process opened the wallet, so it reads the 25,000 events after its own.
    expect(store.streamEventsRead).toBe(25_000);
    store.streamEventsRead = 0;
    for (let i = 0; i < 50; i++) await processor.execute(walletStream('b'), credit(`next-${i}`));
    expect(store.streamEventsRead).toBe(0);
    await other.execute(walletStream('b'), credit('from-other-again'));
    store.streamEventsRead = 0;
    await processor.execute(walletStream('b'), credit('after-other'));
    // One conflict: catch up reads just the one new event, never the 25,000 before it.
    expect(store.streamEventsRead).toBe(1);
    const state = await processor.load(walletStream('b'));
    expect(state.state.status !== 'unopened' && state.state.postedMinor).toBe(25_053n);
  });
});
