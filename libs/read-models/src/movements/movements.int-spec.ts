import { randomUUID } from 'node:crypto';
import { type RecordedEvent } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import { systemAccount, transitAccount } from '@ledger/ledger';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { ProjectionRunner } from '../projector';
import { ReadModelsProjector } from '../read-models.projector';
import { READ_MODEL_TABLES, schemaDifferences } from '../testing/schema-differences';
import { readable, WalletDriver } from '../testing/wallet.driver';
import { listMovements } from './movements.query';
import { walletStatement } from './statement.query';

/**
 * The movement read models from a hand-written log: a top-up, a completed
 * transfer, a failed one and an adjustment, projected in one batch and one
 * event at a time, and redelivered.
 */
describe.each(databaseFactories())('movement read models on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  let driver: WalletDriver;
  const [ada, bob] = [randomUUID(), randomUUID()];
  const [adaWallet, bobWallet] = [randomUUID(), randomUUID()];
  const topUp = `topup-${randomUUID()}`;
  const paid = `transfer-${randomUUID()}`;
  const refused = `transfer-${randomUUID()}`;

  const saga = (stream: string, type: string, data: object, expected: bigint | 'no_stream') =>
    store.append(
      stream,
      [{ id: randomUUID(), type, data: { at: driver.tick(), ...data } }],
      expected,
    );

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
    driver = new WalletDriver(store);
    for (const [wallet, owner] of [
      [adaWallet, ada],
      [bobWallet, bob],
    ] as const)
      await driver.must(wallet, {
        type: 'OpenWallet',
        commandId: randomUUID(),
        at: driver.tick(),
        walletId: wallet,
        ownerId: owner,
        currency: 'EUR',
      });
    const top = { walletId: adaWallet, ownerId: ada, amountMinor: '5000', currency: 'EUR' };
    await saga(topUp, 'TopUpRequested', top, 'no_stream');
    await driver.must(adaWallet, {
      type: 'Credit',
      commandId: randomUUID(),
      at: driver.tick(),
      entryId: randomUUID(),
      amountMinor: 5000n,
      currency: 'EUR',
      contra: systemAccount('card_clearing'),
      kind: 'top_up',
      movementId: topUp,
    });
    await saga(topUp, 'TopUpCompleted', {}, 0n);
    await transfer(paid, 2000n, true);
    await transfer(refused, 9000n, false);
    await driver.must(bobWallet, {
      type: 'Debit',
      commandId: randomUUID(),
      at: driver.tick(),
      entryId: randomUUID(),
      amountMinor: 500n,
      currency: 'EUR',
      contra: systemAccount('adjustments'),
      kind: 'adjustment',
      description: 'Duplicate credit reversed',
    });
    await readable(store, await driver.settled());
  });
  afterAll(() => t?.drop());

  /** A transfer from Ada to Bob: held, credited, captured; or held and released after Bob's credit was refused. */
  async function transfer(stream: string, amount: bigint, completes: boolean) {
    const request = {
      fromWalletId: adaWallet,
      fromOwnerId: ada,
      toWalletId: bobWallet,
      toOwnerId: bob,
      amountMinor: amount.toString(),
      currency: 'EUR',
      creditAmountMinor: amount.toString(),
      creditCurrency: 'EUR',
      description: 'rent',
    };
    await saga(stream, 'TransferRequested', request, 'no_stream');
    const movement = {
      contra: transitAccount(stream),
      kind: 'transfer' as const,
      movementId: stream,
    };
    const holdId = randomUUID();
    await driver.must(adaWallet, {
      type: 'PlaceHold',
      commandId: randomUUID(),
      at: driver.tick(),
      holdId,
      amountMinor: completes ? amount : 1000n,
      currency: 'EUR',
      ...movement,
    });
    if (completes) {
      await driver.must(bobWallet, {
        type: 'Credit',
        commandId: randomUUID(),
        at: driver.tick(),
        entryId: randomUUID(),
        amountMinor: amount,
        currency: 'EUR',
        ...movement,
      });
    }
    const type = completes ? 'CaptureHold' : 'ReleaseHold';
    await driver.must(adaWallet, { type, commandId: randomUUID(), at: driver.tick(), holdId });
    const end = completes
      ? ['TransferCompleted', {}]
      : ['TransferFailed', { reason: 'wallet_frozen', compensated: true }];
    await saga(stream, end[0] as string, end[1] as object, 0n);
  }

  async function project(schema: string, batchSize: number): Promise<RecordedEvent[]> {
    await t.db.query(`SELECT create_read_model_tables($1)`, [schema]);
    await new ProjectionRunner(t.db, store, new ReadModelsProjector({ schema }), {
      checkpoint: schema,
      batchSize,
    }).catchUp();
    return store.readAll({ maxCount: 1_000 });
  }

  it('gives the same rows in one batch as one event at a time, and a redelivery changes nothing', async () => {
    const events = await project('rm_whole', 1_000);
    await project('rm_single', 1);
    const differences = await schemaDifferences(t.db, 'rm_whole', 'rm_single');
    expect(differences).toMatchObject({ movement_summaries: 0, movement_legs: 0 });
    // Redeliver the whole log: the failed transfer must not step back to pending.
    await t.db.transaction((tx) =>
      new ReadModelsProjector({ schema: 'rm_single' }).apply(tx, events),
    );
    expect(await schemaDifferences(t.db, 'rm_whole', 'rm_single')).toMatchObject({
      movement_summaries: 0,
      movement_legs: 0,
    });
  });

  it('gives the same rows when one batch both inserts new movements and updates earlier ones', async () => {
    await project('rm_mixed_whole', 1_000);
    // Batches of two, three and five events cut every movement apart, so most
    // batches carry the first event of one movement and later events of another.
    for (const size of [2, 3, 5]) {
      await project(`rm_mixed_${size}`, size);
      expect(await schemaDifferences(t.db, 'rm_mixed_whole', `rm_mixed_${size}`)).toEqual(
        Object.fromEntries(READ_MODEL_TABLES.map((table) => [table, 0])),
      );
    }
    const { rows } = await t.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM rm_mixed_2.movement_legs WHERE posted_commit IS NOT NULL',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it('reads one row per movement with running balances; the recipient never sees the failed transfer', async () => {
    await new ProjectionRunner(t.db, store, new ReadModelsProjector()).catchUp();
    const adaRows = await walletStatement(t.db, adaWallet);
    if (typeof adaRows === 'string') throw new Error(adaRows);
    expect(
      adaRows.items.map((r) => [
        r.movement.kind,
        r.leg.status,
        r.leg.signedAmountMinor,
        r.leg.heldMinor,
        r.balanceAfterMinor,
      ]),
    ).toEqual([
      ['transfer', 'failed', -9000n, 0n, undefined],
      ['transfer', 'completed', -2000n, 0n, 3000n],
      ['top_up', 'completed', 5000n, 0n, 5000n],
    ]);
    const bobRows = await listMovements(t.db, bob);
    if (typeof bobRows === 'string') throw new Error(bobRows);
    expect(bobRows.items.map((m) => [m.kind, m.legs.map((l) => l.signedAmountMinor)])).toEqual([
      ['adjustment', [-500n]],
      ['transfer', [2000n]],
    ]);
    expect(bobRows.items[0]).toMatchObject({ description: 'Duplicate credit reversed' });
    expect(bobRows.items[1]?.legs[0]).toMatchObject({ counterpartyOwnerId: ada });
  });
});
