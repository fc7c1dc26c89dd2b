/* eslint-disable max-lines -- both runs of a leased saga over one test bed: the inline run's cases and the driver's share its set-up and checks */
import { InMemoryEventStore } from '@ledger/testing';
import { deriveId } from '../ids';
import { WalletCommands } from '../nest/wallet-commands.service';
import type { WalletCommand } from '../wallet/wallet.commands';
import { walletStream } from '../wallet/wallet.events';
import { MovementStreams } from './nest/movement-streams.service';
import { recordSteps, sagaStreamId, stepId } from './saga';
import type { SagaJobQueue } from './saga-jobs.port';
import { SagaStepper, type SagaStreams, type WalletExecutor } from './saga.stepper';
import type { TransferRequest } from './transfer/transfer.events';

/**
 * The inline run's lease (docs/sagas.md): the API's run and the driver's on
 * one in-memory store, each with its own clock, so "before the lease ends"
 * and "after it" are instants, not sleeps.
 */
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const LEASE_MS = 2_000;
const MARGIN_MS = 3_000;
const clockAt = (ms: number) => () => new Date(T0 + ms);
const noJobs: SagaJobQueue = {
  enqueue: () => Promise.resolve(),
  has: () => Promise.resolve(false),
};

class SimulatedKill extends Error {}

let n = 0;
async function setUp(fundMinor = 1_000n) {
  n++;
  const store = new InMemoryEventStore();
  const wallets = new WalletCommands(store);
  const streams = new MovementStreams(store);
  const from = deriveId('lease-wallet', String(n), 'a');
  const to = deriveId('lease-wallet', String(n), 'b');
  const at = new Date(T0).toISOString();
  for (const [walletId, ownerId] of [
    [from, 'alice'],
    [to, 'bob'],
  ] as const) {
    const opened = await wallets.execute(walletId, {
      type: 'OpenWallet',
      commandId: `open-${walletId}`,
      at,
      walletId,
      ownerId,
      currency: 'USD',
    });
    expect(opened.ok).toBe(true);
  }
  await wallets.execute(from, {
    type: 'Credit',
    commandId: `fund-${from}`,
    at,
    entryId: `fund-${from}`,
    amountMinor: fundMinor,
    currency: 'USD',
    contra: 'system:adjustments',
    kind: 'adjustment',
  });
  const movementId = sagaStreamId('transfer', deriveId('lease-transfer', String(n)));
  const request: TransferRequest = {
    transferId: movementId.slice('transfer-'.length),
    requestedBy: 'alice',
    fromWalletId: from,
    fromOwnerId: 'alice',
    toWalletId: to,
    toOwnerId: 'bob',
    amountMinor: 300n,
    currency: 'USD',
    creditAmountMinor: 300n,
    creditCurrency: 'USD',
    at,
    inlineUntil: new Date(T0 + LEASE_MS).toISOString(),
  };
  const requested = await streams.record(movementId, {
    type: 'StartTransfer',
    commandId: `start-${movementId}`,
    request,
  });
  expect(requested.ok).toBe(true);

  const api = (clock: () => Date, executor: WalletExecutor = wallets, on: SagaStreams = streams) =>
    new SagaStepper(on, executor, noJobs, { clock });
  const driver = (clock: () => Date, executor: WalletExecutor = wallets) =>
    new SagaStepper(streams, executor, noJobs, { clock, leaseMarginMs: MARGIN_MS });
  const sagaEvents = async () => (await store.readStream(movementId)).map((e) => e.type);
  const walletEvents = async (walletId: string) =>
    (await store.readStream(walletStream(walletId))).map((e) => e.type);
  const balances = async () => {
    const fresh = new WalletCommands(store);
    const [a, b] = [(await fresh.state(from)).wallet, (await fresh.state(to)).wallet];
    if (a.status === 'unopened' || b.status === 'unopened') throw new Error('no wallets');
    return { from: [a.postedMinor, a.heldMinor], to: [b.postedMinor, b.heldMinor] };
  };
  const freeze = (walletId: string) =>
    wallets.execute(walletId, {
      type: 'Freeze',
      commandId: `freeze-${walletId}`,
      at,
      reason: 'kyc',
    });
  return {
    store,
    wallets,
    streams,
    movementId,
    from,
    to,
    api,
    driver,
    sagaEvents,
    walletEvents,
    balances,
    freeze,
  };
}

type Bed = Awaited<ReturnType<typeof setUp>>;

/** Wallets that kill the process right after the wallet applied the command of step `k` (0: hold). */
function killedAfter(bed: Bed, k: number): WalletExecutor {
  const steps = ['hold', 'credit', 'capture'];
  return {
    async execute(walletId, command: WalletCommand, context, options) {
      const outcome = await bed.wallets.execute(walletId, command, context, options);
      if (command.commandId === stepId(bed.movementId, steps[k] ?? '')) throw new SimulatedKill();
      return outcome;
    },
  };
}

/** Saga streams of a process that is dead: it records nothing. */
function deadStreams(bed: Bed): SagaStreams {
  return {
    current: (stream, atLeast) => bed.streams.current(stream, atLeast),
    record: () => Promise.reject(new SimulatedKill()),
  };
}

async function expectCompletedOnce(bed: Bed) {
  const events = await bed.sagaEvents();
  expect(events.filter((t) => t === 'TransferCompleted')).toHaveLength(1);
  expect(events.filter((t) => t === 'TransferFailed')).toHaveLength(0);
  const sent = await bed.walletEvents(bed.from);
  expect(sent.filter((t) => t === 'HoldPlaced')).toHaveLength(1);
  expect(sent.filter((t) => t === 'HoldCaptured')).toHaveLength(1);
  expect((await bed.walletEvents(bed.to)).filter((t) => t === 'WalletCredited')).toHaveLength(1);
  expect(await bed.balances()).toEqual({ from: [700n, 0n], to: [300n, 0n] });
}

describe('the inline run within its lease', () => {
  it('takes hold, credit and capture, then records their outcomes in one append', async () => {
    const bed = await setUp();
    const advanced = await bed.api(clockAt(100)).advance(bed.movementId, 0n, 'start', {
      inline: true,
    });
    expect(advanced.saga?.summary?.status).toBe('completed');
    const events = await bed.store.readStream(bed.movementId);
    expect(events.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferFundsHeld',
      'TransferRecipientCredited',
      'TransferHoldCaptured',
      'TransferCompleted',
    ]);
    // One command, so one append: every outcome carries the same command id.
    expect(new Set(events.slice(1).map((e) => e.metadata.commandId)).size).toBe(1);
    expect(advanced.position).toEqual(events.at(-1)?.position);
    await expectCompletedOnce(bed);
  });

  it('takes no step once its clock is past the lease, and answers pending', async () => {
    const bed = await setUp();
    const advanced = await bed.api(clockAt(LEASE_MS + 1)).advance(bed.movementId, 0n, 'start', {
      inline: true,
    });
    expect(advanced.saga?.summary?.status).toBe('pending');
    expect(await bed.walletEvents(bed.from)).not.toContain('HoldPlaced');
    expect(await bed.sagaEvents()).toEqual(['TransferRequested']);
  });

  it('records a refused credit before it compensates, and fails the saga with nothing moved', async () => {
    const bed = await setUp();
    await bed.freeze(bed.to);
    const advanced = await bed.api(clockAt(100)).advance(bed.movementId, 0n, 'start', {
      inline: true,
    });
    expect(advanced.saga?.summary).toMatchObject({
      status: 'failed',
      failureReason: 'wallet_frozen',
    });
    const events = await bed.store.readStream(bed.movementId);
    expect(events.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferFundsHeld',
      'TransferCreditRefused',
      'TransferHoldReleased',
      'TransferFailed',
    ]);
    // The refusal is on the stream (with the hold before it) before the release is taken.
    expect(events[1]?.metadata.commandId).toBe(events[2]?.metadata.commandId);
    expect(events[3]?.metadata.commandId).not.toBe(events[2]?.metadata.commandId);
    expect(await bed.balances()).toEqual({ from: [1_000n, 0n], to: [0n, 0n] });
  });

  it('makes no wallet decision past the lease, even for a command already under way', async () => {
    const bed = await setUp();
    const outcome = await bed.wallets.execute(
      bed.from,
      {
        type: 'PlaceHold',
        commandId: stepId(bed.movementId, 'hold'),
        holdId: stepId(bed.movementId, 'hold'),
        at: new Date(T0).toISOString(),
        amountMinor: 300n,
        currency: 'USD',
        contra: `transit:${bed.movementId}`,
        kind: 'transfer',
        movementId: bed.movementId,
      },
      {},
      { mayDecide: () => false },
    );
    expect(outcome).toEqual({ ok: false, rejection: 'concurrency_conflict' });
    expect(await bed.walletEvents(bed.from)).not.toContain('HoldPlaced');
  });
});

describe('the driver and a leased saga', () => {
  it('leaves it alone until the lease and the margin are over, then ends the inline run and finishes it', async () => {
    const bed = await setUp();
    const early = await bed
      .driver(clockAt(LEASE_MS + MARGIN_MS - 1))
      .advance(bed.movementId, 0n, 'woken');
    expect(early.leasedUntil).toEqual(new Date(T0 + LEASE_MS + MARGIN_MS));
    expect(await bed.sagaEvents()).toEqual(['TransferRequested']);
    expect(await bed.walletEvents(bed.from)).not.toContain('HoldPlaced');

    const due = await bed.driver(clockAt(LEASE_MS + MARGIN_MS)).advance(bed.movementId, 0n, 'due');
    expect(due.leasedUntil).toBeUndefined();
    expect(await bed.sagaEvents()).toEqual([
      'TransferRequested',
      'TransferInlineRunEnded',
      'TransferFundsHeld',
      'TransferRecipientCredited',
      'TransferHoldCaptured',
      'TransferCompleted',
    ]);
    await expectCompletedOnce(bed);
  });

  it.each([0, 1, 2])(
    'finishes a transfer whose process was killed after step %i, exactly once',
    async (k) => {
      const bed = await setUp();
      // The process dies after the wallet applied step k, before it recorded anything.
      await expect(
        bed
          .api(clockAt(100), killedAfter(bed, k), deadStreams(bed))
          .advance(bed.movementId, 0n, 'start', { inline: true }),
      ).rejects.toThrow(SimulatedKill);
      expect(await bed.sagaEvents()).toEqual(['TransferRequested']);

      await bed.driver(clockAt(LEASE_MS + MARGIN_MS)).advance(bed.movementId, 'latest', 'resume');
      await expectCompletedOnce(bed);
      // And again: a second driver finds nothing to do.
      await bed
        .driver(clockAt(LEASE_MS + MARGIN_MS + 1))
        .advance(bed.movementId, 'latest', 'again');
      await expectCompletedOnce(bed);
    },
  );

  it.each([0, 1, 2])(
    'finishes a transfer whose inline run was cut short after step %i, the steps before recorded',
    async (k) => {
      const bed = await setUp();
      await expect(
        bed
          .api(clockAt(100), killedAfter(bed, k))
          .advance(bed.movementId, 0n, 'start', { inline: true }),
      ).rejects.toThrow(SimulatedKill);
      await bed.driver(clockAt(LEASE_MS + MARGIN_MS)).advance(bed.movementId, 'latest', 'resume');
      await expectCompletedOnce(bed);
    },
  );

  it('records nothing of an inline run that lands after the driver ended it', async () => {
    const bed = await setUp();
    // The API held and saw the credit refused (the recipient was frozen then)
    // within its lease, but its record lands only once the driver, after the
    // lease, has credited the recipient (unfrozen since) and not yet recorded it.
    const late = recordSteps(bed.movementId, [
      { step: 'hold', result: { ok: true }, at: new Date(T0 + 10).toISOString() },
      {
        step: 'credit',
        result: { ok: false, reason: 'wallet_frozen' },
        at: new Date(T0 + 20).toISOString(),
      },
    ]);
    let landed: unknown;
    const driverWallets: WalletExecutor = {
      async execute(walletId, command, context, options) {
        const outcome = await bed.wallets.execute(walletId, command, context, options);
        if (command.commandId === stepId(bed.movementId, 'credit'))
          landed = await bed.streams.record(bed.movementId, late);
        return outcome;
      },
    };
    await bed
      .driver(clockAt(LEASE_MS + MARGIN_MS), driverWallets)
      .advance(bed.movementId, 'latest', 'resume');
    expect(landed).toMatchObject({ ok: true, events: [] });
    expect(await bed.sagaEvents()).not.toContain('TransferCreditRefused');
    await expectCompletedOnce(bed);
  });

  it.each([0, 1, 2])(
    'races an inline run whose step %i returned after the lease: the driver finishes it once',
    async (k) => {
      const bed = await setUp();
      let now = 100;
      let driven: Promise<unknown> = Promise.resolve();
      // Step k's append returns late: by then the lease and the margin are
      // over and the driver, woken, runs at the same time as the API's rest.
      const slow: WalletExecutor = {
        async execute(walletId, command, context, options) {
          const outcome = await bed.wallets.execute(walletId, command, context, options);
          if (command.commandId === stepId(bed.movementId, ['hold', 'credit', 'capture'][k]!)) {
            now = LEASE_MS + MARGIN_MS;
            driven = bed.driver(() => new Date(T0 + now)).advance(bed.movementId, 0n, 'woken');
          }
          return outcome;
        },
      };
      await bed
        .api(() => new Date(T0 + now), slow)
        .advance(bed.movementId, 0n, 'start', { inline: true })
        .catch(() => undefined);
      await driven.catch(() => undefined);
      await bed.driver(() => new Date(T0 + now + 1)).advance(bed.movementId, 'latest', 'again');
      await expectCompletedOnce(bed);
    },
  );

  it('races an inline run that saw the credit refused: either outcome, never both', async () => {
    const bed = await setUp();
    await bed.freeze(bed.to);
    let now = 100;
    let driven: Promise<unknown> = Promise.resolve();
    const slow: WalletExecutor = {
      async execute(walletId, command, context, options) {
        const outcome = await bed.wallets.execute(walletId, command, context, options);
        if (command.commandId === stepId(bed.movementId, 'credit')) {
          // The refusal returns late; meanwhile the recipient is unfrozen and the driver takes over.
          now = LEASE_MS + MARGIN_MS;
          await bed.wallets.execute(bed.to, {
            type: 'Unfreeze',
            commandId: `unfreeze-${bed.to}`,
            at: new Date(T0).toISOString(),
          });
          driven = bed.driver(() => new Date(T0 + now)).advance(bed.movementId, 0n, 'woken');
        }
        return outcome;
      },
    };
    await bed
      .api(() => new Date(T0 + now), slow)
      .advance(bed.movementId, 0n, 'start', { inline: true })
      .catch(() => undefined);
    await driven.catch(() => undefined);
    await bed.driver(() => new Date(T0 + now + 1)).advance(bed.movementId, 'latest', 'again');
    const events = await bed.sagaEvents();
    const ended = events.filter((t) => t === 'TransferCompleted' || t === 'TransferFailed');
    expect(ended).toHaveLength(1);
    const credited = (await bed.walletEvents(bed.to)).filter((t) => t === 'WalletCredited');
    if (ended[0] === 'TransferCompleted') await expectCompletedOnce(bed);
    else {
      expect(credited).toHaveLength(0);
      expect(await bed.balances()).toEqual({ from: [1_000n, 0n], to: [0n, 0n] });
    }
  });
});
