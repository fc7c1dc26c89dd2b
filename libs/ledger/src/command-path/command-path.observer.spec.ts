import { InMemoryEventStore } from '@ledger/testing';
import { walletAggregate } from '../wallet/wallet.aggregate';
import type { WalletCommand } from '../wallet/wallet.commands';
import { walletStream } from '../wallet/wallet.events';
import { AppendBatcher } from './append-batcher';
import { observeCommandPath, type CommandOutcomeLabel } from './command-path.observer';
import { CommandProcessor } from './command-processor';
import { StateCache } from './state-cache';

/** Limits far above what a test fills. */
const testCache = () => new StateCache<never>({ maxStreams: 100_000, maxCommandIds: 10_000_000 });

const at = '2026-01-01T00:00:00.000Z';

/** What the command path reports to the metrics observer. */
describe('command path observer', () => {
  const outcomes: CommandOutcomeLabel[] = [];
  const batches: Array<{ size: number; failed: boolean }> = [];
  let retries = 0;

  beforeEach(() => {
    outcomes.length = 0;
    batches.length = 0;
    retries = 0;
    observeCommandPath({
      commandFinished: (outcome) => outcomes.push(outcome),
      conflictRetried: () => retries++,
      appendBatch: (size, _seconds, failed) => batches.push({ size, failed }),
    });
  });
  afterAll(() => observeCommandPath(undefined));

  const open: WalletCommand = {
    type: 'OpenWallet',
    commandId: 'open-a',
    at,
    walletId: 'a',
    ownerId: 'u',
    currency: 'USD',
  };
  const debit = (id: string): WalletCommand => ({
    type: 'Debit',
    commandId: id,
    at,
    entryId: id,
    amountMinor: 10n,
    currency: 'USD',
    contra: 'system:fees',
    kind: 'adjustment',
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

  it('reports each outcome, the group-commit batches and conflict retries', async () => {
    const store = new InMemoryEventStore();
    const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    const other = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
      cache: testCache(),
    });
    await processor.execute(walletStream('a'), open);
    expect(await processor.execute(walletStream('a'), debit('d1'))).toMatchObject({ ok: false });
    expect(outcomes).toEqual(['accepted', 'rejected']);
    expect(batches).toEqual([{ size: 1, failed: false }]);

    // Another writer appends after this processor cached the stream: one retry.
    await processor.load(walletStream('a'));
    await other.execute(walletStream('a'), credit('from-other'));
    expect(await processor.execute(walletStream('a'), credit('from-this'))).toMatchObject({
      ok: true,
    });
    expect(retries).toBe(1);
    expect(outcomes.slice(2)).toEqual(['accepted', 'accepted']);
  });
});
