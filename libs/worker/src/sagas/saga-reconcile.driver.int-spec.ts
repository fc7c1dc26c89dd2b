import { randomBytes } from 'node:crypto';
import { comparePositions } from '@ledger/event-store';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { eventually } from '../../../../libs/jobs/src/job-queue.contract';
import { deriveId, sagaStreamId, type TopUpRequest, type WithdrawalRequest } from '@ledger/ledger';
import { SandboxGateway } from '@ledger/payments';
import {
  AT,
  BullmqSagaJobs,
  eventTypes,
  FAST_JOBS,
  InMemorySagaJobs,
  MovementProcess,
  redisUrl,
  sagaSummary,
  type HarnessSagaJobs,
} from '@ledger/testing/movements';
import { OwnRedisServer } from '../../../../test/support/own-redis-server';
import { SagaDriver } from './saga.driver';
import { loadSagaCheckpoint } from './movements.table';
import { sagaTimersOf } from './saga-timers.table';

/** This file's own redis-server: it is emptied and paused, which the shared one must never be. */
const REDIS_PORT = 6391;

/** A payout that fails once waits a minute for its retry: the test loses it meanwhile. */
const POLICIES = { ...FAST_JOBS, 'withdrawal.payout': { attempts: 3, backoffMs: 60_000 } };

/** Counts the payouts asked of the provider, to show a re-created job pays out once. */
class CountingGateway extends SandboxGateway {
  payoutCalls = 0;
  override createPayout(input: Parameters<SandboxGateway['createPayout']>[0]) {
    this.payoutCalls++;
    return super.createPayout(input);
  }
}

interface JobsLeg {
  readonly name: string;
  open(redis: OwnRedisServer | undefined): HarnessSagaJobs;
  /** Everything the queue held is gone, as after a Redis restarted without its data. */
  lose(jobs: HarnessSagaJobs, redis: OwnRedisServer | undefined): Promise<void>;
}

const IN_MEMORY: JobsLeg = {
  name: 'in-memory',
  open: () => new InMemorySagaJobs(),
  lose: async (jobs) => (jobs as InMemorySagaJobs).forget(),
};
const BULLMQ: JobsLeg = {
  name: 'BullMQ',
  open: (redis) =>
    new BullmqSagaJobs(redis!.url, `t-reconcile-${randomBytes(4).toString('hex')}`, {
      commandTimeoutMs: 300,
      connectTimeoutMs: 500,
    }),
  lose: (_jobs, redis) => redis!.flushAll(),
};

// BullMQ runs where Redis is available (REDIS_URL set; required with CI=true), on a server of its own.
const withRedis = !!redisUrl();
const LEGS = databaseFactories().flatMap((factory) =>
  (withRedis ? [IN_MEMORY, BULLMQ] : [IN_MEMORY]).map((jobs) => ({
    name: `${factory.name} with ${jobs.name} jobs`,
    factory,
    jobs,
  })),
);

let redis: OwnRedisServer | undefined;
beforeAll(async () => {
  if (withRedis) redis = await OwnRedisServer.start(REDIS_PORT);
});
afterAll(() => redis?.stop());

describe.each(LEGS)('lost saga jobs on $name', ({ factory, jobs: leg }) => {
  let database: TestDatabase;
  let gateway: CountingGateway;
  let jobs: HarnessSagaJobs;
  let proc: MovementProcess;
  let driver: SagaDriver;

  beforeAll(async () => {
    database = await factory.create();
    gateway = new CountingGateway({ redeliveryBaseMs: 1 });
    jobs = leg.open(redis);
    proc = new MovementProcess(database.db, undefined, gateway, POLICIES, jobs).startWorker();
    await proc.ready();
    // The worker's driver, running as in production, with short intervals.
    driver = new SagaDriver(database.db, proc.store, proc.streams, proc.wallets, jobs, {
      idlePollMs: 5,
      maxBackoffMs: 50,
      jobPolicies: POLICIES,
      reconcileIntervalMs: 50,
      timerPollMs: 20,
    });
    driver.start();
    // A PGlite instance takes seconds to start, and far longer on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await driver?.stop();
    await proc?.close();
    gateway?.close();
    await database?.drop();
  });

  let n = 0;
  async function requestWithdrawal(amountMinor: bigint, timeoutAt: string) {
    n++;
    const walletId = deriveId('reconcile-wallet', String(n));
    await proc.openWallet(walletId, 'erin', 'USD', 10_000n);
    const withdrawalId = deriveId('reconcile-withdrawal', String(n));
    const stream = sagaStreamId('withdrawal', withdrawalId);
    const request: WithdrawalRequest = {
      withdrawalId,
      requestedBy: 'erin',
      walletId,
      ownerId: 'erin',
      amountMinor,
      currency: 'USD',
      destinationId: deriveId('reconcile-dest', String(n)),
      destinationType: 'bank_account',
      destinationRef: 'ba_test',
      timeoutAt,
      at: AT,
    };
    expect(
      (
        await proc.streams.record(stream, {
          type: 'StartWithdrawal',
          commandId: `req-${stream}`,
          request,
        })
      ).ok,
    ).toBe(true);
    return { walletId, stream };
  }

  const summary = (stream: string) => sagaSummary(proc, stream);
  const types = (stream: string) => eventTypes(proc, stream);
  /**
   * The driver's checkpoint is past the saga's latest event, so it has
   * enqueued what the saga waits on and will not advance it again on its
   * own: a job lost after this is only re-created by reconciliation.
   */
  async function driverCaughtUp(stream: string): Promise<boolean> {
    const last = (await proc.store.readStream(stream)).at(-1);
    const checkpoint = await loadSagaCheckpoint(database.db, 'sagas');
    return !!last && comparePositions(checkpoint, last.position) >= 0;
  }
  const inSeconds = (s: number) => new Date(Date.now() + s * 1_000).toISOString();

  it('re-creates a payout job lost while it waited for its retry; the withdrawal completes', async () => {
    gateway.script.next('createPayout', 'unavailable', 1);
    const { walletId, stream } = await requestWithdrawal(3_000n, inSeconds(86_400));
    // The first attempt failed and the retry is a minute away: nothing is due now.
    await eventually(
      async () =>
        gateway.payoutCalls === 1 && (await jobs.dueNow()) === 0 && (await driverCaughtUp(stream)),
    );
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'held' });
    const recreated = driver.reconciler.jobsRecreated;

    await leg.lose(jobs, redis);
    expect(await jobs.has(`${stream}:payout`)).toBe(false);

    await eventually(async () => (await summary(stream))?.status === 'completed');
    expect(driver.reconciler.jobsRecreated - recreated).toBe(1);
    expect((await types(stream)).filter((t) => t === 'PayoutCreated')).toHaveLength(1);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 7_000n, heldMinor: 0n });
  });

  it("fires a top-up's timer from Postgres after the queue lost its delayed job", async () => {
    n++;
    const walletId = deriveId('reconcile-wallet', String(n));
    await proc.openWallet(walletId, 'erin', 'USD');
    const stream = sagaStreamId('topup', deriveId('reconcile-topup', String(n)));
    const request: TopUpRequest = {
      topUpId: stream.slice('topup-'.length),
      requestedBy: 'erin',
      walletId,
      ownerId: 'erin',
      amountMinor: 204n, // the sandbox never reports this payment
      currency: 'USD',
      timeoutAt: inSeconds(4),
      at: AT,
    };
    await proc.streams.record(stream, {
      type: 'StartTopUp',
      commandId: `req-${stream}`,
      request,
    });
    const intent = await gateway.createPaymentIntent({
      amountMinor: 204n,
      currency: 'USD',
      customerRef: 'c',
      metadata: { saga: stream },
      idempotencyKey: `${stream}:intent`,
    });
    await proc.streams.record(stream, {
      type: 'RecordPaymentIntent',
      commandId: `intent-${stream}`,
      result: { ok: true, paymentIntentId: intent.paymentIntentId },
      at: AT,
    });
    // The deadline is in Postgres with the saga, and the delayed job in the queue.
    await eventually(async () => (await summary(stream))?.phase === 'awaiting_payment');
    await eventually(() => driverCaughtUp(stream));
    expect(await sagaTimersOf(database.db, stream)).toMatchObject([
      { name: 'topup.timeout', jobId: `${stream}:timeout`, dueAt: request.timeoutAt },
    ]);
    expect(await jobs.has(`${stream}:timeout`)).toBe(true);
    const fired = driver.reconciler.timersFired;

    await leg.lose(jobs, redis);
    expect(await jobs.has(`${stream}:timeout`)).toBe(false);

    await eventually(async () => (await summary(stream))?.status === 'failed');
    expect(await summary(stream)).toMatchObject({ failureReason: 'timed_out' });
    // Once the saga stopped waiting, the driver (after the poll that fired it) deleted its timer.
    await eventually(async () => (await sagaTimersOf(database.db, stream)).length === 0);
    expect(driver.reconciler.timersFired - fired).toBe(1);
  });

  it('never redoes a payout whose job finished and left the queue; its timer still fires', async () => {
    // 2.04 is never reported: the saga waits on its timer with the payout created.
    const { walletId, stream } = await requestWithdrawal(204n, inSeconds(4));
    await eventually(async () => (await summary(stream))?.phase === 'payout_created');
    await eventually(() => driverCaughtUp(stream));
    const calls = gateway.payoutCalls;
    const recreated = driver.reconciler.jobsRecreated;

    await leg.lose(jobs, redis);
    expect(await driver.reconciler.reconcile()).toBe(0);
    expect(gateway.payoutCalls).toBe(calls);

    // The timer fires from Postgres: the payout is canceled and the hold released.
    await eventually(async () => (await summary(stream))?.status === 'failed');
    expect(await summary(stream)).toMatchObject({ failureReason: 'timed_out' });
    expect(await types(stream)).toEqual(
      expect.arrayContaining(['PayoutCanceled', 'WithdrawalHoldReleased']),
    );
    expect((await types(stream)).filter((t) => t === 'PayoutCreated')).toHaveLength(1);
    expect(gateway.payoutCalls).toBe(calls);
    expect(driver.reconciler.jobsRecreated).toBe(recreated);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
  });

  // Only a server can hang; the in-memory queue has none.
  if (leg === BULLMQ)
    it('parks a saga while Redis hangs, and completes it once Redis answers', async () => {
      redis!.pause();
      try {
        const { stream } = await requestWithdrawal(2_000n, inSeconds(86_400));
        const parked = await eventually(async () =>
          (await driver.parked()).find((p) => p.movementId === stream),
        );
        expect(parked).toMatchObject({
          movementId: stream,
          lastError: expect.stringMatching(/JobQueueUnavailableError/),
        });
        redis!.resume();
        await eventually(async () => (await summary(stream))?.status === 'completed');
        expect(await driver.parked()).toEqual([]);
      } finally {
        redis!.resume();
      }
    });
});
