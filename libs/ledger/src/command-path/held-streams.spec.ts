import { InMemoryEventStore } from '@ledger/testing';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { Wallet } from '../wallet/wallet.decider';
import { walletStream } from '../wallet/wallet.events';
import { AppendBatcher } from './append-batcher';
import { CommandProcessor } from './command-processor';
import { StateCache } from './state-cache';

/** Several wallets held together: decided on their states, appended in one group, all or none. */
const at = '2026-01-01T00:00:00.000Z';

const entry =
  (type: 'Credit' | 'Debit') =>
  (commandId: string, amountMinor: bigint): WalletCommand => ({
    type,
    commandId,
    at,
    entryId: commandId,
    amountMinor,
    currency: 'USD',
    contra: 'system:adjustments',
    kind: 'adjustment',
  });
const credit = entry('Credit');
const debit = entry('Debit');

function processorOver(store: InMemoryEventStore) {
  return new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache: new StateCache<Wallet>({ maxStreams: 1_000, maxCommandIds: 100_000 }),
  });
}

async function setup() {
  const store = new InMemoryEventStore();
  const processor = processorOver(store);
  for (const id of ['a', 'b', 'c']) {
    const open: WalletCommand = {
      type: 'OpenWallet',
      commandId: `open-${id}`,
      at,
      walletId: id,
      ownerId: 'u',
      currency: 'USD',
    };
    await processor.execute(walletStream(id), open);
    await processor.execute(walletStream(id), credit(`fund-${id}`, 100n));
  }
  return { store, processor };
}

const [A, B, C] = ['a', 'b', 'c'].map(walletStream) as [string, string, string];
const posted = async (processor: ReturnType<typeof processorOver>, stream: string) => {
  const { state } = await processor.load(stream, 'latest');
  return state.status === 'unopened' ? undefined : state.postedMinor;
};

describe('held streams', () => {
  it('decides on several streams and appends them in one group of one call', async () => {
    const { store, processor } = await setup();
    const calls = store.appendCalls;
    const results = await processor.together([B, A], async (held) => {
      expect(typeof held.decide(A, debit('move-out', 40n), {})).not.toBe('string');
      expect(typeof held.decide(A, debit('move-out-2', 10n), {})).not.toBe('string');
      expect(typeof held.decide(B, credit('move-in', 50n), {})).not.toBe('string');
      return held.commit([]);
    });
    expect(results).toHaveLength(2);
    expect(store.appendCalls).toBe(calls + 1);
    const [a, b] = await Promise.all([A, B].map((s) => store.readStream(s)));
    expect(a?.map((e) => e.type).slice(-2)).toEqual(['WalletDebited', 'WalletDebited']);
    expect(b?.at(-1)?.type).toBe('WalletCredited');
    // Both positions are of one transaction.
    expect(a?.at(-1)?.position.commit).toBe(b?.at(-1)?.position.commit);
    // The cache holds what the group wrote: the next decision reads nothing.
    const read = store.streamEventsRead;
    expect((await processor.execute(A, debit('after', 50n))).ok).toBe(true);
    expect(store.streamEventsRead).toBe(read);
    expect(await posted(processorOver(store), A)).toBe(0n);
    expect(await posted(processorOver(store), B)).toBe(150n);
  });

  it('makes a command for a held stream wait until the group is written, and decide on it', async () => {
    const { processor } = await setup();
    let queued: Promise<unknown> | undefined;
    let settledWhileHeld = false;
    await processor.together([A, B], async (held) => {
      held.decide(A, debit('held-out', 100n), {});
      held.decide(B, credit('held-in', 100n), {});
      queued = processor.execute(A, debit('queued', 1n)).finally(() => (settledWhileHeld = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settledWhileHeld).toBe(false);
      return held.commit([]);
    });
    // Decided after the group: the balance the group left (0) refuses it.
    await expect(queued).resolves.toEqual({ ok: false, rejection: 'exceeds_available' });
  });

  it('takes overlapping holds in one instant, so opposite directions never deadlock', async () => {
    const { processor } = await setup();
    const move = (from: string, to: string, id: string) =>
      processor.together([from, to], async (held) => {
        held.decide(from, debit(`${id}-out`, 10n), {});
        held.decide(to, credit(`${id}-in`, 10n), {});
        await new Promise((resolve) => setImmediate(resolve));
        return held.commit([]);
      });
    const outcomes = await Promise.all([
      move(A, B, 'ab'),
      move(B, A, 'ba'),
      move(B, C, 'bc'),
      move(C, A, 'ca'),
    ]);
    expect(outcomes.every((results) => results?.length === 2)).toBe(true);
    expect(await posted(processor, A)).toBe(110n);
    expect(await posted(processor, B)).toBe(90n);
    expect(await posted(processor, C)).toBe(100n);
  });

  it('writes nothing when another writer moved one of the streams, and reads it again after', async () => {
    const { store, processor } = await setup();
    await processor.load(A);
    await processorOver(store).execute(A, credit('elsewhere', 5n));
    const results = await processor.together([A, B], async (held) => {
      held.decide(A, debit('stale-out', 10n), {});
      held.decide(B, credit('stale-in', 10n), {});
      return held.commit([]);
    });
    expect(results).toBeUndefined();
    expect(await posted(processorOver(store), B)).toBe(100n);
    // The stale entry is read again: the other writer's credit is seen.
    expect(await posted(processor, A)).toBe(105n);
    expect((await store.readStream(B)).length).toBe(2);
  });

  it('answers a refusal, a command already seen and a stream not held without writing', async () => {
    const { store, processor } = await setup();
    const calls = store.appendCalls;
    await processor.together([A], async (held) => {
      expect(held.decide(A, debit('too-much', 1_000n), {})).toBe('exceeds_available');
      expect(held.decide(A, credit('fund-a', 100n), {})).toBe('duplicate');
      expect(held.decide(B, credit('not-held', 1n), {})).toBe('not_held');
    });
    expect(store.appendCalls).toBe(calls);
  });

  it('makes a group wait for the one ahead of it on a shared stream, and decide on what it wrote', async () => {
    const { store, processor } = await setup();
    const calls = store.appendCalls;
    const move = (to: string, id: string) =>
      processor.together([A, to], async (held) => {
        const decided = held.decide(A, debit(`${id}-out`, 60n), {});
        if (typeof decided === 'string') return decided;
        held.decide(to, credit(`${id}-in`, 60n), {});
        return held.commit([]);
      });
    const [first, second] = await Promise.all([move(B, 'one'), move(C, 'two')]);
    expect(first).toHaveLength(2);
    // Decided on the 40 the first group left, not on the 100 before it.
    expect(second).toBe('exceeds_available');
    expect(store.appendCalls).toBe(calls + 1);
    expect(await posted(processorOver(store), A)).toBe(40n);
    expect(await posted(processorOver(store), C)).toBe(100n);
  });

  it('decides a group behind a refused one on the stream as the store holds it', async () => {
    const { store, processor } = await setup();
    await processor.load(A);
    await processorOver(store).execute(A, credit('elsewhere', 5n));
    const move = (to: string, id: string) =>
      processor.together([A, to], async (held) => {
        held.decide(A, debit(`${id}-out`, 10n), {});
        held.decide(to, credit(`${id}-in`, 10n), {});
        return held.commit([]);
      });
    const [refused, written] = await Promise.all([move(B, 'one'), move(C, 'two')]);
    expect(refused).toBeUndefined();
    expect(written).toHaveLength(2);
    expect((await store.readStream(B)).length).toBe(2);
    expect(await posted(processorOver(store), A)).toBe(95n);
    expect(await posted(processorOver(store), C)).toBe(110n);
    expect(await posted(processor, A)).toBe(95n);
  });
});
