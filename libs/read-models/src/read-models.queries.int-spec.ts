import { randomUUID } from 'node:crypto';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { accountBalances, type AccountBalance } from './account-balances/account-balances.query';
import { trialBalance } from './account-balances/trial-balance.query';
import type { Page } from './paging';
import { ProjectionRunner } from './projector';
import { ReadModelsProjector } from './read-models.projector';
import { WalletDriver } from './testing/wallet.driver';
import {
  getWallet,
  listWallets,
  type WalletBalance,
} from './wallet-balances/wallet-balances.query';
import {
  walletHistory,
  type HistoryEntry,
  type WalletHistoryQuery,
} from './wallet-history/wallet-history.query';

function page<T>(result: Page<T> | string): Page<T> {
  if (typeof result === 'string') throw new Error(`Unexpected problem ${result}`);
  return result;
}

describe.each(databaseFactories())('read-model queries on $name', (factory) => {
  let t: TestDatabase;
  let driver: WalletDriver;
  const owner = `owner-${randomUUID()}`;
  const wallet = randomUUID();
  const other = randomUUID();
  const transfer = `transfer-${randomUUID()}`;
  let middleAt: Date;

  beforeAll(async () => {
    t = await factory.create();
    const store = new SqlEventStore(t.db);
    driver = new WalletDriver(store);
    await driver.open(wallet, owner);
    await driver.open(other, owner, 'JPY');
    for (let i = 1; i <= 7; i++)
      await driver.credit(wallet, BigInt(i * 100), { description: `top-up ${i}` });
    middleAt = new Date(driver.tick());
    await driver.hold(wallet, 'h-1', 250n, {
      contra: `transit:${transfer}`,
      kind: 'transfer',
      movementId: transfer,
    });
    await driver.must(wallet, { type: 'CaptureHold', holdId: 'h-1', ...driver.base() });
    await driver.hold(wallet, 'h-2', 50n, {
      kind: 'withdrawal',
      contra: 'system:payouts_clearing',
    });
    await driver.must(wallet, { type: 'Freeze', reason: 'review', ...driver.base() });
    await driver.credit(other, 900n);
    await driver.settled();
    await new ProjectionRunner(t.db, store, new ReadModelsProjector(), { batchSize: 4 }).catchUp();
  });
  afterAll(() => t.drop());

  it('returns a wallet with its balances as bigints', async () => {
    expect(await getWallet(t.db, wallet)).toMatchObject<Partial<WalletBalance>>({
      walletId: wallet,
      ownerId: owner,
      currency: 'USD',
      status: 'frozen',
      creditsMinor: 2_800n,
      debitsMinor: 250n,
      postedMinor: 2_550n,
      heldMinor: 50n,
      availableMinor: 2_500n,
      revision: 11n,
    });
    expect(await getWallet(t.db, randomUUID())).toBeUndefined();
  });

  it("lists an owner's wallets a page at a time", async () => {
    const first = page(await listWallets(t.db, { ownerId: owner, limit: 1 }));
    expect(first.items).toHaveLength(1);
    const second = page(
      await listWallets(t.db, { ownerId: owner, limit: 1, cursor: first.nextCursor }),
    );
    expect(second.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items].map((w) => w.walletId).sort()).toEqual(
      [wallet, other].sort(),
    );
    expect(await listWallets(t.db, { limit: 201 })).toBe('invalid_limit');
    expect(await listWallets(t.db, { cursor: 'not-a-cursor' })).toBe('invalid_cursor');
  });

  async function allHistory(query: WalletHistoryQuery): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const result = page(await walletHistory(t.db, wallet, { ...query, cursor }));
      entries.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) return entries;
    }
    throw new Error('History did not end');
  }

  it('pages through history newest first without gaps or repeats', async () => {
    const entries = await allHistory({ limit: 3 });
    expect(entries.map((e) => e.revision)).toEqual(
      Array.from({ length: 12 }, (_, i) => BigInt(11 - i)),
    );
    expect(entries[0]).toMatchObject({ type: 'WalletFrozen', description: 'review' });
    expect(entries.find((e) => e.type === 'HoldCaptured')).toMatchObject({
      direction: 'debit',
      amountMinor: 250n,
      contra: `transit:${transfer}`,
      kind: 'transfer',
      reference: 'h-1',
      movementId: transfer,
    });
  });

  it('filters history by type, kind and date range', async () => {
    const credits = await allHistory({ types: ['WalletCredited'], limit: 2 });
    expect(credits.map((e) => e.amountMinor)).toEqual([700n, 600n, 500n, 400n, 300n, 200n, 100n]);
    const transfers = await allHistory({ kinds: ['transfer'] });
    expect(transfers.map((e) => e.type)).toEqual(['HoldCaptured', 'HoldPlaced']);
    const late = await allHistory({ from: middleAt });
    expect(late.map((e) => e.type)).toEqual([
      'WalletFrozen',
      'HoldPlaced',
      'HoldCaptured',
      'HoldPlaced',
    ]);
    const early = await allHistory({ to: middleAt, types: ['WalletOpened', 'WalletCredited'] });
    expect(early).toHaveLength(8);
  });

  it('names bad history queries', async () => {
    expect(await walletHistory(t.db, wallet, { types: ['Nope'] })).toBe('invalid_type');
    expect(await walletHistory(t.db, wallet, { from: middleAt, to: middleAt })).toBe(
      'invalid_date_range',
    );
    expect(await walletHistory(t.db, wallet, { limit: 0 })).toBe('invalid_limit');
    const otherCursor = page(await walletHistory(t.db, other, { limit: 1 })).nextCursor;
    expect(await walletHistory(t.db, wallet, { cursor: otherCursor })).toBe('invalid_cursor');
  });

  it('balances system and transit accounts against the wallets, per currency', async () => {
    const accounts: AccountBalance[] = page(await accountBalances(t.db, { limit: 200 })).items;
    expect(accounts.map((a) => [a.account, a.currency, a.balanceMinor])).toEqual([
      ['system:card_clearing', 'JPY', 900n],
      ['system:card_clearing', 'USD', 2_800n],
      [`transit:${transfer}`, 'USD', -250n],
    ]);
    const transit = page(await accountBalances(t.db, { kind: 'transit' })).items;
    expect(transit.map((a) => a.account)).toEqual([`transit:${transfer}`]);
    expect(await trialBalance(t.db)).toEqual({
      balanced: true,
      lines: [
        { currency: 'JPY', debitsMinor: 900n, creditsMinor: 900n, balanced: true },
        { currency: 'USD', debitsMinor: 3_050n, creditsMinor: 3_050n, balanced: true },
      ],
    });
  });

  it('shows an unbalanced trial balance when a row is off', async () => {
    await t.db.query(
      'UPDATE read_models.wallet_balances SET credits_minor = credits_minor + 1 WHERE wallet_id = $1',
      [other],
    );
    try {
      expect(await trialBalance(t.db)).toMatchObject({
        balanced: false,
        lines: [{ currency: 'JPY', balanced: false }, { balanced: true }],
      });
    } finally {
      await t.db.query(
        'UPDATE read_models.wallet_balances SET credits_minor = credits_minor - 1 WHERE wallet_id = $1',
        [other],
      );
    }
  });
});
