import type { Count, LedgerClient } from './bank-client';
import { sleep, type ServiceProcess } from './service-processes';

/**
 * The faults the bank test deals to the processes, each at a seeded random
 * point of the workload: the worker SIGKILLed and restarted several times,
 * the API SIGKILLed with requests in flight and restarted, and the test's
 * Redis killed and started again empty. Redis goes last, after the last
 * worker restart, so nothing but the running processes can bring back the
 * jobs it loses.
 */
export interface ChaosTargets {
  readonly api: ServiceProcess;
  readonly worker: ServiceProcess;
  readonly redis: ServiceProcess;
  readonly client: LedgerClient;
  /** Whether a payout job waits in Redis to be retried (a withdrawal whose provider is down). */
  readonly payoutsOutstanding: () => Promise<boolean>;
}

interface Fault {
  readonly kind: 'worker' | 'api' | 'redis';
  /** The operation index from which it is due. */
  readonly at: number;
}

/** Kill the API with at least this many money-moving requests in flight, waiting at most the next. */
const MOVING_IN_FLIGHT = 2;
const IN_FLIGHT_WAIT_MS = 10_000;
const OUTSTANDING_WAIT_MS = 20_000;
const OUTSTANDING_POLL_MS = 100;
const SETTLE_BEFORE_REDIS_MS = 10_000;
const POLL_MS = 5;
const WORKER_DOWN_MS = 1_500;

export class Chaos {
  private readonly faults: Fault[];
  private dealt = 0;
  private progress = 0;
  private readonly waiters: Array<() => void> = [];
  private running?: Promise<void>;

  constructor(
    private readonly targets: ChaosTargets,
    private readonly random: () => number,
    private readonly count: Count,
    operations: number,
  ) {
    const within = (lo: number, hi: number) => Math.floor(operations * (lo + random() * (hi - lo)));
    this.faults = [
      { kind: 'worker' as const, at: within(0.08, 0.2) },
      { kind: 'worker' as const, at: within(0.26, 0.36) },
      { kind: 'api' as const, at: within(0.4, 0.48) },
      { kind: 'worker' as const, at: within(0.52, 0.62) },
      { kind: 'redis' as const, at: within(0.68, 0.78) },
    ];
  }

  start(): void {
    this.running = this.deal();
  }

  /** Resolves once every fault due at or before this operation has struck; workload clients await it. */
  async reached(index: number): Promise<void> {
    this.progress = Math.max(this.progress, index);
    while ((this.faults[this.dealt]?.at ?? Infinity) <= index)
      await new Promise<void>((done) => this.waiters.push(done));
  }

  /** Waits for the last restart to finish. */
  async finished(): Promise<void> {
    await this.running;
  }

  private async deal(): Promise<void> {
    const restarting = new Map<Fault['kind'], Promise<void>>();
    for (const fault of this.faults) {
      while (this.progress < fault.at) await sleep(POLL_MS);
      // A process is killed again only once it is back; Redis goes once every restart is done.
      if (fault.kind === 'redis') {
        await Promise.all(restarting.values());
        // A worker that just started re-created every job and is running them;
        // Redis goes once the jobs have settled into their retry delays.
        await sleep(SETTLE_BEFORE_REDIS_MS);
      } else await restarting.get(fault.kind);
      const { restart } = await this.strike(fault.kind);
      // Awaited before the next fault on the same target; a failed start is reported there.
      restart.catch(() => undefined);
      restarting.set(fault.kind, restart);
      this.dealt += 1;
      this.waiters.splice(0).forEach((wake) => wake());
    }
    await Promise.all(restarting.values());
  }

  /**
   * Kills at once; resolves with the restart, which runs while the workload
   * goes on (wrapped, since a promise resolved with a promise would wait for it).
   */
  private async strike(kind: Fault['kind']): Promise<{ restart: Promise<void> }> {
    const { api, worker, redis, client } = this.targets;
    if (kind === 'worker') {
      await worker.kill();
      this.count('kills: worker SIGKILLed');
      return {
        restart: sleep(Math.floor(this.random() * WORKER_DOWN_MS)).then(() => worker.start()),
      };
    }
    if (kind === 'api') {
      for (
        let waited = 0;
        client.movingInFlight < MOVING_IN_FLIGHT && waited < IN_FLIGHT_WAIT_MS;
        waited += POLL_MS
      )
        await sleep(POLL_MS);
      this.count('kills: requests in flight when the API was SIGKILLed', client.inFlight);
      this.count('kills: money-moving requests among them', client.movingInFlight);
      await api.kill();
      this.count('kills: API SIGKILLed');
      return { restart: api.start() };
    }
    for (let waited = 0; waited < OUTSTANDING_WAIT_MS; waited += OUTSTANDING_POLL_MS) {
      if (await this.targets.payoutsOutstanding()) break;
      await sleep(OUTSTANDING_POLL_MS);
    }
    this.count(
      'kills: Redis killed with payout retries waiting in it',
      Number(await this.targets.payoutsOutstanding()),
    );
    await redis.kill();
    this.count('kills: Redis SIGKILLed and restarted empty');
    return { restart: redis.start() };
  }
}
