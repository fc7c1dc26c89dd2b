import { MAX_READ_COUNT } from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import { initialWallet, type Wallet } from '../wallet/wallet.decider';
import { walletStream } from '../wallet/wallet.events';
import { AppendBatcher } from './append-batcher';
import { CommandProcessor } from './command-processor';
import { StateCache, type StateCacheOptions } from './state-cache';
import { readStateCacheOptions } from '../nest/state-cache.config';

const at = '2026-01-01T00:00:00.000Z';

function setup(options: StateCacheOptions) {
  const store = new InMemoryEventStore();
  const cache = new StateCache<Wallet>(options);
  const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache,
  });
  const run = async (walletId: string, command: WalletCommand) => {
    const outcome = await processor.execute(walletStream(walletId), command);
    if (!outcome.ok) throw new Error(`refused: ${outcome.rejection}`);
    return outcome;
  };
  const open = (walletId: string) =>
    run(walletId, {
      type: 'OpenWallet',
      commandId: `open-${walletId}`,
      at,
      walletId,
      ownerId: 'owner',
      currency: 'EUR',
    });
  const credit = (walletId: string, n: number, amountMinor: bigint): WalletCommand => ({
    type: 'Credit',
    commandId: `${walletId}-credit-${n}`,
    entryId: `${walletId}-entry-${n}`,
    at,
    amountMinor,
    currency: 'EUR',
    contra: 'system:card_clearing',
    kind: 'top_up',
  });
  /** The wallet folded from its first event: what the cache must agree with. */
  const replay = async (walletId: string) => {
    const events = await store.readStream(walletStream(walletId), { maxCount: MAX_READ_COUNT });
    return events
      .map((e) => walletAggregate.decode(e))
      .reduce((wallet, event) => walletAggregate.evolve(wallet, event), initialWallet);
  };
  return { store, cache, processor, run, open, credit, replay };
}

describe('StateCache', () => {
  it('keeps at most maxStreams wallets, dropping the least recently used', async () => {
    const t = setup({ maxStreams: 2, maxCommandIds: 1_000_000 });
    for (const id of ['a', 'b', 'c']) await t.open(id);
    expect(t.cache.size).toBe(2);
    expect(t.cache.evictions).toBe(1);
    expect(t.cache.get(walletStream('a'))).toBeUndefined();
    expect(t.cache.get(walletStream('c'))?.revision).toBe(0n);
  });

  it('re-reads an evicted wallet from the store, equal to a full replay', async () => {
    const t = setup({ maxStreams: 1, maxCommandIds: 1_000_000 });
    await t.open('a');
    await t.run('a', t.credit('a', 1, 500n));
    await t.open('b');
    expect(t.cache.get(walletStream('a'))).toBeUndefined();

    const readBefore = t.store.streamEventsRead;
    const outcome = await t.run('a', t.credit('a', 2, 250n));
    // The whole stream was read back: the open and the first credit.
    expect(t.store.streamEventsRead - readBefore).toBe(2);
    expect(outcome.revision).toBe(2n);
    const loaded = await t.processor.load(walletStream('a'));
    expect(loaded.state).toEqual(await t.replay('a'));
    expect(loaded.state).toMatchObject({ status: 'open', postedMinor: 750n });
  });

  it('still answers a repeated command as a duplicate after its wallet was evicted', async () => {
    const t = setup({ maxStreams: 1, maxCommandIds: 1_000_000 });
    await t.open('a');
    const first = await t.run('a', t.credit('a', 1, 500n));
    await t.open('b');
    const again = await t.run('a', t.credit('a', 1, 500n));
    expect(again).toMatchObject({ duplicate: true, revision: first.revision });
    expect(await t.replay('a')).toMatchObject({ postedMinor: 500n });
  });

  it('drops least recently used wallets once the remembered command ids pass their limit', async () => {
    const t = setup({ maxStreams: 100, maxCommandIds: 5 });
    await t.open('a');
    await t.run('a', t.credit('a', 1, 1n));
    await t.run('a', t.credit('a', 2, 1n));
    await t.open('b');
    expect(t.cache.size).toBe(2);
    expect(t.cache.rememberedCommandIds).toBe(4);
    await t.run('b', t.credit('b', 1, 1n));
    await t.run('b', t.credit('b', 2, 1n));
    expect(t.cache.get(walletStream('a'))).toBeUndefined();
    expect(t.cache.rememberedCommandIds).toBe(3);
    expect((await t.processor.load(walletStream('a'))).state).toEqual(await t.replay('a'));
  });

  it('never lets one wallet remember more ids than the whole budget', async () => {
    const t = setup({ maxStreams: 100_000, maxCommandIds: 2 });
    await t.open('a');
    for (let n = 1; n <= 4; n++) await t.run('a', t.credit('a', n, 1n));
    expect(t.cache.size).toBe(1);
    expect(t.cache.rememberedCommandIds).toBe(2);
  });
});

describe('readStateCacheOptions', () => {
  it('reads both limits and refuses a value out of range', () => {
    expect(
      readStateCacheOptions({
        LEDGER_STATE_CACHE_ENTRIES: '10',
        LEDGER_STATE_CACHE_COMMAND_IDS: '20',
      }),
    ).toEqual({ maxStreams: 10, maxCommandIds: 20 });
    expect(() => readStateCacheOptions({ LEDGER_STATE_CACHE_ENTRIES: '0' })).toThrow(
      /LEDGER_STATE_CACHE_ENTRIES/,
    );
  });
});
