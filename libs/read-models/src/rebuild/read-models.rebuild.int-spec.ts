import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { ProjectionRunner } from '../projector';
import { ReadModelsProjector } from '../read-models.projector';
import { schemaDifferences } from '../testing/schema-differences';
import { WalletDriver } from '../testing/wallet.driver';
import { verifyLedger } from '../verify/ledger-verifier';
import { RebuildInProgress, rebuildReadModels } from './read-models.rebuild';

describe.each(databaseFactories())('read-model rebuild on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  let driver: WalletDriver;
  const wallets = Array.from({ length: 6 }, () => randomUUID());

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
    driver = new WalletDriver(store);
    for (const walletId of wallets) {
      await driver.open(walletId);
      await driver.credit(walletId, 1_000n);
    }
    await driver.settled();
  });
  afterAll(() => t.drop());

  /** Keeps moving money between the wallets through transit accounts until stopped. */
  function keepAppending(): { appended(): number; stop(): Promise<number> } {
    let stopping = false;
    let count = 0;
    const loop = (async () => {
      while (!stopping && count < 400) {
        const from = must(wallets[count % wallets.length], 'a wallet');
        const to = must(wallets[(count + 1) % wallets.length], 'a wallet');
        const transit = `transit:transfer-${randomUUID()}` as const;
        await driver.debit(from, 7n, { contra: transit, kind: 'transfer' });
        await driver.credit(to, 7n, { contra: transit, kind: 'transfer' });
        count++;
      }
    })();
    return {
      appended: () => count,
      stop: async () => {
        stopping = true;
        await loop;
        return count;
      },
    };
  }

  it('rebuilds beside the live read models while events arrive, and swaps in what a fresh replay gives', async () => {
    const live = new ProjectionRunner(t.db, store, new ReadModelsProjector(), {
      idlePollMs: 10,
      batchSize: 50,
    });
    live.start();
    const appender = keepAppending();
    try {
      while (appender.appended() < 50) await new Promise((resolve) => setTimeout(resolve, 5));
      // Small batches make the rebuild take many transactions, interleaved with appends and the live projector.
      const result = await rebuildReadModels(t.db, store, { batchSize: 10 });
      expect(result.eventsApplied).toBeGreaterThanOrEqual(100);
      expect(await appender.stop()).toBeGreaterThan(50);
      expect(await live.waitForPosition(await driver.settled(), 20_000)).toBe(true);
    } finally {
      await appender.stop();
      await live.stop();
    }
    await t.db.query(`SELECT create_read_model_tables('rm_fresh')`);
    await new ProjectionRunner(t.db, store, new ReadModelsProjector({ schema: 'rm_fresh' }), {
      checkpoint: 'fresh',
    }).catchUp();
    expect(await schemaDifferences(t.db, 'read_models', 'rm_fresh')).toEqual({
      wallet_balances: 0,
      wallet_history: 0,
      account_balances: 0,
      balance_history: 0,
      ledger_totals: 0,
      balance_history_floor: 0,
      movement_summaries: 0,
      movement_legs: 0,
    });
    const { rows } = await t.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM read_models.wallet_history`,
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(12);
    const leftovers = await t.db.query(
      `SELECT nspname FROM pg_namespace WHERE nspname IN ('rm_rebuild', 'rm_retired')`,
    );
    expect(leftovers.rows).toEqual([]);
    expect((await verifyLedger(t.db, store)).clean).toBe(true);
  }, 180_000);

  it('refuses to run beside another rebuild', async () => {
    const lease = await t.db.tryLock('rebuild:read_models');
    try {
      await expect(rebuildReadModels(t.db, store)).rejects.toBeInstanceOf(RebuildInProgress);
    } finally {
      await lease?.release();
    }
  });
});
