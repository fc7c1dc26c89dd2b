import type { RecipientDirectory } from '@ledger/identity';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import {
  ConfiguredRateProvider,
  deriveId,
  SagaStepper,
  StartTransferCommand,
  stepId,
  type SagaStreams,
  type WalletExecutor,
} from '@ledger/ledger';
import { RecipientResolver, StartTransferHandler } from '@ledger/movements';
import { MovementProcess, SimulatedCrash } from '@ledger/testing/movements';
import { outcomeOf, type MovementOutcome } from '../notifications/notification-jobs';

/**
 * The inline run's lease through the driver's log (docs/sagas.md): a
 * transfer whose API process was killed after each step is left alone by
 * the worker while its lease lasts (the driver's clock is injected, no
 * sleeps), then finished exactly once, also by a driver that restarted in
 * between and so lost what it remembered.
 */
const STEPS = ['hold', 'credit', 'capture'] as const;
const LEASE_MS = 2_000;
const MARGIN_MS = 3_000;

describe.each(databaseFactories())('inline leases driven on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    database = await factory.create();
    proc = new MovementProcess(database.db);
  });
  afterAll(async () => {
    await proc.close();
    await database.drop();
  });

  let n = 0;
  async function wallets() {
    n++;
    const from = deriveId('lease-wallet', String(n), 'a');
    const to = deriveId('lease-wallet', String(n), 'b');
    await proc.openWallet(from, 'alice', 'USD', 1_000n);
    await proc.openWallet(to, 'bob', 'USD');
    return { from, to, commandId: deriveId('lease-transfer', String(n)) };
  }
  const streamOf = (commandId: string) => `transfer-${deriveId('transfer', commandId)}`;
  const types = async (stream: string) => (await proc.store.readStream(stream)).map((e) => e.type);
  const count = (list: string[], type: string) => list.filter((t) => t === type).length;

  /**
   * A worker process whose driver's clock runs `offsetMs()` ahead of the
   * API's; `announced` gets the outcomes its rounds announce.
   */
  function worker(offsetMs: () => number, announced: MovementOutcome[] = []) {
    return new MovementProcess(database.db, undefined, undefined, undefined, undefined, undefined, {
      clock: () => new Date(Date.now() + offsetMs()),
      leaseMarginMs: MARGIN_MS,
      onTerminal: async (ended) => {
        for (const outcome of ended.map(outcomeOf)) if (outcome) announced.push(outcome);
      },
    });
  }

  /** The API process, killed right after the wallet applied `step`: it records nothing more. */
  async function killedAfter(step: string, from: string, to: string, commandId: string) {
    const stream = streamOf(commandId);
    const dead: SagaStreams = {
      current: (movementId, atLeast) => proc.streams.current(movementId, atLeast),
      record: () => Promise.reject(new SimulatedCrash('dead')),
    };
    const dying: WalletExecutor = {
      async execute(walletId, command, context, options) {
        const outcome = await proc.wallets.execute(walletId, command, context, options);
        if (command.commandId === stepId(stream, step)) throw new SimulatedCrash(`after ${step}`);
        return outcome;
      },
    };
    const handler = new StartTransferHandler(
      proc.wallets,
      proc.streams,
      new RecipientResolver(proc.wallets, {} as RecipientDirectory, database.db),
      new ConfiguredRateProvider(''),
      new SagaStepper(dead, dying, proc.jobs),
      LEASE_MS,
    );
    const started = await handler.execute(
      new StartTransferCommand({
        caller: { userId: 'alice', actsForOthers: false },
        commandId,
        fromWalletId: from,
        to: { walletId: to },
        amountMinor: 300n,
        currency: 'USD',
      }),
    );
    expect(started).toMatchObject({ ok: true, status: 'pending' });
    return stream;
  }

  async function expectCompletedOnce(stream: string, from: string, to: string) {
    const saga = await types(stream);
    expect(count(saga, 'TransferCompleted')).toBe(1);
    expect(count(saga, 'TransferFailed')).toBe(0);
    const sent = (await proc.walletEvents(from)).map((e) => e.type);
    expect(count(sent, 'HoldPlaced')).toBe(1);
    expect(count(sent, 'HoldCaptured')).toBe(1);
    expect(
      count(
        (await proc.walletEvents(to)).map((e) => e.type),
        'WalletCredited',
      ),
    ).toBe(1);
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n, heldMinor: 0n });
  }

  it.each(STEPS)(
    'leaves a transfer killed after the %s alone while its lease lasts, then finishes it once',
    async (step) => {
      const { from, to, commandId } = await wallets();
      const stream = await killedAfter(step, from, to, commandId);
      const walletEvents = (await proc.walletEvents(from)).length;

      let offsetMs = 0;
      const announced: MovementOutcome[] = [];
      const driver = worker(() => offsetMs, announced);
      await driver.settle();
      expect(await types(stream)).toEqual(['TransferRequested']);
      expect(await proc.walletEvents(from)).toHaveLength(walletEvents);
      expect(driver.driver.leasedCount).toBeGreaterThanOrEqual(1);
      const { rows } = await database.db.query<{ status: string }>(
        'SELECT status FROM movements WHERE movement_id = $1',
        [stream],
      );
      // The durable backstop: the movement's row, written with the batch that showed the request.
      expect(rows).toEqual([{ status: 'pending' }]);

      offsetMs = LEASE_MS + MARGIN_MS + 1_000;
      await driver.settle();
      expect(await types(stream)).toContain('TransferInlineRunEnded');
      await expectCompletedOnce(stream, from, to);
      // Finished by the advance after the lease, it is announced once, by
      // the batch of the log that holds its terminal event (its round's job).
      expect(announced.filter((o) => o.movement === stream)).toEqual([
        expect.objectContaining({ status: 'completed', endedAt: expect.any(String) }),
      ]);
      await driver.close();
    },
  );

  it('finishes a leased transfer after a driver restart lost its memory, through the resume at start', async () => {
    const { from, to, commandId } = await wallets();
    const stream = await killedAfter('credit', from, to, commandId);
    const first = worker(() => 0);
    await first.settle();
    expect(await types(stream)).toEqual(['TransferRequested']);
    await first.close();

    // A new process: the checkpoint is past the request, so only the resume finds it.
    const restarted = worker(() => LEASE_MS + MARGIN_MS + 1_000);
    await restarted.driver.resumeUnfinished();
    await restarted.settle();
    await expectCompletedOnce(stream, from, to);
    await restarted.close();
  });
});
