import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlExecutor } from '@ledger/database';
import { migrate, MIGRATIONS_DIR } from '@ledger/database';
import { comparePositions, type RecordedEvent } from '@ledger/event-store';
import { findCheckpoint, SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { writeAccountBalances } from '../account-balances/account-balances.writer';
import { planBatch } from '../batch.plan';
import { ProjectionRunner } from '../projector';
import { READ_MODELS_PROJECTOR, ReadModelsProjector } from '../read-models.projector';
import { WalletDriver } from '../testing/wallet.driver';
import { verifyLedger } from '../verify/ledger-verifier';
import { getWallet } from '../wallet-balances/wallet-balances.query';
import { writeWalletBalances } from '../wallet-balances/wallet-balances.writer';
import { writeWalletHistory } from '../wallet-history/wallet-history.writer';
import { trialBalanceAsOf } from './accounts-as-of.query';
import { historyBounds, historyCovers, walletBalanceAsOf } from './as-of.query';

/** The read models as they were projected before the balance history existed. */
const projectorBeforeHistory = {
  name: READ_MODELS_PROJECTOR,
  async apply(tx: SqlExecutor, events: readonly RecordedEvent[]) {
    const plan = planBatch(events);
    const applied = await writeWalletBalances(tx, 'read_models', plan);
    await writeWalletHistory(tx, 'read_models', plan, applied);
    await writeAccountBalances(tx, 'read_models', plan);
  },
};

describe.each(databaseFactories())(
  'balance history added to projected read models on $name',
  (factory) => {
    let t: TestDatabase;
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    const copy = (file: string) => copyFileSync(join(MIGRATIONS_DIR, file), join(dir, file));

    beforeAll(async () => {
      t = await factory.create({ migrate: false });
    });
    afterAll(async () => {
      await t.drop();
      rmSync(dir, { recursive: true });
    });

    it('seeds every account at the checkpoint, answers from there on and refuses earlier points', async () => {
      for (const file of [
        '001_event_store.sql',
        '002_event_store_append_plans.sql',
        '010_read_models.sql',
        '035_movements.sql',
        // The event store as it is now (its hash chain) and the one checkpoint table today's
        // log readers use, under read models from before the history.
        '060_event_hash_chain.sql',
        '070_log_checkpoints.sql',
      ])
        copy(file);
      await migrate(t.db, dir);
      const store = new SqlEventStore(t.db);
      const driver = new WalletDriver(store);
      const [a, b] = [randomUUID(), randomUUID()];
      const opened = await driver.open(a);
      await driver.open(b, 'owner-2', 'EUR');
      await driver.credit(a, 700n);
      await driver.credit(b, 300n, { contra: 'system:suspense', kind: 'adjustment' });
      await driver.hold(a, 'h-1', 200n);
      await driver.settled();
      await new ProjectionRunner(t.db, store, projectorBeforeHistory).catchUp();
      const checkpoint = (await findCheckpoint(t.db, READ_MODELS_PROJECTOR))!.position;

      copy('011_balance_history.sql');
      // The projector of today also writes the movements read model.
      copy('050_movement_views.sql');
      copy('051_merchant_payments.sql');
      await migrate(t.db, dir);
      const bounds = await historyBounds(t.db);
      expect(bounds.floor).toEqual(checkpoint);
      expect(historyCovers(bounds, checkpoint)).toBe(true);
      expect(historyCovers(bounds, opened.position)).toBe(false);
      expect(await walletBalanceAsOf(t.db, (await getWallet(t.db, a))!, checkpoint)).toMatchObject({
        postedMinor: 700n,
        heldMinor: 200n,
        availableMinor: 500n,
      });

      await driver.debit(a, 100n, { contra: 'system:payouts_clearing', kind: 'withdrawal' });
      await driver.settled();
      await new ProjectionRunner(t.db, store, new ReadModelsProjector()).catchUp();
      const head = await store.headPosition();
      expect(comparePositions(head, checkpoint)).toBeGreaterThan(0);
      expect(await walletBalanceAsOf(t.db, (await getWallet(t.db, a))!, head)).toMatchObject({
        postedMinor: 600n,
        heldMinor: 200n,
      });
      expect((await trialBalanceAsOf(t.db, checkpoint)).lines).toEqual([
        { currency: 'EUR', debitsMinor: 300n, creditsMinor: 300n, balanced: true },
        { currency: 'USD', debitsMinor: 700n, creditsMinor: 700n, balanced: true },
      ]);
      expect((await trialBalanceAsOf(t.db, head)).lines[1]).toMatchObject({ debitsMinor: 800n });
      expect(await verifyLedger(t.db, store)).toMatchObject({ clean: true });
    });
  },
);
