import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SqlEventStore } from '@ledger/event-store/sql';
import { walletStream, type AccountRef, type EntryKind, type WalletCommand } from '@ledger/ledger';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { trialBalance } from './account-balances/trial-balance.query';
import { ProjectionRunner } from './projector';
import { ReadModelsProjector } from './read-models.projector';
import { WalletDriver } from './testing/wallet.driver';
import { verifyLedger } from './verify/ledger-verifier';
import { getWallet } from './wallet-balances/wallet-balances.query';
import { walletHistory } from './wallet-history/wallet-history.query';

const WALLETS = 3;
const HOLD_IDS = 3;

/** A command in terms of indexes; ids are bound per run so runs never share a wallet. */
type Step =
  | { type: 'Credit' | 'Debit'; wallet: number; amount: bigint; transit: boolean }
  | { type: 'PlaceHold'; wallet: number; amount: bigint; hold: number; transit: boolean }
  | { type: 'CaptureHold' | 'ReleaseHold'; wallet: number; hold: number }
  | { type: 'Freeze' | 'Unfreeze' | 'Close'; wallet: number };

const wallet = fc.nat(WALLETS - 1);
const amount = fc.bigInt(1n, 5_000n);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constantFrom('Credit' as const, 'Debit' as const),
    wallet,
    amount,
    transit: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('PlaceHold' as const),
    wallet,
    amount,
    hold: fc.nat(HOLD_IDS - 1),
    transit: fc.boolean(),
  }),
  fc.record({
    type: fc.constantFrom('CaptureHold' as const, 'ReleaseHold' as const),
    wallet,
    hold: fc.nat(HOLD_IDS - 1),
  }),
  fc.record({
    type: fc.constantFrom('Freeze' as const, 'Unfreeze' as const, 'Close' as const),
    wallet,
  }),
);

function toCommand(
  s: Step,
  walletIds: readonly string[],
  transfer: string,
  base: { commandId: string; at: string },
): WalletCommand {
  const holdId = 'hold' in s ? `hold-${s.hold}` : '';
  const movement = (transit: boolean, currency: string) => ({
    currency,
    contra: (transit ? `transit:${transfer}` : 'system:card_clearing') as AccountRef,
    kind: (transit ? 'transfer' : 'top_up') as EntryKind,
  });
  const currency = s.wallet === 2 ? 'EUR' : 'USD';
  switch (s.type) {
    case 'Credit':
    case 'Debit':
      return {
        type: s.type,
        entryId: randomUUID(),
        amountMinor: s.amount,
        ...movement(s.transit, currency),
        ...base,
      };
    case 'PlaceHold':
      return {
        type: 'PlaceHold',
        holdId,
        amountMinor: s.amount,
        ...movement(s.transit, currency),
        ...base,
      };
    case 'CaptureHold':
    case 'ReleaseHold':
      return { type: s.type, holdId, ...base };
    case 'Freeze':
      return { type: 'Freeze', reason: 'property', ...base };
    default:
      return { type: s.type, ...base };
  }
}

describe.each(databaseFactories())('replay equals projection on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  const projector = new ReadModelsProjector();

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
  });
  afterAll(() => t.drop());

  it('projects any sequence of valid wallet commands, in any batch size and with redelivery, to what the deciders fold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(6),
        async (steps, batchSize, redeliver) => {
          const driver = new WalletDriver(store);
          const walletIds = Array.from({ length: WALLETS }, () => randomUUID());
          const transfer = `transfer-${randomUUID()}`;
          for (const [i, id] of walletIds.entries())
            await driver.open(id, 'owner', i === 2 ? 'EUR' : 'USD');
          for (const s of steps)
            await driver.execute(
              must(walletIds[s.wallet], 'a wallet'),
              toCommand(s, walletIds, transfer, driver.base()),
            );
          await driver.settled();
          await new ProjectionRunner(t.db, store, projector, { batchSize }).catchUp();
          // Deliver the tail of the log again, as a crashed instance's retry would.
          const tail = (await store.readAll({ maxCount: 10_000 })).slice(-redeliver - 1);
          await t.db.transaction((tx) => projector.apply(tx, tail));

          for (const id of walletIds) {
            const expected = driver.state(id);
            if (expected.status === 'unopened') throw new Error('every wallet was opened');
            const row = await getWallet(t.db, id);
            const revision = await store.streamRevision(walletStream(id));
            expect(row).toMatchObject({
              status: expected.status,
              postedMinor: expected.postedMinor,
              heldMinor: expected.heldMinor,
              revision,
            });
            const history = await walletHistory(t.db, id, { limit: 200 });
            expect(typeof history !== 'string' && history.items.length).toBe(Number(revision) + 1);
          }
          expect((await trialBalance(t.db)).balanced).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
    const report = await verifyLedger(t.db, store);
    expect(report).toMatchObject({ clean: true, differenceCount: 0 });
  });
});
