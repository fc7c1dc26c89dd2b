import type { SqlDatabase } from '@ledger/database';
import { SqlEventStore, type EventStore } from '@ledger/event-store';
import {
  MovementStreams,
  WalletCommands,
  walletStream,
  type CommandContext,
  type OpenedWallet,
  type WalletCommand,
  type WalletOutcome,
} from '@ledger/ledger';
import { InProcessSagaJobQueue } from '../../apps/worker/src/sagas/in-process.saga-job-queue';
import { SagaDriver, type WalletExecutor } from '../../apps/worker/src/sagas/saga.driver';

export const AT = '2026-01-01T00:00:00.000Z';

/**
 * One "process" of the service over a shared database: its own command-path
 * caches, saga streams, job queue and driver, as a restarted worker would
 * have. Tests build a second one to stand for the process after a crash.
 */
export class MovementProcess {
  readonly store: EventStore;
  readonly wallets: WalletCommands;
  readonly streams: MovementStreams;
  readonly jobs = new InProcessSagaJobQueue();
  readonly driver: SagaDriver;

  constructor(
    readonly db: SqlDatabase,
    walletsFor: (real: WalletCommands) => WalletExecutor = (real) => real,
  ) {
    this.store = new SqlEventStore(db);
    this.wallets = new WalletCommands(this.store);
    this.streams = new MovementStreams(this.store);
    this.driver = new SagaDriver(db, this.store, this.streams, walletsFor(this.wallets), this.jobs, { idlePollMs: 5, maxBackoffMs: 20 });
  }

  async openWallet(walletId: string, ownerId: string, currency = 'USD', fundMinor = 0n): Promise<void> {
    await this.must(walletId, { type: 'OpenWallet', commandId: `open-${walletId}`, at: AT, walletId, ownerId, currency });
    if (fundMinor > 0n) {
      await this.must(walletId, {
        type: 'Credit', commandId: `fund-${walletId}`, at: AT, entryId: `fund-${walletId}`, amountMinor: fundMinor,
        currency, contra: 'system:adjustments', kind: 'adjustment',
      });
    }
  }

  async must(walletId: string, command: WalletCommand): Promise<void> {
    const outcome = await this.wallets.execute(walletId, command);
    if (!outcome.ok) throw new Error(`${command.type} on ${walletId} refused: ${outcome.rejection}`);
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

  close(): void {
    this.jobs.close();
  }
}

/** A simulated crash: the process dies right after the wallet applied a command, before the saga recorded it. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** Wallets that crash the process right after executing the command for which `crashAfter` says so. */
export function crashingWallets(crashAfter: (command: WalletCommand) => boolean) {
  return (real: WalletCommands): WalletExecutor => ({
    async execute(walletId: string, command: WalletCommand, context: CommandContext): Promise<WalletOutcome> {
      const outcome = await real.execute(walletId, command, context);
      if (crashAfter(command)) throw new SimulatedCrash(`crashed after ${command.type} ${command.commandId}`);
      return outcome;
    },
  });
}
