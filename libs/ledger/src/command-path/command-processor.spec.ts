import { InMemoryEventStore } from '@ledger/testing';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import { walletStream } from '../wallet/wallet.events';
import { AppendBatcher } from './append-batcher';
import { CommandProcessor } from './command-processor';
import { StateCache } from './state-cache';

/** Limits far above what a test fills. */
const testCache = () => new StateCache<never>({ maxStreams: 100_000, maxCommandIds: 10_000_000 });

/** The wallet command path: coalescing, conflicts with other processes, the state cache. */
const at = '2026-01-01T00:00:00.000Z';

async function setup() {
  const store = new InMemoryEventStore();
  const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache: testCache(),
  });
  for (const id of ['a', 'b']) {
    await processor.execute(walletStream(id), {
      type: 'OpenWallet',
      commandId: `open-${id}`,
      at,
      walletId: id,
      ownerId: 'u',
      currency: 'USD',
    });
  }
  return { store, processor };
}

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
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
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

  it('refuses only on the latest state: a credit another process wrote covers the hold', async () => {
    const { store, processor } = await setup();
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    // This process holds the wallet in its cache with nothing on it.
    await processor.load(walletStream('a'));
    await other.execute(walletStream('a'), {
      type: 'Credit',
      commandId: 'fund-elsewhere',
      at,
      entryId: 'fund-elsewhere',
      amountMinor: 500n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    const hold = await processor.execute(walletStream('a'), {
      type: 'PlaceHold',
      commandId: 'hold',
      at,
      holdId: 'hold',
      amountMinor: 300n,
      currency: 'USD',
      contra: 'system:payouts_clearing',
      kind: 'withdrawal',
    });
    expect(hold.ok).toBe(true);
    const refused = await processor.execute(walletStream('a'), {
      type: 'PlaceHold',
      commandId: 'too-much',
      at,
      holdId: 'too-much',
      amountMinor: 300n,
      currency: 'USD',
      contra: 'system:payouts_clearing',
      kind: 'withdrawal',
    });
    expect(refused).toEqual({ ok: false, rejection: 'exceeds_available' });
  });

  it('keeps its cache right when another process made the same command first, after writes this one missed', async () => {
    const { store, processor } = await setup();
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const credit = (id: string, amountMinor: bigint): WalletCommand => ({
      type: 'Credit',
      commandId: id,
      at,
      entryId: id,
      amountMinor,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    // This process caches the wallet; the other funds it, holds, and runs a credit both will run.
    await processor.load(walletStream('a'));
    await other.execute(walletStream('a'), credit('fund', 500n));
    await other.execute(walletStream('a'), {
      type: 'PlaceHold',
      commandId: 'hold',
      at,
      holdId: 'hold',
      amountMinor: 300n,
      currency: 'USD',
      contra: 'system:payouts_clearing',
      kind: 'withdrawal',
    });
    await other.execute(walletStream('a'), credit('same-step', 7n));
    // The store answers this process's append of the same events as a retry.
    expect((await processor.execute(walletStream('a'), credit('same-step', 7n))).ok).toBe(true);
    const capture = await processor.execute(walletStream('a'), {
      type: 'CaptureHold',
      commandId: 'capture',
      at,
      holdId: 'hold',
    });
    expect(capture.ok).toBe(true);
    const { state } = await processor.load(walletStream('a'), 'latest');
    expect(state).toMatchObject({ postedMinor: 207n, heldMinor: 0n });
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
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
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

  it('appends to a stream presumed new without reading it, and verifies the presumption', async () => {
    const store = new InMemoryEventStore();
    const reads = jest.spyOn(store, 'readStream');
    const open = (commandId: string, ownerId: string): WalletCommand => ({
      type: 'OpenWallet',
      commandId,
      at,
      walletId: 'n',
      ownerId,
      currency: 'USD',
    });
    const first = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const opened = await first.execute(
      walletStream('n'),
      open('open-n', 'u'),
      {},
      { presumeNew: true },
    );
    expect(opened.ok).toBe(true);
    expect(reads).not.toHaveBeenCalled();

    // Another process, which has not cached the stream, wrongly presumes it new:
    // the append conflicts, the command is decided on the stream as read, and
    // nothing is written twice.
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const again = await other.execute(
      walletStream('n'),
      open('open-n-2', 'v'),
      {},
      { presumeNew: true },
    );
    expect(again).toEqual({ ok: false, rejection: 'wallet_already_exists' });
    expect(reads).toHaveBeenCalled();
    const retried = await new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    }).execute(walletStream('n'), open('open-n', 'u'), {}, { presumeNew: true });
    expect(retried.ok).toBe(true);
    const events = await store.readStream(walletStream('n'));
    expect(events.map((e) => e.type)).toEqual(['WalletOpened']);
    const state = (await other.load(walletStream('n'))).state;
    expect(state.status !== 'unopened' && state.ownerId).toBe('u');
  });

  it('acts on events the log delivered without reading the stream, and reads what a gap left out', async () => {
    const store = new InMemoryEventStore();
    const writer = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const credit = (id: string): WalletCommand => ({
      type: 'Credit',
      commandId: id,
      at,
      entryId: id,
      amountMinor: 5n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    const stream = walletStream('w');
    await writer.execute(stream, {
      type: 'OpenWallet',
      commandId: 'open-w',
      at,
      walletId: 'w',
      ownerId: 'u',
      currency: 'USD',
    });
    await writer.execute(stream, credit('c1'));
    const reader = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const reads = jest.spyOn(store, 'readStream');
    const log = await store.readAll();
    reader.observe(stream, log);
    // Delivered twice (a batch read again after a restart): folded once.
    reader.observe(stream, log);
    const seen = await reader.load(stream, 1n);
    expect(seen.revision).toBe(1n);
    expect(seen.state.status !== 'unopened' && seen.state.postedMinor).toBe(5n);
    // A command already in the events it was given is recognised, and a new one
    // is appended at the revision they end at, all without a read.
    expect(await reader.execute(stream, credit('c1'))).toMatchObject({ ok: true, duplicate: true });
    expect(await reader.execute(stream, credit('c2'))).toMatchObject({ ok: true, revision: 2n });
    expect(reads).not.toHaveBeenCalled();

    // Past a gap nothing is folded: the load reads what it lacks.
    await writer.execute(stream, credit('c3'));
    await writer.execute(stream, credit('c4'));
    const latest = (await store.readAll()).at(-1);
    reader.observe(stream, latest ? [latest] : []);
    const caught = await reader.load(stream, 4n);
    expect(reads).toHaveBeenCalled();
    expect(caught.revision).toBe(4n);
    expect(caught.state.status !== 'unopened' && caught.state.postedMinor).toBe(20n);

    // A stream not cached is taken only from its first event.
    const late = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    late.observe(stream, (await store.readAll()).slice(1));
    reads.mockClear();
    expect((await late.load(stream, 1n)).revision).toBe(4n);
    expect(reads).toHaveBeenCalled();

    // A state the caller would rather read than act on is not kept.
    const choosy = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    choosy.observe(stream, await store.readAll(), () => false);
    reads.mockClear();
    expect((await choosy.load(stream, 4n)).revision).toBe(4n);
    expect(reads).toHaveBeenCalled();
  });
});
