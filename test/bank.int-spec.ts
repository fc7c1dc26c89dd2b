import { RecipientDirectory } from '@ledger/identity';
import { SandboxGateway, SandboxScript, type GatewayEvent } from '@ledger/payments';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import {
  ConfiguredRateProvider,
  deriveId,
  SAGA_JOB_NAMES,
  StartTopUpCommand,
  StartTransferCommand,
  StartWithdrawalCommand,
  type MovementStarted,
  type SagaJobName,
  SagaStepper,
} from '@ledger/ledger';
import { WalletCommands } from '@ledger/ledger/nest';
import { PayoutDestinationsStore } from '../apps/api/src/payout-destinations/payout-destinations.store';
import { PaymentCustomers } from '../apps/api/src/cards/payment-customers';
import { StartTopUpHandler } from '../apps/api/src/top-ups/start-top-up.handler';
import { RecipientResolver } from '../apps/api/src/transfers/recipient.resolver';
import { StartTransferHandler } from '../apps/api/src/transfers/start-transfer.handler';
import { StartWithdrawalHandler } from '../apps/api/src/withdrawals/start-withdrawal.handler';
import { crashingWallets, MovementProcess } from './movements/harness';
import { sagaJobsLegs, type SagaJobsSession } from './movements/saga-job-legs';

/**
 * THE BANK TEST. Many clients move money concurrently between a fixed set of
 * wallets (card top-ups, transfers, withdrawals) while the payment provider
 * errors, times out, reports late, never, or twice; webhooks are delivered
 * twice; the worker crashes between steps and is replaced mid-flight.
 * Afterwards the books must balance:
 * - money is conserved: Σ wallets = completed top-ups − completed withdrawals;
 * - no wallet is negative and no hold is left open;
 * - every saga is terminal (completed, or failed and compensated);
 * - each wallet's state equals a replay of its stream;
 * - each transfer's transit account nets to zero, card and payout clearing
 *   mirror the completed top-ups and withdrawals.
 * Each database runs it with the saga jobs in memory and, when REDIS_URL is
 * set, on BullMQ, where the jobs outlive the crashed worker and the new one
 * picks them up.
 */
const WALLETS = 8;
const TOP_UPS = 48;
const TRANSFERS = 120;
const WITHDRAWALS = 32;
const CLIENTS = 16;
const SEED = 20_261_123;

/** The wallet refusals a movement started inline may answer with: it failed, and moved nothing. */
const REFUSED_INLINE = new Set<string>(['exceeds_available', 'wallet_frozen', 'wallet_closed']);

/** Retries fast, and enough of them that a run of transient faults rarely exhausts a payout. */
const BANK_JOBS = Object.fromEntries(
  SAGA_JOB_NAMES.map((n) => [n, { attempts: 8, backoffMs: 2 }]),
) as Record<SagaJobName, { attempts: number; backoffMs: number }>;

const LEGS = databaseFactories().flatMap((factory) =>
  sagaJobsLegs().map((jobs) => ({ name: `${factory.name} with ${jobs.name} jobs`, factory, jobs })),
);

describe.each(LEGS)('the bank on $name', ({ name, factory, jobs }) => {
  let database: TestDatabase;
  let queue: SagaJobsSession;
  beforeAll(async () => {
    database = await factory.create({ poolSize: 20 });
    queue = jobs.session();
  });
  afterAll(async () => {
    await queue.cleanup();
    await database.drop();
  });

  it('balances after concurrent movements, provider faults and worker crashes', async () => {
    const random = mulberry32(SEED);
    const counts = new Map<string, number>();
    const count = (key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);

    const gateway = faultyGateway(count);
    const first = new MovementProcess(
      database.db,
      crashingWallets(
        () => random() < 0.03 && (count('fault: worker crashed between steps'), true),
      ),
      gateway,
      BANK_JOBS,
      queue.open(),
    );
    let worker = first.startWorker();
    await worker.ready();
    worker.driver.start();

    const wallets = Array.from({ length: WALLETS }, (_, i) => ({
      id: deriveId('bank-wallet', String(i)),
      owner: `bank-user-${i}`,
    }));
    for (const w of wallets) await worker.openWallet(w.id, w.owner, 'USD');
    const destinations = new PayoutDestinationsStore(database.db);
    const destinationOf = new Map<string, string>();
    for (const w of wallets) {
      const added = await destinations.add(w.owner, deriveId('bank-destination', w.id), {
        type: 'bank_account',
        providerRef: `ba_${w.owner.replace(/-/g, '_')}`,
        label: 'Bank',
      });
      if (typeof added === 'string') throw new Error(added);
      destinationOf.set(w.owner, added.id);
    }

    const handlers = (proc: MovementProcess) => {
      const wallets = new WalletCommands(proc.store);
      const directory = {
        findUserIdByEmail: async () => undefined,
        findUserIdByPhone: async () => undefined,
      } as unknown as RecipientDirectory;
      return {
        topUp: new StartTopUpHandler(
          wallets,
          proc.streams,
          gateway,
          new PaymentCustomers(database.db, gateway),
          400,
        ),
        transfer: new StartTransferHandler(
          wallets,
          proc.streams,
          new RecipientResolver(wallets, directory, database.db),
          new ConfiguredRateProvider(''),
          new SagaStepper(proc.streams, wallets, proc.jobs, { jobPolicies: BANK_JOBS }),
        ),
        // A few seconds: a payout still unreported then is canceled at the
        // provider before its hold is released, so a late report can no
        // longer pay it out twice (a PayoutPaidAfterRelease fails this test).
        withdrawal: new StartWithdrawalHandler(
          wallets,
          proc.streams,
          destinations,
          new SagaStepper(proc.streams, wallets, proc.jobs, { jobPolicies: BANK_JOBS }),
          3_000,
        ),
      };
    };
    let api = handlers(worker);

    // Each client retries a start that met an unavailable provider, as a browser would, with the same key.
    const operations = shuffle(random, [
      ...Array.from({ length: TOP_UPS }, (_, i) => ({ kind: 'topup' as const, i })),
      ...Array.from({ length: TRANSFERS }, (_, i) => ({ kind: 'transfer' as const, i })),
      ...Array.from({ length: WITHDRAWALS }, (_, i) => ({ kind: 'withdrawal' as const, i })),
    ]);
    const movementIds: string[] = [];
    const run = async (op: (typeof operations)[number]) => {
      const from = wallets[Math.floor(random() * WALLETS)];
      let to = wallets[Math.floor(random() * WALLETS)];
      if (to === from) to = wallets[(wallets.indexOf(from) + 1) % WALLETS];
      const caller = { userId: from.owner, actsForOthers: false };
      const commandId = deriveId('bank-op', op.kind, String(op.i));
      const draw = random();
      for (let attempt = 1; attempt <= 5; attempt++) {
        let started: MovementStarted;
        if (op.kind === 'topup') {
          const amountMinor = 1_000n + BigInt(Math.floor(draw * 4_000));
          started = await api.topUp.execute(
            new StartTopUpCommand({
              caller,
              commandId,
              walletId: from.id,
              amountMinor,
              currency: 'USD',
            }),
          );
        } else if (op.kind === 'transfer') {
          const amountMinor = 1n + BigInt(Math.floor(draw * 800));
          started = await api.transfer.execute(
            new StartTransferCommand({
              caller,
              commandId,
              fromWalletId: from.id,
              to: { walletId: to.id },
              amountMinor,
              currency: 'USD',
            }),
          );
        } else {
          const amountMinor = 1n + BigInt(Math.floor(draw * 1_500));
          started = await api.withdrawal.execute(
            new StartWithdrawalCommand({
              caller,
              commandId,
              walletId: from.id,
              amountMinor,
              currency: 'USD',
              destinationId: destinationOf.get(from.owner)!,
            }),
          );
        }
        if (started.ok) {
          movementIds.push(started.movementId);
          count(`operations: ${op.kind}`);
          return;
        }
        // A transfer or a withdrawal answers its wallet's refusal at once. A
        // withdrawal refused before it was recorded has no saga; one that was
        // recorded (every refused transfer) is failed and terminal, and the
        // books below count it like the rest.
        if (op.kind !== 'topup' && REFUSED_INLINE.has(started.rejection)) {
          const id = `${op.kind}-${deriveId(op.kind, commandId)}`;
          if ((await worker.streams.load(id))?.summary) movementIds.push(id);
          count(`operations: ${op.kind} refused at once (${started.rejection})`);
          return;
        }
        if (started.rejection !== 'payment_provider_unavailable')
          throw new Error(`${op.kind} refused: ${started.rejection}`);
        count('client retries after provider unavailable');
      }
      // Five unavailable answers in a row: the top-up stays requested and its timer ends it.
      movementIds.push(`topup-${deriveId('topup', commandId)}`);
      count('operations: topup');
    };

    const half = Math.floor(operations.length / 2);
    await inParallel(operations.slice(0, half), CLIENTS, run);

    // The worker dies mid-flight and a new one takes over: in memory its jobs die with it (the new
    // driver re-creates them); on BullMQ they stay in Redis for the new worker on the same prefix.
    await worker.driver.stop();
    await worker.close();
    count('worker restarts');
    worker = new MovementProcess(database.db, undefined, gateway, BANK_JOBS, queue.open());
    count('jobs the new worker inherited', await worker.jobs.queued());
    worker.startWorker();
    await worker.ready();
    worker.driver.start();
    // The provider retries webhooks for days; reports the dead worker never acknowledged reach the new one.
    await redeliverUnacknowledged(gateway, worker, count);
    api = handlers(worker);
    await inParallel(operations.slice(half), CLIENTS, run);

    // Duplicate webhooks: every report seen so far is delivered once more.
    for (const event of gateway.seen.slice()) {
      if ((await worker.recorder.record(event)) === 'duplicate')
        count('fault: duplicated webhooks');
    }

    await worker.driver.stop();
    await redeliverUnacknowledged(gateway, worker, count);
    const statuses = await untilTerminal(worker, movementIds);
    await worker.close();
    gateway.close();

    await checkBooks(
      worker,
      wallets.map((w) => w.id),
      movementIds,
      count,
    );
    for (const [status, n] of statuses) count(`outcome: ${status}`, n);
    // eslint-disable-next-line no-console
    console.log(
      `bank test on ${name}:\n` +
        [...counts.entries()]
          .sort()
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n'),
    );
    expect(statuses.get('pending') ?? 0).toBe(0);
  });
});

async function redeliverUnacknowledged(
  gateway: SandboxGateway,
  proc: MovementProcess,
  count: (k: string) => void,
): Promise<void> {
  await gateway.idle();
  const undelivered = gateway.undeliveredEvents as unknown as Array<{ event: GatewayEvent }>;
  for (const { event } of undelivered.splice(0)) {
    await proc.recorder.record(event);
    count('provider redeliveries to the new worker');
  }
}

/** Settles until every movement is terminal; waiting on pending timers, never asserting on time. */
async function untilTerminal(
  proc: MovementProcess,
  ids: readonly string[],
): Promise<Map<string, number>> {
  for (let round = 0; round < 400; round++) {
    // Timers (top-up and withdrawal timeouts) keep the log growing for a while: keep going until all are terminal.
    await proc.settle(200, { failIfBusy: false });
    const statuses = new Map<string, number>();
    for (const id of ids) {
      const status = (await proc.streams.load(id))?.summary?.status ?? 'pending';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    if (!statuses.has('pending')) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('Movements did not all reach a terminal state');
}

async function checkBooks(
  proc: MovementProcess,
  walletIds: string[],
  movementIds: string[],
  count: (k: string, by?: number) => void,
) {
  const log = await proc.store.readAll({ maxCount: 10_000 });
  expect(log.length).toBeLessThan(10_000);
  const accounts = new Map<string, bigint>();
  for (const e of log) {
    const entry = e.data.entry as
      { debit: string; credit: string; amountMinor: string; currency: string } | undefined;
    if (!entry) continue;
    expect(entry.currency).toBe('USD');
    accounts.set(entry.credit, (accounts.get(entry.credit) ?? 0n) + BigInt(entry.amountMinor));
    accounts.set(entry.debit, (accounts.get(entry.debit) ?? 0n) - BigInt(entry.amountMinor));
  }
  let walletsTotal = 0n;
  for (const id of walletIds) {
    const replayed = await proc.wallet(id);
    expect(replayed.postedMinor).toBeGreaterThanOrEqual(0n);
    expect(replayed.heldMinor).toBe(0n);
    expect(replayed.postedMinor).toBe(accounts.get(`wallet:${id}`) ?? 0n);
    // The API's handlers write wallets too, through command paths of their
    // own: the worker's cache, caught up from its revision, must be the replay.
    expect((await proc.wallets.state(id, 'latest')).wallet).toEqual(replayed);
    walletsTotal += replayed.postedMinor;
  }
  let toppedUp = 0n;
  let withdrawn = 0n;
  for (const id of movementIds) {
    const saga = (await proc.streams.load(id))!;
    const types = saga.events.map((e) => e.type);
    // A payout paid after its hold was released would pay the money out twice.
    expect(types).not.toContain('PayoutPaidAfterRelease');
    if (
      types.includes('TransferHoldReleased') ||
      types.includes('TopUpRefunded') ||
      types.includes('WithdrawalHoldReleased')
    )
      count('compensations');
    if (saga.kind === 'transfer') expect(accounts.get(`transit:${id}`) ?? 0n).toBe(0n);
    if (saga.summary?.status !== 'completed') continue;
    if (saga.kind === 'topup') toppedUp += saga.summary.amountMinor;
    if (saga.kind === 'withdrawal') withdrawn += saga.summary.amountMinor;
  }
  expect(walletsTotal).toBe(toppedUp - withdrawn);
  expect(accounts.get('system:card_clearing') ?? 0n).toBe(-toppedUp);
  expect(accounts.get('system:payouts_clearing') ?? 0n).toBe(withdrawn);
  count('money: topped up (minor)', Number(toppedUp));
  count('money: withdrawn (minor)', Number(withdrawn));
}

/** The sandbox with seeded faults on charges and payouts, counting what it injects and what it reports. */
function faultyGateway(count: (key: string) => void) {
  const script = new SandboxScript().randomly({
    seed: SEED,
    rate: 0.3,
    outcomes: [
      'unavailable',
      'rate_limited',
      'timeout',
      'fail_async',
      'no_event',
      'duplicate_event',
      'decline',
    ],
    operations: ['createPaymentIntent', 'createPayout'],
  });
  const gateway = new SandboxGateway({
    script,
    magicAmounts: false,
    redeliveryBaseMs: 5,
    maxDeliveryAttempts: 10,
  }) as SandboxGateway & { seen: GatewayEvent[] };
  gateway.seen = [];
  const seenIds = new Set<string>();
  for (const method of ['createPaymentIntent', 'createPayout'] as const) {
    const original = gateway[method].bind(gateway) as (input: never) => Promise<unknown>;
    (gateway as unknown as Record<string, unknown>)[method] = async (input: never) => {
      try {
        return await original(input);
      } catch (error) {
        count(`fault: ${method} ${(error as { reason?: string }).reason ?? 'error'}`);
        throw error;
      }
    };
  }
  const cancelPayout = gateway.cancelPayout.bind(gateway);
  gateway.cancelPayout = async (input) => {
    const result = await cancelPayout(input);
    count(`timed-out payouts: ${result.status}`);
    return result;
  };
  const onEvent = gateway.onEvent.bind(gateway);
  gateway.onEvent = (handler) =>
    onEvent(async (event) => {
      await handler(event);
      if (seenIds.has(event.providerEventId)) count('fault: provider reported twice');
      else gateway.seen.push(event);
      seenIds.add(event.providerEventId);
      if (event.type.endsWith('_failed')) count(`fault: ${event.type}`);
    });
  return gateway;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
