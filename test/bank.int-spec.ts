/* eslint-disable max-lines -- the bank test: one scenario of concurrent movements under faults,
   and the checks of the books after it, read together. */
import { must } from '@ledger/invariant';
import { RecipientDirectory } from '@ledger/identity';
import type { GatewayEvent } from '@ledger/payments';
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
import {
  MobileMoneyPayer,
  PaymentCustomers,
  PayoutDestinationsStore,
  RecipientResolver,
  StartTopUpHandler,
  StartTransferHandler,
  StartWithdrawalHandler,
} from '@ledger/movements';
import {
  bankContacts,
  faultyCardGateway,
  faultyMpesaGateway,
  type CountingSandbox,
} from './movements/bank-gateways';
import {
  crashingWallets,
  MovementProcess,
  sagaJobsLegs,
  type SagaJobsSession,
} from '@ledger/testing/movements';

/**
 * THE BANK TEST. Many clients move money concurrently between a fixed set of
 * wallets (card and M-Pesa top-ups, transfers, bank and M-Pesa withdrawals;
 * USD wallets on the card rail, KES wallets on mobile money) while each rail
 * errors, times out, reports late, never, or twice; webhooks are delivered
 * twice; the worker crashes between steps and is replaced mid-flight.
 * Afterwards the books must balance:
 * - money is conserved: Σ wallets = completed top-ups − completed withdrawals;
 * - no wallet is negative and no hold is left open;
 * - every saga is terminal (completed, or failed and compensated);
 * - each wallet's state equals a replay of its stream;
 * - each transfer's transit account nets to zero, card and payout clearing
 *   mirror the completed top-ups and withdrawals, in each currency (M-Pesa's
 *   KES top-ups and payouts clear through the same accounts);
 * - a top-up whose M-Pesa callback never came is settled by the status query
 *   its durable timeout asks.
 * Each database runs it with the saga jobs in memory and, when REDIS_URL is
 * set, on BullMQ, where the jobs outlive the crashed worker and the new one
 * picks them up.
 */
const WALLETS = 8;
const KES_WALLETS = 4;
const TOP_UPS = 40;
const MPESA_TOP_UPS = 16;
const TRANSFERS = 110;
const WITHDRAWALS = 26;
const MPESA_WITHDRAWALS = 16;
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

    const gateway = faultyCardGateway(SEED, count);
    const mobileMoney = { gateway: faultyMpesaGateway(SEED + 1, count), contacts: bankContacts() };
    const first = new MovementProcess(
      database.db,
      crashingWallets(
        () => random() < 0.03 && (count('fault: worker crashed between steps'), true),
      ),
      gateway,
      BANK_JOBS,
      queue.open(),
      mobileMoney,
    );
    let worker = first.startWorker();
    await worker.ready();
    worker.driver.start();

    const wallets = Array.from({ length: WALLETS + KES_WALLETS }, (_, i) => ({
      id: deriveId('bank-wallet', String(i)),
      owner: `bank-user-${i}`,
      currency: i < WALLETS ? 'USD' : 'KES',
    }));
    for (const w of wallets) await worker.openWallet(w.id, w.owner, w.currency);
    const usd = wallets.filter((w) => w.currency === 'USD');
    const kes = wallets.filter((w) => w.currency === 'KES');
    const destinations = new PayoutDestinationsStore(database.db);
    const destinationOf = new Map<string, string>();
    for (const w of usd) {
      const added = await destinations.add(w.owner, deriveId('bank-destination', w.id), {
        type: 'bank_account',
        providerRef: `ba_${w.owner.replace(/-/g, '_')}`,
        label: 'Bank',
      });
      if (typeof added === 'string') throw new Error(added);
      destinationOf.set(w.owner, added.id);
    }

    const payer = new MobileMoneyPayer(mobileMoney.gateway, mobileMoney.contacts);
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
          payer,
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
          payer,
        ),
      };
    };
    let api = handlers(worker);

    const mpesa = true as const;
    // Each client retries a start that met an unavailable provider, as a browser would, with the same key.
    const operations = shuffle(random, [
      ...Array.from({ length: TOP_UPS }, (_, i) => ({ kind: 'topup' as const, i })),
      ...Array.from({ length: TRANSFERS }, (_, i) => ({ kind: 'transfer' as const, i })),
      ...Array.from({ length: WITHDRAWALS }, (_, i) => ({ kind: 'withdrawal' as const, i })),
      ...Array.from({ length: MPESA_TOP_UPS }, (_, i) => ({ kind: 'topup' as const, i, mpesa })),
      ...Array.from({ length: MPESA_WITHDRAWALS }, (_, i) => ({
        kind: 'withdrawal' as const,
        i,
        mpesa,
      })),
    ]);
    const movementIds: string[] = [];
    const run = async (op: (typeof operations)[number]) => {
      // Transfers stay within a currency; M-Pesa moves KES, cards and banks USD.
      const rail = 'mpesa' in op ? 'mpesa' : 'card';
      const group = rail === 'mpesa' || (op.kind === 'transfer' && random() < 0.25) ? kes : usd;
      const from = must(group[Math.floor(random() * group.length)], 'a wallet');
      const to = must(
        group[(group.indexOf(from) + 1 + Math.floor(random() * (group.length - 1))) % group.length],
        'another wallet',
      );
      const caller = { userId: from.owner, actsForOthers: false };
      const label = rail === 'mpesa' ? `mpesa ${op.kind}` : op.kind;
      const commandId = deriveId('bank-op', label, String(op.i));
      const draw = random();
      // M-Pesa moves whole shillings.
      const shillings = (max: number) => 100n * (1n + BigInt(Math.floor(draw * max)));
      for (let attempt = 1; attempt <= 5; attempt++) {
        let started: MovementStarted;
        if (op.kind === 'topup') {
          const amountMinor =
            rail === 'mpesa' ? shillings(80) : 1_000n + BigInt(Math.floor(draw * 4_000));
          started = await api.topUp.execute(
            new StartTopUpCommand({
              caller,
              commandId,
              walletId: from.id,
              amountMinor,
              currency: from.currency,
              ...(rail === 'mpesa' && { method: 'mpesa' as const }),
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
              currency: from.currency,
            }),
          );
        } else {
          const amountMinor =
            rail === 'mpesa' ? shillings(6) : 1n + BigInt(Math.floor(draw * 1_500));
          started = await api.withdrawal.execute(
            new StartWithdrawalCommand({
              caller,
              commandId,
              walletId: from.id,
              amountMinor,
              currency: from.currency,
              ...(rail === 'mpesa'
                ? { method: 'mpesa' as const }
                : { destinationId: destinationOf.get(from.owner)! }),
            }),
          );
        }
        if (started.ok) {
          movementIds.push(started.movementId);
          count(`operations: ${label}`);
          return;
        }
        // A transfer or a withdrawal answers its wallet's refusal at once. A
        // withdrawal refused before it was recorded has no saga; one that was
        // recorded (every refused transfer) is failed and terminal, and the
        // books below count it like the rest.
        if (op.kind !== 'topup' && REFUSED_INLINE.has(started.rejection)) {
          const id = `${op.kind}-${deriveId(op.kind, commandId)}`;
          if ((await worker.streams.replay(id))?.summary) movementIds.push(id);
          count(`operations: ${label} refused at once (${started.rejection})`);
          return;
        }
        if (started.rejection !== 'payment_provider_unavailable')
          throw new Error(`${op.kind} refused: ${started.rejection}`);
        count('client retries after provider unavailable');
      }
      // Five unavailable answers in a row: the top-up stays requested and its timer ends it.
      movementIds.push(`topup-${deriveId('topup', commandId)}`);
      count(`operations: ${label}`);
    };

    const half = Math.floor(operations.length / 2);
    await inParallel(operations.slice(0, half), CLIENTS, run);

    // The worker dies mid-flight and a new one takes over: in memory its jobs die with it (the new
    // driver re-creates them); on BullMQ they stay in Redis for the new worker on the same prefix.
    await worker.driver.stop();
    await worker.close();
    count('worker restarts');
    worker = new MovementProcess(
      database.db,
      undefined,
      gateway,
      BANK_JOBS,
      queue.open(),
      mobileMoney,
    );
    count('jobs the new worker inherited', await worker.jobs.queued());
    worker.startWorker();
    await worker.ready();
    worker.driver.start();
    // The provider retries webhooks for days; reports the dead worker never acknowledged reach the new one.
    for (const rail of [gateway, mobileMoney.gateway])
      await redeliverUnacknowledged(rail, worker, count);
    api = handlers(worker);
    await inParallel(operations.slice(half), CLIENTS, run);

    // Duplicate webhooks: every report seen so far is delivered once more.
    for (const event of [...gateway.seen, ...mobileMoney.gateway.seen]) {
      if ((await worker.recorder.record(event)) === 'duplicate')
        count('fault: duplicated webhooks');
    }

    await worker.driver.stop();
    for (const rail of [gateway, mobileMoney.gateway])
      await redeliverUnacknowledged(rail, worker, count);
    const statuses = await untilTerminal(worker, movementIds);
    await worker.close();
    gateway.close();
    mobileMoney.gateway.close();

    await checkBooks(worker, wallets, movementIds, count);
    for (const [status, n] of statuses) count(`outcome: ${status}`, n);
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
  gateway: CountingSandbox,
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
      const status = (await proc.streams.replay(id))?.summary?.status ?? 'pending';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    if (!statuses.has('pending')) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('Movements did not all reach a terminal state');
}

/** Each currency's books: Σ wallets = completed top-ups − completed withdrawals, clearing mirrors both. */
async function checkBooks(
  proc: MovementProcess,
  wallets: ReadonlyArray<{ id: string; currency: string }>,
  movementIds: string[],
  count: (k: string, by?: number) => void,
) {
  const log = await proc.store.readAll({ maxCount: 10_000 });
  expect(log.length).toBeLessThan(10_000);
  // Balances per account and currency: M-Pesa's KES share the clearing accounts with the cards' USD.
  const accounts = new Map<string, bigint>();
  const balance = (account: string, currency: string) =>
    accounts.get(`${currency} ${account}`) ?? 0n;
  const add = (account: string, currency: string, by: bigint) =>
    accounts.set(`${currency} ${account}`, balance(account, currency) + by);
  for (const e of log) {
    const entry = e.data.entry as
      { debit: string; credit: string; amountMinor: string; currency: string } | undefined;
    if (!entry) continue;
    expect(['USD', 'KES']).toContain(entry.currency);
    add(entry.credit, entry.currency, BigInt(entry.amountMinor));
    add(entry.debit, entry.currency, -BigInt(entry.amountMinor));
  }
  const walletsTotal = new Map<string, bigint>();
  for (const { id, currency } of wallets) {
    const replayed = await proc.wallet(id);
    expect(replayed.postedMinor).toBeGreaterThanOrEqual(0n);
    expect(replayed.heldMinor).toBe(0n);
    expect(replayed.postedMinor).toBe(balance(`wallet:${id}`, currency));
    // The API's handlers write wallets too, through command paths of their
    // own: the worker's cache, caught up from its revision, must be the replay.
    expect((await proc.wallets.state(id, 'latest')).wallet).toEqual(replayed);
    walletsTotal.set(currency, (walletsTotal.get(currency) ?? 0n) + replayed.postedMinor);
  }
  const toppedUp = new Map<string, bigint>();
  const withdrawn = new Map<string, bigint>();
  for (const id of movementIds) {
    const saga = (await proc.streams.replay(id))!;
    const types = saga.events.map((e) => e.type);
    // A payout paid after its hold was released would pay the money out twice.
    expect(types).not.toContain('PayoutPaidAfterRelease');
    if (
      types.includes('TransferHoldReleased') ||
      types.includes('TopUpRefunded') ||
      types.includes('WithdrawalHoldReleased')
    )
      count('compensations');
    const summary = saga.summary!;
    if (saga.kind === 'transfer') expect(balance(`transit:${id}`, summary.currency)).toBe(0n);
    if (summary.status !== 'completed') continue;
    const total = saga.kind === 'topup' ? toppedUp : saga.kind === 'withdrawal' ? withdrawn : null;
    total?.set(summary.currency, (total.get(summary.currency) ?? 0n) + summary.amountMinor);
  }
  for (const currency of ['USD', 'KES']) {
    const inflow = toppedUp.get(currency) ?? 0n;
    const outflow = withdrawn.get(currency) ?? 0n;
    expect(walletsTotal.get(currency)).toBe(inflow - outflow);
    expect(balance('system:card_clearing', currency)).toBe(-inflow);
    expect(balance('system:payouts_clearing', currency)).toBe(outflow);
    // Each rail carried money, so each rail's books were checked on something.
    expect(inflow).toBeGreaterThan(0n);
    expect(outflow).toBeGreaterThan(0n);
    count(`money: ${currency} topped up (minor)`, Number(inflow));
    count(`money: ${currency} withdrawn (minor)`, Number(outflow));
  }
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = items[next++]; item !== undefined; item = items[next++]) await fn(item);
    }),
  );
}

function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [must(items[j], 'item'), must(items[i], 'item')];
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
