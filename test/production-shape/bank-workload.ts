import { must } from '@ledger/invariant';
import { newKey, type Answer, type Count, type LedgerClient } from './bank-client';
import type { Customer } from './bank-users';
import { sleep } from './service-processes';

/**
 * The bank test's customers at work: transfers by wallet id, e-mail and phone
 * (some to another currency, some more than the sender has), card top-ups and
 * 2FA withdrawals, some at the sandbox's magic amounts (declined, failing
 * later, timing out, reported twice, provider down), some submitted twice
 * under one key. Every draw comes from one seeded generator.
 */
export type Operation =
  | {
      kind: 'transfer';
      from: number;
      to: number;
      by: 'wallet' | 'email' | 'phone';
      amountMinor: bigint;
      duplicate: boolean;
    }
  | { kind: 'topup'; customer: number; amountMinor: bigint; duplicate: boolean }
  | { kind: 'withdrawal'; amountMinor: bigint; duplicate: boolean };

export interface WorkloadSize {
  readonly customers: number;
  readonly transfers: number;
  readonly topUps: number;
  readonly withdrawals: number;
}

/** 4.02 declines, 4.22 fails later, 4.08 times out once, 2.09 is reported twice (sandbox-script.ts). */
const CARD_FAULTS = [402n, 422n, 408n, 209n] as const;
/** 5.00: the provider stays down for every attempt, so the payout job spends its attempts (about a minute). */
const PROVIDER_DOWN = 500n;
/** More than any wallet ever holds: refused when the hold is placed. */
const OVERDRAWN_MINOR = 10_000_000n;
const THINK_MS = 1_200;

export function planOperations(random: () => number, size: WorkloadSize): Operation[] {
  const pick = (n: number) => Math.floor(random() * n);
  const oneOf = <T>(items: readonly T[]): T => must(items[pick(items.length)], 'a choice');
  const between = (lo: number, hi: number) => BigInt(lo + pick(hi - lo + 1));
  const ops: Operation[] = [];
  for (let i = 0; i < size.transfers; i++) {
    const from = pick(size.customers);
    const to = (from + 1 + pick(size.customers - 1)) % size.customers;
    const by = oneOf(['wallet', 'email', 'phone'] as const);
    const amountMinor = random() < 0.1 ? OVERDRAWN_MINOR : between(1, 800);
    ops.push({ kind: 'transfer', from, to, by, amountMinor, duplicate: random() < 0.15 });
  }
  for (let i = 0; i < size.topUps; i++) {
    const amountMinor = random() < 0.4 ? oneOf(CARD_FAULTS) : between(1_000, 5_000);
    ops.push({
      kind: 'topup',
      customer: pick(size.customers),
      amountMinor,
      duplicate: random() < 0.15,
    });
  }
  for (let i = 0; i < size.withdrawals; i++) {
    const draw = random();
    const amountMinor =
      draw < 0.1 ? PROVIDER_DOWN : draw < 0.4 ? oneOf(CARD_FAULTS) : between(600, 1_500);
    ops.push({ kind: 'withdrawal', amountMinor, duplicate: random() < 0.25 });
  }
  shuffle(random, ops);
  // Provider-down payouts take about a minute to give up. Half start first;
  // the rest just before Redis is restarted (chaos.ts), so their retries are
  // among the jobs an empty Redis loses.
  const down = ops.filter(isProviderDown);
  const rest = ops.filter((op) => !isProviderDown(op));
  const early = down.slice(0, Math.ceil(down.length / 2));
  const late = down.slice(early.length);
  const at = Math.floor(rest.length * LATE_PAYOUTS_AT);
  return [...early, ...rest.slice(0, at), ...late, ...rest.slice(at)];
}

/** Where in the workload the second half of the provider-down payouts starts: before Redis is restarted. */
const LATE_PAYOUTS_AT = 0.58;

/** The sandbox amount at which the provider stays down for a payout. */
export const PROVIDER_DOWN_MINOR = PROVIDER_DOWN;

function isProviderDown(op: Operation): boolean {
  return op.kind === 'withdrawal' && op.amountMinor === PROVIDER_DOWN;
}

/** What became of one operation, as the client saw it. */
export interface Outcome {
  readonly kind: Operation['kind'];
  readonly key: string;
  /** The movement ids of every answer under the key (more than one distinct id is a violation). */
  readonly movementIds: string[];
  readonly unexpected: string[];
  stuck: boolean;
}

export async function runOperation(
  client: LedgerClient,
  customers: readonly Customer[],
  op: Operation,
  random: () => number,
  count: Count,
): Promise<Outcome> {
  await sleep(Math.floor(random() * THINK_MS));
  const key = newKey();
  const outcome: Outcome = { kind: op.kind, key, movementIds: [], unexpected: [], stuck: false };
  const note = (answer: Answer | 'stuck') => {
    if (answer === 'stuck') {
      outcome.stuck = true;
      count(`stuck: ${op.kind} key stayed in progress`);
    } else if (
      (answer.status === 201 || answer.status === 202) &&
      typeof answer.body.id === 'string'
    ) {
      // 201: completed within the request (a transfer); 202: accepted, the worker finishes it.
      outcome.movementIds.push(answer.body.id);
      count(`answers: ${op.kind} ${answer.status}`);
      if (answer.replayed) count(`duplicates: ${op.kind} replayed`);
    } else if (answer.status === 422 && answer.body.error === 'exceeds_available') {
      // Refused at once, nothing moved: what an overdrawn request must get.
      count(`answers: ${op.kind} refused at once (exceeds_available)`);
      if (answer.replayed) count(`duplicates: ${op.kind} replayed`);
    } else {
      outcome.unexpected.push(`${op.kind} ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  if (op.kind === 'withdrawal') {
    const customer = soonestSecondFactor(customers);
    const submit = () =>
      customer.authenticator.exclusive(() =>
        client.move(
          '/withdrawals',
          customer.token,
          withdrawalBody(customer, op.amountMinor),
          key,
          () => customer.authenticator.nextCode(),
        ),
      );
    note(await submit());
    // A repeat of a completed request needs no new code: it only replays.
    if (op.duplicate)
      note(
        await client.move(
          '/withdrawals',
          customer.token,
          withdrawalBody(customer, op.amountMinor),
          key,
        ),
      );
  } else {
    const { path, token, body } = request(customers, op);
    const copies = op.duplicate ? 2 : 1;
    const answers = await Promise.all(
      Array.from({ length: copies }, () => client.move(path, token, body, key)),
    );
    answers.forEach(note);
  }
  count(`operations: ${op.kind}${op.duplicate ? ' (submitted twice under one key)' : ''}`);
  if (op.amountMinor === OVERDRAWN_MINOR) count('faults: transfers beyond the balance');
  if (op.kind !== 'transfer' && isMagic(op.amountMinor))
    count(`faults: ${op.kind} at sandbox amount ${op.amountMinor}`);
  if (op.kind === 'transfer' && customers[op.from]?.currency !== customers[op.to]?.currency)
    count('operations: transfers to another currency');
  if (op.kind === 'transfer') count(`operations: transfers by ${op.by}`);
  return outcome;
}

function isMagic(amount: bigint): boolean {
  return amount === PROVIDER_DOWN || (CARD_FAULTS as readonly bigint[]).includes(amount);
}

function request(customers: readonly Customer[], op: Exclude<Operation, { kind: 'withdrawal' }>) {
  if (op.kind === 'topup') {
    const c = must(customers[op.customer], 'customer');
    return {
      path: '/top-ups',
      token: c.token,
      body: { walletId: c.walletId, amountMinor: op.amountMinor.toString(), currency: c.currency },
    };
  }
  const from = must(customers[op.from], 'payer');
  const to = must(customers[op.to], 'payee');
  const recipient =
    op.by === 'wallet'
      ? { toWalletId: to.walletId }
      : op.by === 'email'
        ? { toEmail: to.email }
        : { toPhone: to.phone };
  return {
    path: '/transfers',
    token: from.token,
    body: {
      fromWalletId: from.walletId,
      ...recipient,
      amountMinor: op.amountMinor.toString(),
      currency: from.currency,
    },
  };
}

function withdrawalBody(c: Customer, amountMinor: bigint) {
  return {
    walletId: c.walletId,
    amountMinor: amountMinor.toString(),
    currency: c.currency,
    destinationId: c.destinationId,
  };
}

/** The customer whose authenticator has a usable code soonest, so withdrawals wait as little as possible. */
function soonestSecondFactor(customers: readonly Customer[]): Customer {
  let best = must(customers[0], 'a customer');
  for (const c of customers)
    if (c.authenticator.availableAt() < best.authenticator.availableAt()) best = c;
  return best;
}

export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(must(items[index], 'item'), index);
      }
    }),
  );
}

function shuffle<T>(random: () => number, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [must(items[j], 'item'), must(items[i], 'item')];
  }
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
