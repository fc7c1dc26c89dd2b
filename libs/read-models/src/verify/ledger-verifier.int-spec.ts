import { randomUUID } from 'node:crypto';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { verifyCommand } from '../cli/verify';
import { ProjectionRunner } from '../projector';
import { ReadModelsProjector } from '../read-models.projector';
import { readable, WalletDriver } from '../testing/wallet.driver';
import { verifyLedger } from './ledger-verifier';

describe.each(databaseFactories())('ledger verifier on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  let driver: WalletDriver;
  let runner: ProjectionRunner;
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
    driver = new WalletDriver(store);
    runner = new ProjectionRunner(t.db, store, new ReadModelsProjector(), { batchSize: 3 });
    await driver.open(alice);
    await driver.open(bob, 'owner-2', 'EUR');
    await driver.credit(alice, 10_000n);
    await driver.credit(bob, 5_000n);
    const transfer = `transfer-${randomUUID()}`;
    await driver.hold(alice, 'h-1', 2_500n, {
      contra: `transit:${transfer}`,
      kind: 'transfer',
      movementId: transfer,
    });
    await driver.must(alice, { type: 'CaptureHold', holdId: 'h-1', ...driver.base() });
    await driver.hold(alice, 'h-2', 100n);
    await driver.debit(bob, 1_000n, { contra: 'system:payouts_clearing', kind: 'withdrawal' });
    await driver.settled();
    await runner.catchUp();
  });
  afterAll(() => t.drop());

  /** Projects everything again from the start, repairing whatever a test tampered with. */
  async function reproject(): Promise<void> {
    for (const table of [
      'wallet_history',
      'wallet_balances',
      'account_balances',
      'balance_history',
      'ledger_totals',
    ])
      await t.db.query(`DELETE FROM read_models.${table}`);
    await t.db.query(
      `UPDATE projection_checkpoints SET commit_pos = -1, prepare_pos = -1 WHERE name = 'read_models'`,
    );
    runner = new ProjectionRunner(t.db, store, new ReadModelsProjector());
    await runner.catchUp();
  }

  it('passes a ledger whose read models match the log', async () => {
    const report = await verifyLedger(t.db, store, { page_size: 4 });
    expect(report).toMatchObject({
      clean: true,
      differenceCount: 0,
      wallets: 2,
      walletEvents: 8,
      readModelsBehind: false,
    });
    expect(report.readModelsAt).toBe(report.head);
    expect(report.trialBalance).toEqual([
      { currency: 'EUR', debitsMinor: '6000', creditsMinor: '6000' },
      { currency: 'USD', debitsMinor: '12500', creditsMinor: '12500' },
    ]);
    expect(report.accounts).toBe(4);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(
        await verifyCommand({ db: t.db, store, close: async () => undefined }, ['--json']),
      ).toBe(0);
      expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({
        clean: true,
        eventsRead: report.eventsRead,
      });
    } finally {
      log.mockRestore();
    }
  });

  it('finds a tampered wallet row, account row and history row', async () => {
    await t.db.query(
      'UPDATE read_models.wallet_balances SET held_minor = held_minor + 1 WHERE wallet_id = $1',
      [alice],
    );
    await t.db.query(
      `UPDATE read_models.account_balances SET credits_minor = credits_minor - 5 WHERE account = 'system:payouts_clearing'`,
    );
    await t.db.query(
      `DELETE FROM read_models.wallet_history WHERE wallet_id = $1 AND revision = 1`,
      [bob],
    );
    try {
      const report = await verifyLedger(t.db, store);
      expect(report.clean).toBe(false);
      expect(report.differences).toEqual(
        expect.arrayContaining([
          {
            kind: 'wallet_mismatch',
            subject: alice,
            field: 'held_minor',
            expected: '100',
            actual: '101',
          },
          {
            kind: 'account_mismatch',
            subject: 'system:payouts_clearing EUR',
            field: 'credits_minor',
            expected: '1000',
            actual: '995',
          },
          expect.objectContaining({ kind: 'history_mismatch', subject: bob }),
        ]),
      );
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(await verifyCommand({ db: t.db, store, close: async () => undefined }, [])).toBe(1);
      } finally {
        log.mockRestore();
      }
    } finally {
      await reproject();
    }
  });

  it('finds a balance history whose last row disagrees with the replay', async () => {
    const last = `(SELECT max(commit_pos) FROM read_models.balance_history WHERE account = $1)`;
    await t.db.query(
      `UPDATE read_models.balance_history SET held_minor = held_minor + 3
        WHERE account = $1 AND commit_pos = ${last}`,
      [`wallet:${alice}`],
    );
    await t.db.query(
      `UPDATE read_models.ledger_totals SET system_debits_minor = system_debits_minor + 9
        WHERE currency = 'EUR' AND commit_pos = (SELECT max(commit_pos) FROM read_models.ledger_totals)`,
    );
    try {
      const report = await verifyLedger(t.db, store);
      expect(report.clean).toBe(false);
      expect(report.differences).toEqual(
        expect.arrayContaining([
          {
            kind: 'balance_history_mismatch',
            subject: `wallet:${alice} USD`,
            expected: 'debits 2500, credits 10000, held 100',
            actual: 'debits 2500, credits 10000, held 103',
          },
          {
            kind: 'ledger_totals_mismatch',
            subject: 'EUR system',
            expected: 'debits 5000, credits 1000, held 0',
            actual: 'debits 5009, credits 1000, held 0',
          },
        ]),
      );
    } finally {
      await reproject();
    }
    expect((await verifyLedger(t.db, store)).clean).toBe(true);
  });

  it('compares at the read models checkpoint when they trail the log', async () => {
    expect((await verifyLedger(t.db, store)).clean).toBe(true);
    await driver.credit(alice, 1n);
    await driver.settled();
    const report = await verifyLedger(t.db, store, { waitMs: 20 });
    expect(report).toMatchObject({ clean: true, readModelsBehind: true });
    expect(report.readModelsAt).not.toBe(report.head);
  });

  it('finds an entry that disagrees with its event in the log itself', async () => {
    const stream = `wallet-${alice}`;
    const revision = await store.streamRevision(stream);
    const { position } = await store.append(
      stream,
      [
        {
          id: randomUUID(),
          type: 'WalletCredited',
          data: {
            entryId: randomUUID(),
            amountMinor: '700',
            currency: 'USD',
            contra: 'system:card_clearing',
            kind: 'top_up',
            at: driver.tick(),
            entry: {
              debit: 'system:card_clearing',
              credit: `wallet:${alice}`,
              amountMinor: '70',
              currency: 'USD',
            },
          },
        },
      ],
      revision,
    );
    await readable(store, position);
    const report = await verifyLedger(t.db, store, { compareReadModels: false });
    expect(report.clean).toBe(false);
    expect(report.differences).toEqual([expect.objectContaining({ kind: 'entry_mismatch' })]);
  });

  it('names an event that cannot stand where it is: a capture of a hold never placed', async () => {
    const carol = randomUUID();
    await driver.open(carol);
    await driver.settled();
    const stream = `wallet-${carol}`;
    const id = randomUUID();
    const { position } = await store.append(
      stream,
      [
        {
          id,
          type: 'HoldCaptured',
          data: {
            holdId: 'h-never-placed',
            amountMinor: '900',
            currency: 'USD',
            contra: 'system:payouts_clearing',
            kind: 'withdrawal',
            at: driver.tick(),
            entry: {
              debit: `wallet:${carol}`,
              credit: 'system:payouts_clearing',
              amountMinor: '900',
              currency: 'USD',
            },
          },
        },
      ],
      await store.streamRevision(stream),
    );
    await readable(store, position);
    const report = await verifyLedger(t.db, store, { compareReadModels: false });
    expect(report.differences).toContainEqual(
      expect.objectContaining({
        kind: 'impossible_event',
        subject: id,
        actual: expect.stringContaining('no hold h-never-placed'),
      }),
    );
  });
});
