import { InMemoryEventStore } from '@ledger/testing';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import { walletStream } from '../wallet/wallet.events';
import { AppendBatcher } from './append-batcher';
import { CommandProcessor } from './command-processor';
import { ReadBatcher } from './read-batcher';
import { StateCache } from './state-cache';

/** The cold reads of concurrent commands: one batched read, each answer its own stream's. */
const at = '2026-01-01T00:00:00.000Z';
const testCache = () => new StateCache<never>({ maxStreams: 100_000, maxCommandIds: 10_000_000 });

function processorOver(store: InMemoryEventStore, reads?: ReadBatcher) {
  return new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache: testCache(),
    ...(reads && { reads }),
  });
}

const open = (id: string): WalletCommand => ({
  type: 'OpenWallet',
  commandId: `open-${id}`,
  at,
  walletId: id,
  ownerId: 'u',
  currency: 'USD',
});

const move = (type: 'Credit' | 'Debit', id: string, amountMinor: bigint): WalletCommand => ({
  type,
  commandId: id,
  at,
  entryId: id,
  amountMinor,
  currency: 'USD',
  contra: 'system:adjustments',
  kind: 'adjustment',
});

async function seeded(wallets: readonly string[], creditsEach: number) {
  const store = new InMemoryEventStore();
  const writer = processorOver(store);
  for (const id of wallets) {
    await writer.execute(walletStream(id), open(id));
    for (let n = 0; n < creditsEach; n++)
      await writer.execute(walletStream(id), move('Credit', `${id}-c${n}`, 10n));
  }
  return store;
}

describe('read batcher', () => {
  it('reads the streams of concurrent cold commands in one call, each deciding on its own stream', async () => {
    const wallets = Array.from({ length: 20 }, (_, i) => `w${i}`);
    const store = await seeded(wallets, 3);
    const cold = processorOver(store);
    const callsBefore = store.readStreamsCalls;
    // Each wallet holds exactly 30: a debit of 30 passes only on the whole stream, 31 never.
    const outcomes = await Promise.all(
      wallets.map((id, i) =>
        cold.execute(walletStream(id), move('Debit', `${id}-d`, i % 2 === 0 ? 30n : 31n)),
      ),
    );
    // One read for all twenty, and one for the ten refused, which decide again on the stream as it is now.
    expect(store.readStreamsCalls - callsBefore).toBe(2);
    outcomes.forEach((outcome, i) => {
      if (i % 2 === 0) expect(outcome).toMatchObject({ ok: true, revision: 4n });
      else expect(outcome).toMatchObject({ ok: false, rejection: 'exceeds_available' });
    });
  });

  it('reads on past the first page of a long stream before deciding', async () => {
    const store = await seeded(['long', 'short'], 7);
    const cold = processorOver(store, new ReadBatcher(store, { pageSize: 2 }));
    const [long, short] = await Promise.all([
      cold.execute(walletStream('long'), move('Debit', 'long-d', 70n)),
      cold.execute(walletStream('short'), move('Debit', 'short-d', 71n)),
    ]);
    // Eight events each (opened, seven credits of 10): the debit is appended after all of them.
    expect(long).toMatchObject({ ok: true, revision: 8n });
    expect(short).toMatchObject({ ok: false, rejection: 'exceeds_available' });
  });

  it('fails every command of a batch whose read fails, and reads again for the next', async () => {
    const store = await seeded(['x', 'y'], 1);
    const cold = processorOver(store);
    const outage = jest
      .spyOn(store, 'readStreams')
      .mockRejectedValueOnce(new Error('connection lost'));
    const failed = await Promise.allSettled([
      cold.execute(walletStream('x'), move('Debit', 'x-d1', 10n)),
      cold.execute(walletStream('y'), move('Debit', 'y-d1', 10n)),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    outage.mockRestore();
    const retried = await Promise.all([
      cold.execute(walletStream('x'), move('Debit', 'x-d1', 10n)),
      cold.execute(walletStream('y'), move('Debit', 'y-d1', 10n)),
    ]);
    expect(retried).toEqual([
      expect.objectContaining({ ok: true, revision: 2n }),
      expect.objectContaining({ ok: true, revision: 2n }),
    ]);
  });
});
