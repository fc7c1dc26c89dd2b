import { must } from '@ledger/invariant';
import pino from 'pino';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { comparePositions } from '@ledger/event-store';
import { deriveId, stepId, type CommandContext, type WalletCommand } from '@ledger/ledger';
import { logCorrelation, setCorrelationRootLogger } from '@ledger/observability';
import {
  closeMovementSpec,
  MovementProcess,
  openMovementSpec,
  openWalletPair,
  requestTransferOn,
  SimulatedCrash,
} from '@ledger/testing/movements';
import { SagaDriver, type SagaDriverOptions, type WalletExecutor } from './saga.driver';
import { loadSagaCheckpoint } from './movements.table';

describe.each(databaseFactories())('saga parking on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    ({ database, proc } = await openMovementSpec(factory));
  });
  afterAll(() => closeMovementSpec({ database, proc }));

  let n = 0;
  async function requestTransfer(correlationId?: string) {
    n++;
    const { from, to } = await openWalletPair(proc, ['park-wallet', String(n)]);
    const stream = await requestTransferOn(
      proc,
      deriveId('park-transfer', String(n)),
      { from, to },
      { context: { correlationId } },
    );
    return { from, to, stream };
  }

  /** Events between two sagas: more than a batch of them. */
  async function filler(wallets: number) {
    for (let i = 0; i < wallets; i++)
      await proc.openWallet(deriveId('park-filler', String(n), String(i)), 'carol', 'USD', 10n);
  }

  /** Wallets that fail every command on the wallets `down` names, like an outage of one wallet. */
  function flakyWallets(down: Set<string>): WalletExecutor {
    return {
      execute(walletId: string, command: WalletCommand, context: CommandContext) {
        if (down.has(walletId))
          return Promise.reject(new Error(`wallet ${walletId} unavailable (alice@example.com)`));
        return proc.wallets.execute(walletId, command, context);
      },
    };
  }

  const driverFor = (name: string, wallets: WalletExecutor, options: SagaDriverOptions = {}) =>
    new SagaDriver(database.db, proc.store, proc.streams, wallets, proc.jobs, {
      name,
      batchSize: 4,
      idlePollMs: 5,
      maxBackoffMs: 20,
      ...options,
    });

  const statusOf = async (stream: string) => (await proc.streams.replay(stream))?.summary?.status;

  async function parkedRows(stream: string) {
    const { rows } = await database.db.query<{
      driver: string;
      attempts: unknown;
      last_error: string;
    }>('SELECT driver, attempts, last_error FROM saga_parking WHERE stream = $1', [stream]);
    return rows;
  }

  it('parks a failing saga, moves on past it, and completes it once the failure stops', async () => {
    const down = new Set<string>();
    const stuck = await requestTransfer();
    down.add(stuck.from);
    await filler(6); // 12 events, three batches of 4
    const later = await requestTransfer();
    const driver = driverFor('parking-1', flakyWallets(down));

    await driver.drain();
    expect(await statusOf(later.stream)).toBe('completed');
    expect(await statusOf(stuck.stream)).toBe('pending');
    const head = await proc.store.headPosition();
    expect(comparePositions(await loadSagaCheckpoint(database.db, 'parking-1'), head)).toBe(0);
    const parked = must((await driver.parked())[0], 'a parked saga');
    expect(parked).toMatchObject({ driver: 'parking-1', movementId: stuck.stream });
    expect(parked.attempts).toBeGreaterThanOrEqual(1);
    expect(parked.lastError).toContain('unavailable');
    expect(parked.lastError).not.toContain('alice@example.com');

    down.clear();
    await driver.drain();
    expect(await statusOf(stuck.stream)).toBe('completed');
    expect(await parkedRows(stuck.stream)).toEqual([]);
    expect(await proc.wallet(stuck.to)).toMatchObject({ postedMinor: 300n });
    expect(await proc.wallet(stuck.from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
  });

  it('backs off a saga that keeps failing, and drain still returns', async () => {
    const down = new Set<string>();
    const stuck = await requestTransfer();
    down.add(stuck.from);
    const driver = driverFor('parking-2', flakyWallets(down));
    await driver.drain();
    const first = Number((await parkedRows(stuck.stream))[0]?.attempts);
    await driver.drain();
    const [row] = await parkedRows(stuck.stream);
    expect(Number(row?.attempts)).toBeGreaterThan(first);
    const [parked] = await driver.parked();
    if (!parked) throw new Error('no parked saga');
    expect(parked.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() - 1_000);
    down.clear();
    await driver.drain();
    expect(await statusOf(stuck.stream)).toBe('completed');
    expect(await driver.parked()).toEqual([]);
  });

  it('completes a parked saga after a crash, in a new driver, without waiting for its backoff', async () => {
    const { from, stream } = await requestTransfer();
    const holdId = stepId(stream, 'hold');
    // The process dies right after the hold, every time, and its backoff is long.
    const crashing: WalletExecutor = {
      async execute(walletId, command, context) {
        const outcome = await proc.wallets.execute(walletId, command, context);
        if (command.commandId === holdId) throw new SimulatedCrash('crashed after the hold');
        return outcome;
      },
    };
    const slow = { idlePollMs: 3_600_000, maxBackoffMs: 3_600_000 };
    await driverFor('parking-3', crashing, slow).drain();
    expect(await parkedRows(stream)).toHaveLength(1);
    expect(await statusOf(stream)).toBe('pending');
    expect(await proc.wallet(from)).toMatchObject({ heldMinor: 300n });

    const restarted = driverFor('parking-3', proc.wallets, slow);
    await restarted.drain({ pauseMs: 1 });
    expect(await statusOf(stream)).toBe('completed');
    expect(await parkedRows(stream)).toEqual([]);
    expect((await proc.walletEvents(from)).filter((e) => e.type === 'HoldPlaced')).toHaveLength(1);
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
  });

  it('retries a parked saga under the correlation id of the request that began it', async () => {
    setCorrelationRootLogger(pino({ level: 'silent' }));
    const down = new Set<string>();
    const stuck = await requestTransfer('request-parked-7');
    down.add(stuck.from);
    const slow = { idlePollMs: 3_600_000, maxBackoffMs: 3_600_000 };
    await driverFor('parking-5', flakyWallets(down), slow).drain();
    expect(await parkedRows(stuck.stream)).toHaveLength(1);

    // A restarted driver retries it with no event in hand: the id comes from the saga's stream.
    const seen: Array<string | undefined> = [];
    const watching: WalletExecutor = {
      execute(walletId, command, context) {
        if (walletId === stuck.from) seen.push(logCorrelation.current());
        return proc.wallets.execute(walletId, command, context);
      },
    };
    await driverFor('parking-5', watching, slow).drain({ pauseMs: 1 });
    expect(await statusOf(stuck.stream)).toBe('completed');
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['request-parked-7']));
  });

  it('retries parked sagas in the running loop', async () => {
    const down = new Set<string>();
    const stuck = await requestTransfer();
    down.add(stuck.from);
    const driver = driverFor('parking-4', flakyWallets(down));
    driver.start();
    try {
      await until(async () => (await parkedRows(stuck.stream)).length === 1);
      down.clear();
      await until(async () => (await statusOf(stuck.stream)) === 'completed');
      await until(async () => (await parkedRows(stuck.stream)).length === 0);
    } finally {
      await driver.stop();
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
