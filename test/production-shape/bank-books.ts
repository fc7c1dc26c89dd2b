import { must } from '@ledger/invariant';
import type { SqlExecutor } from '@ledger/database';
import {
  availableOf,
  evolve,
  fromRecorded,
  initialWallet,
  toBigInt,
  WALLET_STREAM_PREFIX,
  type Wallet,
} from '@ledger/ledger';

/**
 * The books of the bank test, read from the database the processes wrote:
 * the event log (`events`), the saga table (`movements`), the read models and
 * the idempotency records. Each broken rule becomes one line in `violations`.
 */
export interface BookInputs {
  /** Every wallet of the test and its currency. */
  readonly walletCurrency: ReadonlyMap<string, string>;
  /** Money the test put on wallets by adjustment, per currency. */
  readonly funded: ReadonlyMap<string, bigint>;
  /** `FROM/TO` → [numerator, denominator], as configured in LEDGER_FX_RATES. */
  readonly rates: ReadonlyMap<string, readonly [bigint, bigint]>;
}

export interface Books {
  readonly violations: string[];
  readonly figures: Map<string, number>;
}

const MAX_EVENTS = 200_000;
const MAX_LISTED = 10;

interface LoggedEvent {
  stream_id: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
}

interface MovementRow {
  movement_id: string;
  kind: 'transfer' | 'topup' | 'withdrawal';
  status: 'pending' | 'completed' | 'failed';
  phase: string;
  amount_minor: string;
  currency: string;
}

export async function readBooks(db: SqlExecutor, inputs: BookInputs): Promise<Books> {
  const violations: string[] = [];
  const figures = new Map<string, number>();
  const flag = (rule: string, items: readonly string[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, MAX_LISTED).join('; ');
    violations.push(`${rule} (${items.length}): ${shown}${items.length > MAX_LISTED ? '; …' : ''}`);
  };

  const { rows: log } = await db.query<LoggedEvent>(
    `SELECT stream_id, revision::text AS revision, type, data FROM events ORDER BY tx_id, seq LIMIT $1`,
    [MAX_EVENTS],
  );
  if (log.length >= MAX_EVENTS)
    violations.push(`the log has ${MAX_EVENTS} events or more: not all read`);
  figures.set('events in the log', log.length);

  const accounts = accountBalances(log);
  const wallets = replayWallets(log, flag);
  flag(
    "wallets missing or not in the customer's sign-up currency",
    [...inputs.walletCurrency]
      .filter(([id, c]) => {
        const w = wallets.get(id);
        return !w || w.status === 'unopened' || w.currency !== c;
      })
      .map(([id, c]) => `${id}: expected ${c}`),
  );
  const { rows: movements } = await db.query<MovementRow>(
    'SELECT movement_id, kind, status, phase, amount_minor::text AS amount_minor, currency FROM movements',
  );
  figures.set('movements', movements.length);
  for (const m of movements)
    figures.set(
      `outcome: ${m.kind} ${m.status}`,
      (figures.get(`outcome: ${m.kind} ${m.status}`) ?? 0) + 1,
    );

  const steps = sagaSteps(log);
  flag(
    'movements not terminal (phase: last steps)',
    movements
      .filter((m) => m.status === 'pending')
      .map(
        (m) =>
          `${m.movement_id} (${m.phase}: ${(steps.get(m.movement_id) ?? []).slice(-3).join(', ')})`,
      ),
  );
  for (const m of movements.filter((r) => r.status === 'pending'))
    figures.set(
      `pending at the end: ${m.kind} ${m.phase}`,
      (figures.get(`pending at the end: ${m.kind} ${m.phase}`) ?? 0) + 1,
    );
  const terminal = new Set(
    movements.filter((m) => m.status !== 'pending').map((m) => m.movement_id),
  );
  const openHolds: string[] = [];
  for (const [walletId, wallet] of wallets) {
    if (wallet.status === 'unopened') continue;
    for (const [holdId, hold] of wallet.holds) {
      const movementId = hold.fields.movementId;
      if (!movementId || terminal.has(movementId))
        openHolds.push(`${walletId} hold ${holdId} of ${movementId ?? 'no movement'}`);
    }
  }
  flag('holds left open by terminal movements (not compensated)', openHolds);
  flag(
    'transit accounts not at zero',
    [...accounts]
      .filter(([k, v]) => k.startsWith('transit:') && v !== 0n)
      .map(([k, v]) => `${k} = ${v}`),
  );

  checkMoney(inputs, log, movements, accounts, wallets, flag, figures);
  await checkReadModels(db, wallets, flag);
  await checkRecords(db, flag, figures);
  return { violations, figures };
}

/** The event types of each saga stream, in order. */
function sagaSteps(log: readonly LoggedEvent[]): Map<string, string[]> {
  const steps = new Map<string, string[]>();
  for (const e of log) {
    if (e.stream_id.startsWith(WALLET_STREAM_PREFIX) || e.stream_id.startsWith('identity-'))
      continue;
    steps.set(e.stream_id, [...(steps.get(e.stream_id) ?? []), e.type]);
  }
  return steps;
}

/** Net (credits − debits) of every account per currency, from each event's spelled-out entry. */
function accountBalances(log: readonly LoggedEvent[]): Map<string, bigint> {
  const accounts = new Map<string, bigint>();
  const add = (key: string, by: bigint) => accounts.set(key, (accounts.get(key) ?? 0n) + by);
  for (const e of log) {
    const entry = e.data.entry as
      { debit: string; credit: string; amountMinor: string; currency: string } | undefined;
    if (!entry) continue;
    add(`${entry.credit} ${entry.currency}`, toBigInt(entry.amountMinor));
    add(`${entry.debit} ${entry.currency}`, -toBigInt(entry.amountMinor));
  }
  return accounts;
}

/** Every wallet stream folded event by event; available below zero at any revision is flagged. */
function replayWallets(
  log: readonly LoggedEvent[],
  flag: (rule: string, items: readonly string[]) => void,
): Map<string, Wallet> {
  const wallets = new Map<string, Wallet>();
  const negative: string[] = [];
  for (const e of log) {
    if (!e.stream_id.startsWith(WALLET_STREAM_PREFIX)) continue;
    const walletId = e.stream_id.slice(WALLET_STREAM_PREFIX.length);
    const next = evolve(wallets.get(walletId) ?? initialWallet, fromRecorded(e));
    if (next.status !== 'unopened' && availableOf(next) < 0n)
      negative.push(`${walletId} at revision ${e.revision}: available ${availableOf(next)}`);
    wallets.set(walletId, next);
  }
  flag('wallets negative at some revision', negative);
  return wallets;
}

/**
 * Per currency: wallets hold exactly what came in (funding, completed top-ups,
 * converted transfers in) minus what went out (completed withdrawals,
 * transfers out to another currency); the clearing accounts mirror the
 * completed movements; every account together nets to zero.
 */
function checkMoney(
  inputs: BookInputs,
  log: readonly LoggedEvent[],
  movements: readonly MovementRow[],
  accounts: ReadonlyMap<string, bigint>,
  wallets: ReadonlyMap<string, Wallet>,
  flag: (rule: string, items: readonly string[]) => void,
  figures: Map<string, number>,
): void {
  const expected = new Map<string, bigint>(inputs.funded);
  const cardIn = new Map<string, bigint>();
  const paidOut = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, c: string, by: bigint) => m.set(c, (m.get(c) ?? 0n) + by);
  const credits = transferCredits(log);
  const wrongFx: string[] = [];
  for (const m of movements) {
    if (m.status !== 'completed') continue;
    const amount = toBigInt(m.amount_minor);
    if (m.kind === 'topup') add(cardIn, m.currency, amount);
    if (m.kind === 'withdrawal') add(paidOut, m.currency, amount);
    const credit = credits.get(m.movement_id);
    if (m.kind !== 'transfer' || !credit || credit.currency === m.currency) continue;
    const [num, den] = inputs.rates.get(`${m.currency}/${credit.currency}`) ?? [0n, 1n];
    if (credit.amountMinor !== (amount * num) / den)
      wrongFx.push(
        `${m.movement_id}: ${amount} ${m.currency} credited ${credit.amountMinor} ${credit.currency}`,
      );
    add(expected, m.currency, -amount);
    add(expected, credit.currency, credit.amountMinor);
    figures.set(
      'cross-currency transfers completed',
      (figures.get('cross-currency transfers completed') ?? 0) + 1,
    );
  }
  for (const [c, v] of cardIn) add(expected, c, v);
  for (const [c, v] of paidOut) add(expected, c, -v);
  flag('cross-currency credits not the configured rate rounded down', wrongFx);

  const held = new Map<string, bigint>();
  for (const w of wallets.values())
    if (w.status !== 'unopened') add(held, w.currency, w.postedMinor);
  const wrong: string[] = [];
  const currencies = new Set([...expected.keys(), ...held.keys()]);
  for (const c of currencies) {
    const inWallets = held.get(c) ?? 0n;
    if (inWallets !== (expected.get(c) ?? 0n))
      wrong.push(`${c}: wallets ${inWallets}, expected ${expected.get(c) ?? 0n}`);
    const clearing = accounts.get(`system:card_clearing ${c}`) ?? 0n;
    if (clearing !== -(cardIn.get(c) ?? 0n))
      wrong.push(`${c}: card clearing ${clearing}, completed top-ups ${cardIn.get(c) ?? 0n}`);
    const payouts = accounts.get(`system:payouts_clearing ${c}`) ?? 0n;
    if (payouts !== (paidOut.get(c) ?? 0n))
      wrong.push(
        `${c}: payouts clearing ${payouts}, completed withdrawals ${paidOut.get(c) ?? 0n}`,
      );
    const adjustments = accounts.get(`system:adjustments ${c}`) ?? 0n;
    if (adjustments !== -(inputs.funded.get(c) ?? 0n))
      wrong.push(`${c}: adjustments ${adjustments}, funded ${inputs.funded.get(c) ?? 0n}`);
    let net = 0n;
    for (const [k, v] of accounts) if (k.endsWith(` ${c}`)) net += v;
    if (net !== 0n) wrong.push(`${c}: debits and credits differ by ${net}`);
    figures.set(`money in wallets ${c} (minor)`, Number(inWallets));
    figures.set(`money topped up ${c} (minor)`, Number(cardIn.get(c) ?? 0n));
    figures.set(`money withdrawn ${c} (minor)`, Number(paidOut.get(c) ?? 0n));
  }
  flag('money not conserved', wrong);
}

/** What each transfer credited to its recipient, from the recipient's wallet events. */
function transferCredits(
  log: readonly LoggedEvent[],
): Map<string, { amountMinor: bigint; currency: string }> {
  const credits = new Map<string, { amountMinor: bigint; currency: string }>();
  for (const e of log) {
    const movementId = e.data.movementId;
    if (
      e.type !== 'WalletCredited' ||
      typeof movementId !== 'string' ||
      !movementId.startsWith('transfer-')
    )
      continue;
    credits.set(movementId, {
      amountMinor: toBigInt(e.data.amountMinor),
      currency: String(e.data.currency),
    });
  }
  return credits;
}

/** The balances read model agrees with the replay, wallet by wallet. */
async function checkReadModels(
  db: SqlExecutor,
  wallets: ReadonlyMap<string, Wallet>,
  flag: (rule: string, items: readonly string[]) => void,
): Promise<void> {
  const { rows } = await db.query<{ wallet_id: string; posted_minor: string; held_minor: string }>(
    'SELECT wallet_id::text, posted_minor::text, held_minor::text FROM read_models.wallet_balances',
  );
  const differ: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.wallet_id);
    const w = wallets.get(r.wallet_id);
    if (!w || w.status === 'unopened') differ.push(`${r.wallet_id}: in the read model only`);
    else if (toBigInt(r.posted_minor) !== w.postedMinor || toBigInt(r.held_minor) !== w.heldMinor)
      differ.push(
        `${r.wallet_id}: read model ${r.posted_minor}/${r.held_minor}, replay ${w.postedMinor}/${w.heldMinor}`,
      );
  }
  for (const id of wallets.keys())
    if (!seen.has(id)) differ.push(`${id}: missing from the read model`);
  flag('wallet read model differs from a replay of the log', differ);
}

/** No idempotency key left "in progress", no saga parked. */
async function checkRecords(
  db: SqlExecutor,
  flag: (rule: string, items: readonly string[]) => void,
  figures: Map<string, number>,
): Promise<void> {
  const { rows: stuck } = await db.query<{ scope: string; key: string }>(
    'SELECT scope, key FROM idempotency_keys WHERE status_code IS NULL ORDER BY created_at LIMIT 100',
  );
  flag(
    'idempotency keys stuck in progress',
    stuck.map((r) => `${r.scope.split(' ').slice(1).join(' ')} ${r.key}`),
  );
  const { rows: parked } = await db.query<{ saga_stream: string }>(
    'SELECT * FROM saga_parking LIMIT 100',
  );
  figures.set('sagas parked at the end', parked.length);
  const { rows: keys } = await db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM idempotency_keys',
  );
  figures.set('idempotency keys recorded', Number(must(keys[0], 'count row').n));
}
