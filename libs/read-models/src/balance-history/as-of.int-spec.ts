import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { type Position, type RecordedEvent } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import type { AccountRef } from '@ledger/ledger';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import type { SqlDatabase } from '@ledger/database';
import { insertEvents, SyntheticLedger } from '../bench/synthetic.ledger';
import { ProjectionRunner } from '../projector';
import { ReadModelsProjector } from '../read-models.projector';
import { WalletDriver } from '../testing/wallet.driver';
import {
  describePosition,
  lastIndexAt,
  readLog,
  replayPoints,
  type ReplayPoint,
} from '../testing/replay-points';
import { verifyLedger } from '../verify/ledger-verifier';
import { getWallet } from '../wallet-balances/wallet-balances.query';
import { accountBalancesAsOf, trialBalanceAsOf } from './accounts-as-of.query';
import { positionAt, walletBalanceAsOf } from './as-of.query';

/** xorshift32, so a failing run can be repeated from its seed. */
function random(seed: number): (bound: number) => number {
  let x = seed >>> 0 || 1;
  return (bound) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % bound;
  };
}

/** Wallets opened over time in two currencies, moving money through system and transit accounts. */
async function writeRandomLedger(driver: WalletDriver, next: (bound: number) => number) {
  const wallets: string[] = [];
  const holds = new Map<string, string[]>();
  // A few transfers' transit accounts, so that they carry several movements each.
  const transits = Array.from(
    { length: 3 },
    () => `transit:transfer-${randomUUID()}` as AccountRef,
  );
  for (let step = 0; step < 80; step++) {
    if (wallets.length < 6 && (wallets.length < 2 || next(10) === 0)) {
      const id = randomUUID();
      await driver.open(id, `owner-${wallets.length}`, wallets.length % 3 === 2 ? 'EUR' : 'USD');
      wallets.push(id);
      holds.set(id, []);
      continue;
    }
    const id = must(wallets[next(wallets.length)], 'a wallet');
    const state = driver.state(id);
    const available = state.status === 'open' ? state.postedMinor - state.heldMinor : 0n;
    const amount = BigInt(1 + next(900));
    const transit = must(transits[next(transits.length)], 'a transit account');
    const dice = next(100);
    const own = holds.get(id)!;
    if (state.status === 'frozen') {
      await driver.must(id, { type: 'Unfreeze', ...driver.base() });
    } else if (dice < 30 || available < amount) {
      await driver.credit(id, amount, dice < 15 ? { contra: transit, kind: 'transfer' } : {});
    } else if (dice < 50) {
      await driver.debit(id, amount, {
        contra: dice < 40 ? 'system:payouts_clearing' : transit,
        kind: dice < 40 ? 'withdrawal' : 'transfer',
      });
    } else if (dice < 70) {
      const holdId = `hold-${step}`;
      await driver.hold(id, holdId, amount, { contra: transit, kind: 'transfer' });
      own.push(holdId);
    } else if (dice < 90 && own.length > 0) {
      const holdId = own.shift()!;
      const type = dice < 82 ? 'CaptureHold' : 'ReleaseHold';
      await driver.must(id, { type, holdId, ...driver.base() });
    } else {
      await driver.must(id, { type: 'Freeze', reason: 'review', ...driver.base() });
    }
  }
}

async function asOfState(db: SqlDatabase, walletIds: readonly string[], position: Position) {
  const wallets = new Map<string, string>();
  for (const walletId of walletIds) {
    const current = await getWallet(db, walletId);
    const row = current && (await walletBalanceAsOf(db, current, position));
    if (row)
      wallets.set(
        walletId,
        `${row.postedMinor}/${row.heldMinor}/${row.creditsMinor}/${row.debitsMinor}`,
      );
  }
  const accounts = new Map<string, string>();
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const result = await accountBalancesAsOf(db, position, { cursor, limit: 7 });
    if (typeof result === 'string') throw new Error(result);
    for (const a of result.items)
      accounts.set(`${a.account} ${a.currency}`, `${a.debitsMinor}/${a.creditsMinor}`);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  const trial = await trialBalanceAsOf(db, position);
  expect(trial.balanced).toBe(true);
  const trialBalance = new Map(
    trial.lines.map((l) => [l.currency, `${l.debitsMinor}/${l.creditsMinor}`]),
  );
  return { wallets, accounts, trialBalance };
}

const plain = (p: ReplayPoint) => ({
  position: describePosition(p.position),
  wallets: Object.fromEntries(p.wallets),
  accounts: Object.fromEntries(p.accounts),
  trialBalance: Object.fromEntries(p.trialBalance),
});

describe.each(databaseFactories())('balances as of a point on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  let events: RecordedEvent[];
  let walletIds: string[];
  const seed = Date.now() % 1_000_000;
  const next = random(seed);

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
    const driver = new WalletDriver(store);
    await writeRandomLedger(driver, next);
    // Many events in one transaction: one recorded time, one commit, consecutive prepares.
    await insertEvents(t.db, new SyntheticLedger(4, seed).take(60));
    await writeRandomLedger(driver, next);
    await driver.settled();
    const projector = new ReadModelsProjector();
    await new ProjectionRunner(t.db, store, projector, { batchSize: 1 + next(9) }).catchUp();
    events = await readLog(store);
    // A redelivered tail must write no history twice.
    await t.db.transaction((tx) => projector.apply(tx, events.slice(-1 - next(20))));
    walletIds = [
      ...new Set(events.filter((e) => e.type === 'WalletOpened').map((e) => e.streamId.slice(7))),
    ];
  }, 120_000);
  afterAll(() => t.drop());

  it(`answers at many random positions what a replay to that position gives (seed ${seed})`, async () => {
    const indexes = [
      -1,
      events.length - 1,
      ...Array.from({ length: 25 }, () => next(events.length)),
    ];
    for (const point of replayPoints(events, indexes)) {
      const actual = await asOfState(t.db, walletIds, point.position);
      expect(plain({ position: point.position, ...actual })).toEqual(plain(point));
    }
    expect(await verifyLedger(t.db, store)).toMatchObject({ clean: true });
  }, 120_000);

  it(`maps a time to the last event recorded at or before it, and answers as of it (seed ${seed})`, async () => {
    const first = must(events[0], 'the first event').createdAt.getTime();
    const times = [
      new Date(first - 86_400_000),
      new Date(),
      ...Array.from({ length: 10 }, () => {
        const at = must(events[next(events.length)], 'an event').createdAt.getTime();
        return new Date(at - next(2));
      }),
    ];
    for (const at of times) {
      const index = lastIndexAt(events, at);
      const point = must(replayPoints(events, [index])[0], 'a replay point');
      const position = await positionAt(t.db, at);
      expect(describePosition(position)).toBe(describePosition(point.position));
      const actual = await asOfState(t.db, walletIds, position);
      expect(plain({ position, ...actual })).toEqual(plain(point));
    }
  }, 120_000);
});
