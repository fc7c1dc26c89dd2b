import type { RecipientDirectory } from '@ledger/identity';
import type { SqlDatabase } from '@ledger/database';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import {
  ConfiguredRateProvider,
  deriveId,
  SagaStepper,
  stepId,
  type Transfer,
  type WalletCommand,
  type WalletExecutor,
  walletStream,
} from '@ledger/ledger';
import { WalletCommands } from '@ledger/ledger/nest';
import {
  AT,
  closeMovementSpec,
  eventTypes,
  MovementProcess,
  openMovementSpec,
  openWalletPair,
  SimulatedCrash,
  transferCommand,
} from '@ledger/testing/movements';
import { RecipientResolver } from './recipient.resolver';
import { StartTransferHandler } from './start-transfer.handler';

const STEPS = ['hold', 'credit', 'capture'] as const;

/** Wallets that die at `step`: before the wallet sees its command, or right after it applied it. */
function dyingAt(step: string, when: 'before' | 'after', stream: () => string) {
  return (real: WalletCommands): WalletExecutor => ({
    async execute(walletId: string, command: WalletCommand, context) {
      const dies = command.commandId === stepId(stream(), step);
      if (dies && when === 'before') throw new SimulatedCrash(`died before ${step}`);
      const outcome = await real.execute(walletId, command, context);
      if (dies) throw new SimulatedCrash(`died after ${step}`);
      return outcome;
    },
  });
}

/** The API side of one process: the transfer handler running the saga through its own stepper. */
function transferHandler(db: SqlDatabase, proc: MovementProcess, wallets: WalletExecutor) {
  const directory = {} as RecipientDirectory;
  return new StartTransferHandler(
    proc.wallets,
    proc.streams,
    new RecipientResolver(proc.wallets, directory, db),
    new ConfiguredRateProvider(''),
    new SagaStepper(proc.streams, wallets, proc.jobs),
  );
}

describe.each(databaseFactories())('transfers run inline on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    ({ database, proc } = await openMovementSpec(factory));
  });
  afterAll(() => closeMovementSpec({ database, proc }));

  let n = 0;
  async function wallets(fund = 1_000n) {
    n++;
    const { from, to } = await openWalletPair(proc, ['inline-wallet', String(n)], { fund });
    return { from, to, commandId: deriveId('inline-transfer', String(n)) };
  }

  const command = transferCommand;
  const streamOf = (commandId: string) => `transfer-${deriveId('transfer', commandId)}`;

  const walletEventTypes = (walletId: string) => eventTypes(proc, walletStream(walletId));

  it('answers completed with the money moved and the position of the last step', async () => {
    const { from, to, commandId } = await wallets();
    const started = await transferHandler(database.db, proc, proc.wallets).execute(
      command(from, to, commandId),
    );
    expect(started).toMatchObject({ ok: true, status: 'completed' });
    const stream = streamOf(commandId);
    const events = await proc.store.readStream(stream);
    expect(events.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferFundsHeld',
      'TransferRecipientCredited',
      'TransferHoldCaptured',
      'TransferCompleted',
    ]);
    expect(started.ok && started.position).toEqual(events.at(-1)?.position);
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
  });

  it('refuses an overdraft at once: exceeds_available, no hold, the saga failed', async () => {
    const { from, to, commandId } = await wallets(100n);
    const started = await transferHandler(database.db, proc, proc.wallets).execute(
      command(from, to, commandId),
    );
    expect(started).toEqual({ ok: false, rejection: 'exceeds_available' });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 100n, heldMinor: 0n });
    expect(await walletEventTypes(from)).not.toContain('HoldPlaced');
    expect((await proc.streams.replay(streamOf(commandId)))?.summary).toMatchObject({
      status: 'failed',
      failureReason: 'exceeds_available',
    });
  });

  it('refuses a frozen sender at once with wallet_frozen', async () => {
    const { from, to, commandId } = await wallets();
    await proc.must(from, { type: 'Freeze', commandId: `freeze-${from}`, at: AT, reason: 'kyc' });
    const started = await transferHandler(database.db, proc, proc.wallets).execute(
      command(from, to, commandId),
    );
    expect(started).toEqual({ ok: false, rejection: 'wallet_frozen' });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 0n });
  });

  it('answers a frozen recipient with wallet_frozen once the hold is released', async () => {
    const { from, to, commandId } = await wallets();
    await proc.must(to, { type: 'Freeze', commandId: `freeze-${to}`, at: AT, reason: 'kyc' });
    const started = await transferHandler(database.db, proc, proc.wallets).execute(
      command(from, to, commandId),
    );
    expect(started).toEqual({ ok: false, rejection: 'wallet_frozen' });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 1_000n, heldMinor: 0n });
    expect((await proc.streams.replay(streamOf(commandId)))?.summary?.status).toBe('failed');
  });

  it('answers a retry under the same key as the first run did, recording nothing new', async () => {
    const { from, to, commandId } = await wallets();
    const handler = transferHandler(database.db, proc, proc.wallets);
    const first = await handler.execute(command(from, to, commandId));
    const events = await proc.store.readStream(streamOf(commandId));
    const again = await transferHandler(database.db, proc, proc.wallets).execute(
      command(from, to, commandId),
    );
    expect(again).toEqual(first);
    expect(await proc.store.readStream(streamOf(commandId))).toHaveLength(events.length);

    const poor = await wallets(10n);
    const refused = await handler.execute(command(poor.from, poor.to, poor.commandId));
    expect(await handler.execute(command(poor.from, poor.to, poor.commandId))).toEqual(refused);
  });

  describe.each(
    STEPS.flatMap((step) => (['before', 'after'] as const).map((when) => ({ step, when }))),
  )('a process that dies $when the $step', ({ step, when }) => {
    it('answers pending, and the worker ends the transfer as the inline run would have, each wallet event once', async () => {
      const inline = await wallets();
      const worker = await wallets();
      const doomed = new MovementProcess(database.db);
      const started = await transferHandler(
        database.db,
        doomed,
        dyingAt(step, when, () => streamOf(inline.commandId))(doomed.wallets),
      ).execute(command(inline.from, inline.to, inline.commandId));
      await doomed.close();
      expect(started).toMatchObject({ ok: true, status: 'pending' });

      // A new worker process resumes from the saga stream, once the inline run's lease is over.
      const afterLease = () => new Date(Date.now() + 60_000);
      const restarted = new MovementProcess(
        database.db,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        { clock: afterLease },
      );
      // Settled, not drained once: on Postgres the log may show the request late.
      await restarted.settle();
      await restarted.close();

      // The same transfer through the worker alone, for comparison.
      const recorded = (await proc.streams.replay(streamOf(inline.commandId)))!.state as Transfer;
      if (recorded.phase === 'none') throw new Error('The inline transfer was not recorded');
      const request = await proc.streams.record(streamOf(worker.commandId), {
        type: 'StartTransfer',
        commandId: worker.commandId,
        request: {
          ...recorded.request,
          // Run by the worker alone: no inline lease.
          inlineUntil: undefined,
          transferId: deriveId('transfer', worker.commandId),
          fromWalletId: worker.from,
          toWalletId: worker.to,
        },
      });
      expect(request.ok).toBe(true);
      await proc.settle();

      // The driver's takeover after the lease is the one event the worker-only run lacks.
      const types = async (commandId: string) =>
        (await proc.store.readStream(streamOf(commandId)))
          .map((e) => e.type)
          .filter((type) => type !== 'TransferInlineRunEnded');
      expect(await types(inline.commandId)).toEqual(await types(worker.commandId));
      expect(await types(inline.commandId)).toContain('TransferCompleted');
      expect(await walletEventTypes(inline.from)).toEqual(await walletEventTypes(worker.from));
      expect(await walletEventTypes(inline.to)).toEqual(await walletEventTypes(worker.to));
      const sent = await walletEventTypes(inline.from);
      expect(sent.filter((t) => t === 'HoldPlaced')).toHaveLength(1);
      expect(sent.filter((t) => t === 'HoldCaptured')).toHaveLength(1);
      expect(
        (await walletEventTypes(inline.to)).filter((t) => t === 'WalletCredited'),
      ).toHaveLength(1);
      expect(await proc.wallet(inline.from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
      expect(await proc.wallet(inline.to)).toMatchObject({ postedMinor: 300n });
    });
  });
});
