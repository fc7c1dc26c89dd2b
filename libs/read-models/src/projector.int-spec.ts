import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '@ledger/database';
import { type RecordedEvent } from '@ledger/event-store';
import {
  CheckpointMoved,
  findCheckpoint,
  loadCheckpoint,
  SqlEventStore,
} from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { ProjectionRunner, type Projector } from './projector';
import { ProjectionProgress, waitForPosition } from './progress';
import { projectionStatus } from './projection-status.query';
import { READ_MODELS_PROJECTOR, ReadModelsProjector } from './read-models.projector';
import { readable, WalletDriver } from './testing/wallet.driver';

/** Appends one row per event it sees, with no guard, so any double application shows. */
class RecordingProjector implements Projector {
  constructor(
    readonly name: string,
    private readonly tag = 'a',
    private readonly afterApply?: (tx: SqlExecutor) => Promise<void>,
  ) {}

  async apply(tx: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
    await tx.query(
      'INSERT INTO test_applied (projector, tag, event_id) SELECT $1, $2, unnest($3::uuid[])',
      [this.name, this.tag, events.map((e) => e.id)],
    );
    await this.afterApply?.(tx);
  }
}

async function applied(
  db: SqlExecutor,
  projector: string,
): Promise<{ total: number; duplicates: number; tags: string[] }> {
  const { rows } = await db.query<{
    total: string;
    distinct_events: string;
    tags: string[] | null;
  }>(
    `SELECT count(*)::text AS total, count(DISTINCT event_id)::text AS distinct_events, array_agg(DISTINCT tag) AS tags
       FROM test_applied WHERE projector = $1`,
    [projector],
  );
  const row = must(rows[0], 'count row');
  return {
    total: Number(row.total),
    duplicates: Number(row.total) - Number(row.distinct_events),
    tags: row.tags ?? [],
  };
}

async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

describe.each(databaseFactories())('projector on $name', (factory) => {
  let t: TestDatabase;
  let store: SqlEventStore;
  let driver: WalletDriver;

  beforeAll(async () => {
    t = await factory.create();
    store = new SqlEventStore(t.db);
    driver = new WalletDriver(store);
    await t.db.exec(
      `CREATE TABLE test_applied (id bigserial PRIMARY KEY, projector text NOT NULL, tag text NOT NULL, event_id uuid NOT NULL)`,
    );
  });
  afterAll(() => t.drop());

  async function someEvents(count = 3): Promise<string> {
    const walletId = randomUUID();
    await driver.open(walletId);
    for (let i = 1; i < count; i++) await driver.credit(walletId, BigInt(i * 100));
    await driver.settled();
    return walletId;
  }

  it('commits rows and checkpoint together, up to the head', async () => {
    await someEvents(5);
    const runner = new ProjectionRunner(t.db, store, new RecordingProjector('together'), {
      batchSize: 2,
    });
    const count = await runner.catchUp();
    expect(count).toBeGreaterThanOrEqual(5);
    expect(await applied(t.db, 'together')).toEqual({ total: count, duplicates: 0, tags: ['a'] });
    expect((await findCheckpoint(t.db, 'together'))?.position).toEqual(await store.headPosition());
  });

  it('rolls back the batch of an instance whose checkpoint was moved by another', async () => {
    await someEvents();
    const first = new ProjectionRunner(t.db, store, new RecordingProjector('cas', 'first'));
    await first.catchUp();
    await someEvents();
    const second = new ProjectionRunner(t.db, store, new RecordingProjector('cas', 'second'));
    await second.catchUp();
    // `first` still believes in its old checkpoint and reads events `second` already applied.
    await expect(first.catchUp()).rejects.toBeInstanceOf(CheckpointMoved);
    expect((await applied(t.db, 'cas')).duplicates).toBe(0);
    expect(await first.catchUp()).toBe(0);
  });

  it('rolls back rows when the compare-and-set on the checkpoint fails', async () => {
    await someEvents();
    const name = 'cas-update';
    const before = await loadCheckpoint(t.db, name);
    // Simulates a writer that moved the row inside the batch's window.
    const saboteur = new RecordingProjector(name, 'a', async (tx) => {
      await tx.query(
        'UPDATE projection_checkpoints SET prepare_pos = prepare_pos + 1 WHERE name = $1',
        [name],
      );
    });
    await expect(new ProjectionRunner(t.db, store, saboteur).catchUp()).rejects.toBeInstanceOf(
      CheckpointMoved,
    );
    expect((await applied(t.db, name)).total).toBe(0);
    expect((await findCheckpoint(t.db, name))?.position).toEqual(before.position);
  });

  it('changes nothing when the same batch of wallet events is delivered again', async () => {
    const walletId = await someEvents(4);
    await driver.hold(walletId, 'h1', 50n);
    await driver.debit(walletId, 20n, {
      contra: `transit:transfer-${randomUUID()}`,
      kind: 'transfer',
    });
    const projector = new ReadModelsProjector();
    await driver.settled();
    await new ProjectionRunner(t.db, store, projector).catchUp();
    const snapshot = () =>
      t.db
        .query(`SELECT (SELECT json_agg(w ORDER BY wallet_id) FROM read_models.wallet_balances w) AS wallets,
                         (SELECT count(*) FROM read_models.wallet_history) AS history,
                         (SELECT json_agg(a ORDER BY account, currency) FROM read_models.account_balances a) AS accounts`);
    const before = (await snapshot()).rows;
    const events = (await store.readAll({ maxCount: 10_000 })).slice(-7);
    await t.db.transaction((tx) => projector.apply(tx, events));
    await t.db.transaction((tx) => projector.apply(tx, events.slice(2)));
    expect((await snapshot()).rows).toEqual(before);
  });

  it('lets only the lease holder apply; the other takes over when it stops', async () => {
    const a = new ProjectionRunner(t.db, store, new RecordingProjector('leased', 'a'), {
      idlePollMs: 20,
      leaseRetryMs: 20,
    });
    const b = new ProjectionRunner(t.db, store, new RecordingProjector('leased', 'b'), {
      idlePollMs: 20,
      leaseRetryMs: 20,
    });
    a.start();
    await eventually(() => a.active, 'a holds the lease');
    b.start();
    try {
      const { position } = await driver.open(randomUUID());
      expect(await a.waitForPosition(position, 10_000)).toBe(true);
      expect(b.active).toBe(false);
      expect((await applied(t.db, 'leased')).tags).toEqual(['a']);
      await a.stop();
      await eventually(() => b.active, 'b takes over the lease');
      const later = await driver.open(randomUUID());
      expect(await b.waitForPosition(later.position, 10_000)).toBe(true);
      expect(await applied(t.db, 'leased')).toMatchObject({ duplicates: 0, tags: ['a', 'b'] });
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('wakes waiters in process and, without notification, by polling the checkpoint', async () => {
    const runner = new ProjectionRunner(t.db, store, new RecordingProjector('waits'), {
      idlePollMs: 20,
    });
    runner.start();
    try {
      const { position } = await driver.open(randomUUID());
      expect(await runner.waitForPosition(position, 10_000)).toBe(true);
      const elsewhere = new ProjectionProgress();
      const next = await driver.open(randomUUID());
      expect(
        await waitForPosition(t.db, 'waits', next.position, 10_000, {
          progress: elsewhere,
          pollMs: 20,
        }),
      ).toBe(true);
      const never = { commit: next.position.commit + 1_000_000n, prepare: 0n };
      expect(await runner.waitForPosition(never, 50)).toBe(false);
    } finally {
      await runner.stop();
    }
  });

  it('reports lag while behind and none once caught up', async () => {
    const name = `status-${randomUUID()}`;
    await someEvents(3);
    const runner = new ProjectionRunner(t.db, store, new RecordingProjector(name));
    await loadCheckpoint(t.db, name);
    const behind = await projectionStatus(t.db, store, name);
    expect(behind.caughtUp).toBe(false);
    expect(behind.eventsBehind).toBeGreaterThanOrEqual(3);
    expect(behind.lagSeconds).toBeGreaterThanOrEqual(0);
    await runner.catchUp();
    const after = await projectionStatus(t.db, store, name);
    expect(after).toMatchObject({
      caughtUp: true,
      eventsBehind: 0,
      lagSeconds: 0,
      head: after.checkpoint,
    });
    expect(after.lastEventAt).toBeInstanceOf(Date);
  });

  it('ignores streams that are not wallets', async () => {
    const { position } = await store.append(
      `transfer-${randomUUID()}`,
      [{ id: randomUUID(), type: 'TransferRequested', data: {} }],
      'no_stream',
    );
    await readable(store, position);
    await expect(
      new ProjectionRunner(t.db, store, new ReadModelsProjector()).catchUp(),
    ).resolves.toBeGreaterThan(0);
    expect((await findCheckpoint(t.db, READ_MODELS_PROJECTOR))?.position).toEqual(
      await store.headPosition(),
    );
  });
});
