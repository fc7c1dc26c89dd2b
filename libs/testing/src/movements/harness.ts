import type { SqlDatabase } from '@ledger/database';
import { comparePositions, type EventStore, type Position } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import {
  walletStream,
  type CommandContext,
  type OpenedWallet,
  type WalletCommand,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands, type WalletOutcome } from '@ledger/ledger/nest';
import type { ContactDirectory } from '@ledger/identity';
import { SandboxGateway } from '@ledger/payments';
import { lastCommittedPosition } from '../last-committed';
import { SAGA_JOB_NAMES, type SagaJobName } from '@ledger/ledger';
import { GatewayEventRecorder } from '@ledger/ledger/nest';
import {
  SagaDriver,
  type SagaDriverOptions,
  type WalletExecutor,
} from '../../../worker/src/sagas/saga.driver';
import { SagaJobRunner } from '../../../worker/src/sagas/saga-jobs.runner';
import { loadSagaCheckpoint } from '../../../worker/src/sagas/movements.table';
import { PaymentCustomers, StartTopUpHandler } from '@ledger/movements';
import { InMemorySagaJobs, type HarnessSagaJobs } from './saga-job-legs';

export const AT = '2026-01-01T00:00:00.000Z';

/** Retries without waiting seconds: a test runs the same attempts, just faster. */
export const FAST_JOBS = Object.fromEntries(
  SAGA_JOB_NAMES.map((name) => [name, { attempts: 4, backoffMs: 1 }]),
) as Record<SagaJobName, { attempts: number; backoffMs: number }>;

/**
 * One "process" of the service over a shared database: its own command-path
 * caches, saga streams, job queue and driver, as a restarted worker would
 * have. Tests build a second one to stand for the process after a crash.
 */
export class MovementProcess {
  readonly store: EventStore;
  readonly wallets: WalletCommands;
  readonly streams: MovementStreams;
  readonly driver: SagaDriver;
  readonly recorder: GatewayEventRecorder;
  readonly topUps: StartTopUpHandler;
  private unsubscribe?: () => void;
  private started: Promise<void> = Promise.resolve();

  constructor(
    readonly db: SqlDatabase,
    walletsFor: (real: WalletCommands) => WalletExecutor = (real) => real,
    /** The provider outlives a worker process, so tests share one between processes. */
    readonly gateway = new SandboxGateway({ redeliveryBaseMs: 1 }),
    jobPolicies: Record<SagaJobName, { attempts: number; backoffMs: number }> = FAST_JOBS,
    /** In memory unless a test passes BullMQ's; a process after a crash opens one on the same queue. */
    readonly jobs: HarnessSagaJobs = new InMemorySagaJobs(),
    /** The mobile-money rail (a sandbox playing M-Pesa) and where its payouts find the owner's phone. */
    readonly mobileMoney?: { gateway: SandboxGateway; contacts: ContactDirectory },
    /** The driver's clock and lease margin, for a test that puts it past an inline lease. */
    driverOptions: Pick<SagaDriverOptions, 'clock' | 'leaseMarginMs' | 'onTerminal'> = {},
  ) {
    this.store = new SqlEventStore(db);
    this.wallets = new WalletCommands(this.store);
    this.streams = new MovementStreams(this.store);
    this.driver = new SagaDriver(
      db,
      this.store,
      this.streams,
      walletsFor(this.wallets),
      this.jobs,
      {
        idlePollMs: 5,
        maxBackoffMs: 20,
        jobPolicies,
        ...driverOptions,
      },
    );
    this.recorder = new GatewayEventRecorder(this.streams);
    this.topUps = new StartTopUpHandler(
      this.wallets,
      this.streams,
      gateway,
      new PaymentCustomers(db, gateway),
    );
  }

  /** Starts what the worker runs besides the driver: the job runner and the provider's event feed. */
  startWorker(): this {
    this.started = this.jobs.start(
      new SagaJobRunner(
        this.streams,
        this.gateway,
        this.mobileMoney?.gateway ?? null,
        this.mobileMoney?.contacts,
      ),
    );
    // Reported by ready() and settle() instead of as an unhandled rejection.
    this.started.catch(() => undefined);
    const feeds = [this.gateway, ...(this.mobileMoney ? [this.mobileMoney.gateway] : [])].map(
      (gateway) => gateway.onEvent(async (event) => void (await this.recorder.record(event))),
    );
    this.unsubscribe = () => feeds.forEach((unsubscribe) => unsubscribe());
    return this;
  }

  /** Resolves once the job runner takes jobs: at once in memory, once connected on BullMQ. */
  ready(): Promise<void> {
    return this.started;
  }

  /**
   * Runs driver, jobs and provider events until nothing moves any more:
   * no timing, just "the log stopped growing". Bounded, so a livelock fails the test.
   */
  async settle(maxRounds = 200, options: { failIfBusy?: boolean } = {}): Promise<void> {
    await this.started;
    let head: Position | undefined;
    for (let round = 0; round < maxRounds; round++) {
      await this.driver.drain();
      await this.gateway.idle();
      await this.mobileMoney?.gateway.idle();
      await this.jobs.idle();
      // Counted before the log is read: a job that appends after the count moves the log's end.
      const due = await this.jobs.dueNow();
      const last = await lastCommittedPosition(this.db);
      // The driver sees only what committed before the oldest transaction open
      // anywhere on the server (other tests' included): until it has read up
      // to the last committed event, the log is not settled, however still it looks.
      const caughtUp =
        !last || comparePositions(await loadSagaCheckpoint(this.db, 'sagas'), last) >= 0;
      const unchanged =
        (!last && !head) || (!!last && !!head && comparePositions(last, head) === 0);
      if (caughtUp && unchanged && due === 0) return;
      head = last;
      await new Promise((resolve) => (caughtUp ? setImmediate(resolve) : setTimeout(resolve, 10)));
    }
    if (options.failIfBusy === false) return;
    const tail = (await this.store.readAll({ ...(head && { after: head }), maxCount: 20 })).map(
      (e) => `${e.streamId} ${e.type} ${JSON.stringify(e.data).slice(0, 120)}`,
    );
    throw new Error(`Movements did not settle; still appending:\n${tail.join('\n')}`);
  }

  async openWallet(
    walletId: string,
    ownerId: string,
    currency = 'USD',
    fundMinor = 0n,
  ): Promise<void> {
    await this.must(walletId, {
      type: 'OpenWallet',
      commandId: `open-${walletId}`,
      at: AT,
      walletId,
      ownerId,
      currency,
    });
    if (fundMinor > 0n) {
      await this.must(walletId, {
        type: 'Credit',
        commandId: `fund-${walletId}`,
        at: AT,
        entryId: `fund-${walletId}`,
        amountMinor: fundMinor,
        currency,
        contra: 'system:adjustments',
        kind: 'adjustment',
      });
    }
  }

  async must(walletId: string, command: WalletCommand): Promise<void> {
    const outcome = await this.wallets.execute(walletId, command);
    if (!outcome.ok)
      throw new Error(`${command.type} on ${walletId} refused: ${outcome.rejection}`);
  }

  /** The wallet replayed from its stream by a fresh command path (no cache from this process). */
  async wallet(walletId: string): Promise<OpenedWallet> {
    const { wallet } = await new WalletCommands(this.store).state(walletId);
    if (wallet.status === 'unopened') throw new Error(`No wallet ${walletId}`);
    return wallet;
  }

  async walletEvents(walletId: string) {
    return this.store.readStream(walletStream(walletId));
  }

  /** Stops the feed and the jobs at once; on BullMQ the returned promise ends when running jobs have finished. */
  close(): Promise<void> {
    this.unsubscribe?.();
    return this.jobs.close();
  }
}

/** A simulated crash: the process dies right after the wallet applied a command, before the saga recorded it. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** Wallets that crash the process right after executing the command for which `crashAfter` says so. */
export function crashingWallets(crashAfter: (command: WalletCommand) => boolean) {
  return (real: WalletCommands): WalletExecutor => ({
    async execute(
      walletId: string,
      command: WalletCommand,
      context: CommandContext,
    ): Promise<WalletOutcome> {
      const outcome = await real.execute(walletId, command, context);
      if (crashAfter(command))
        throw new SimulatedCrash(`crashed after ${command.type} ${command.commandId}`);
      return outcome;
    },
  });
}
