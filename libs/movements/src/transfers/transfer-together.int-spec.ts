import type { SqlDatabase } from '@ledger/database';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { RecipientDirectory } from '@ledger/identity';
import {
  AppendBatcher,
  ConfiguredRateProvider,
  deriveId,
  SagaStepper,
  type WalletExecutor,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import {
  MovementProcess,
  openWalletPair,
  SimulatedCrash,
  transferCommand,
} from '@ledger/testing/movements';
import { RecipientResolver } from './recipient.resolver';
import { StartTransferHandler } from './start-transfer.handler';

/**
 * A transfer between two wallets of this ledger that completes is one
 * append on a store that writes groups: the request, the three wallet steps
 * and their record. These tests hold it to the stepped run: the same events
 * under the same ids, all or nothing when the process dies in the append,
 * and the stepped run whenever the group cannot be written.
 */
interface Parts {
  readonly store: EventStore;
  readonly wallets: WalletCommands;
  readonly streams: MovementStreams;
  readonly stepperWallets?: WalletExecutor;
}

function handlerOver(db: SqlDatabase, proc: MovementProcess, parts: Parts) {
  const wallets = parts.stepperWallets ?? parts.wallets;
  return new StartTransferHandler(
    parts.wallets,
    parts.streams,
    new RecipientResolver(parts.wallets, {} as RecipientDirectory, db),
    new ConfiguredRateProvider(''),
    new SagaStepper(parts.streams, wallets, proc.jobs),
  );
}

/** The wallets' write side without `together`: a saga run through it goes step by step. */
const stepByStep = (real: WalletCommands): WalletExecutor => ({
  execute: (walletId, command, context, options) =>
    real.execute(walletId, command, context, options),
});

/** A process over `store` whose group appends die: before anything is written, or right after. */
function dyingInGroupAppend(store: EventStore, when: 'before' | 'after'): Parts {
  let dead = false;
  const die = () => {
    dead = true;
    return new SimulatedCrash(`died ${when} the group append`);
  };
  const dying = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'appendGroups')
        return async (groups: Parameters<NonNullable<EventStore['appendGroups']>>[0]) => {
          if (dead || when === 'before') throw die();
          await target.appendGroups?.(groups);
          throw die();
        };
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead) throw new SimulatedCrash('the process is dead');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const batcher = new AppendBatcher(dying);
  return {
    store: dying,
    wallets: new WalletCommands(dying, batcher),
    streams: new MovementStreams(dying, batcher),
  };
}

/** What a stream's events are, less what differs between two runs (timestamps, positions, hashes). */
function comparable(events: readonly RecordedEvent[]) {
  const timeless = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (_, v: unknown) =>
        typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? '<time>' : v,
      ),
    );
  return events.map((e) => ({
    id: e.id,
    type: e.type,
    revision: e.revision,
    data: timeless(e.data),
    metadata: timeless(e.metadata),
  }));
}

describe.each(databaseFactories())('transfers in one append on $name', (factory) => {
  const databases: TestDatabase[] = [];
  const processes: MovementProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  async function processOn() {
    const database = await factory.create();
    databases.push(database);
    const proc = new MovementProcess(database.db);
    processes.push(proc);
    return { db: database.db, proc };
  }

  const transfer = transferCommand;
  const streamOf = (commandId: string) => `transfer-${deriveId('transfer', commandId)}`;
  const typesOf = async (proc: MovementProcess, walletId: string) =>
    (await proc.walletEvents(walletId)).map((e) => e.type);

  it('writes the very events of the stepped run, under the same ids, in one transaction', async () => {
    const together = await processOn();
    const stepped = await processOn();
    const commandId = deriveId('together', 'agree');
    const runs = [];
    for (const [{ db, proc }, stepperWallets] of [
      [together, undefined],
      [stepped, stepByStep(stepped.proc.wallets)],
    ] as const) {
      const { from, to } = await openWalletPair(proc, ['together', 'agree']);
      const handler = handlerOver(db, proc, { ...proc, ...(stepperWallets && { stepperWallets }) });
      const started = await handler.execute(transfer(from, to, commandId));
      expect(started).toMatchObject({ ok: true, status: 'completed' });
      const saga = await proc.store.readStream(streamOf(commandId));
      const sent = (await proc.walletEvents(from)).slice(2);
      const received = (await proc.walletEvents(to)).slice(1);
      expect(started.ok && started.position).toEqual(saga.at(-1)?.position);
      runs.push({ saga, sent, received, from });
    }
    const [one, steps] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(comparable(one.saga)).toEqual(comparable(steps.saga));
    expect(comparable(one.sent)).toEqual(comparable(steps.sent));
    expect(comparable(one.received)).toEqual(comparable(steps.received));
    expect(one.sent.map((e) => e.type)).toEqual(['HoldPlaced', 'HoldCaptured']);
    // One transaction for the whole movement, where the stepped run took several.
    const commits = (run: typeof one) =>
      new Set([...run.saga, ...run.sent, ...run.received].map((e) => e.position.commit)).size;
    expect(commits(one)).toBe(1);
    expect(commits(steps)).toBeGreaterThan(1);
    // In the log the wallets' events come before the saga's, as in the stepped run.
    const log = await together.proc.store.readAll();
    const order = log.filter((e) => e.position.commit === one.saga[0]?.position.commit);
    expect(order.map((e) => e.streamId).at(-1)).toBe(streamOf(commandId));
    expect(await together.proc.wallet(one.from)).toMatchObject({
      postedMinor: 700n,
      heldMinor: 0n,
    });
  });

  describe.each(['before', 'after'] as const)('a process that dies %s the group append', (when) => {
    it('leaves all of the movement or none of it, and the retry ends it exactly once', async () => {
      const { db, proc } = await processOn();
      const { from, to } = await openWalletPair(proc, ['together', when]);
      const commandId = deriveId('together', 'dies', when);
      const doomed = dyingInGroupAppend(proc.store, when);
      await expect(
        handlerOver(db, proc, doomed).execute(transfer(from, to, commandId)),
      ).rejects.toThrow(SimulatedCrash);
      const saga = await proc.store.readStream(streamOf(commandId));
      expect(saga).toHaveLength(when === 'before' ? 0 : 5);
      expect(await typesOf(proc, from)).toEqual(
        when === 'before'
          ? ['WalletOpened', 'WalletCredited']
          : ['WalletOpened', 'WalletCredited', 'HoldPlaced', 'HoldCaptured'],
      );

      // The client retries under the same Idempotency-Key, on a process that lives.
      const retried = await handlerOver(db, proc, proc).execute(transfer(from, to, commandId));
      expect(retried).toMatchObject({ ok: true, status: 'completed' });
      await proc.settle();
      expect(await proc.store.readStream(streamOf(commandId))).toHaveLength(5);
      expect(await typesOf(proc, from)).toEqual([
        'WalletOpened',
        'WalletCredited',
        'HoldPlaced',
        'HoldCaptured',
      ]);
      expect(await typesOf(proc, to)).toEqual(['WalletOpened', 'WalletCredited']);
      expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
      expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
    });
  });

  it('goes step by step when another process moved a wallet, and moves the money once', async () => {
    const { db, proc } = await processOn();
    const { from, to } = await openWalletPair(proc, ['together', 'moved']);
    const handler = handlerOver(db, proc, proc);
    await proc.wallets.state(from);
    // Another process credits the sender after this one cached it.
    await new WalletCommands(proc.store).execute(from, {
      type: 'Credit',
      commandId: deriveId('together', 'moved', 'elsewhere'),
      at: '2026-01-01T00:00:00.000Z',
      entryId: deriveId('together', 'moved', 'elsewhere'),
      amountMinor: 50n,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
    const commandId = deriveId('together', 'moved', 'transfer');
    const started = await handler.execute(transfer(from, to, commandId));
    expect(started).toMatchObject({ ok: true, status: 'completed' });
    const saga = await proc.store.readStream(streamOf(commandId));
    // The stepped run: the request in one append, the outcomes in another.
    expect(new Set(saga.map((e) => e.position.commit)).size).toBe(2);
    expect((await typesOf(proc, from)).filter((t) => t === 'HoldCaptured')).toHaveLength(1);
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 750n, heldMinor: 0n });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
  });

  it('decides a refusal on the latest balance, as the stepped run does', async () => {
    const { db, proc } = await processOn();
    const { from, to } = await openWalletPair(proc, ['together', 'refused'], { fund: 100n });
    const started = await handlerOver(db, proc, proc).execute(
      transfer(from, to, deriveId('together', 'refused', 'transfer')),
    );
    expect(started).toEqual({ ok: false, rejection: 'exceeds_available' });
    expect(await typesOf(proc, from)).toEqual(['WalletOpened', 'WalletCredited']);
    expect(
      (await proc.streams.replay(streamOf(deriveId('together', 'refused', 'transfer'))))?.summary,
    ).toMatchObject({ status: 'failed', failureReason: 'exceeds_available' });
  });
});
