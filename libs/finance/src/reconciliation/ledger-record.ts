import type { SqlExecutor } from '@ledger/database';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import {
  accountBalancesAsOf,
  historyBounds,
  historyCovers,
  LIVE_SCHEMA,
  positionAt,
} from '@ledger/read-models';
import type {
  ClearingBalance,
  LedgerMovement,
  LedgerObject,
  Rail,
  ReadModelMovement,
} from './reconciliation.types';

/** Movements one run reads at most; a busier period is reconciled in parts. */
export const MAX_MOVEMENTS_PER_RUN = 20_000;
/**
 * How far before the period a movement may have been requested and still
 * have an object in it: a payout is created at most a withdrawal's timeout
 * (7 days) after the request, with room to spare.
 */
export const LOOKBACK_DAYS = 31;
const SAGA_READS_AT_ONCE = 8;
const IDS_PER_STATEMENT = 1_000;
const CLEARING_ACCOUNTS = ['system:card_clearing', 'system:payouts_clearing'];

/**
 * The top-ups and withdrawals that may have a provider object in
 * [from, to): requested from `LOOKBACK_DAYS` before `from` until `to`. Both
 * indexes of movements are asked (the read model and the saga driver's
 * table), so a movement missing from one is still found through the other;
 * each found movement is then read from its saga stream, the record.
 */
export async function readLedgerMovements(
  db: SqlExecutor,
  store: EventStore,
  period: { from: Date; to: Date },
): Promise<{ movements: LedgerMovement[]; truncated: boolean }> {
  const since = new Date(period.from.getTime() - LOOKBACK_DAYS * 86_400_000);
  const { rows } = await db.query<{ movement_id: string }>(
    `SELECT movement_id FROM ${LIVE_SCHEMA}.movement_summaries
      WHERE kind IN ('top_up', 'withdrawal') AND created_at >= $1 AND created_at < $2
     UNION
     SELECT movement_id FROM movements
      WHERE kind IN ('topup', 'withdrawal') AND requested_at >= $1 AND requested_at < $2
     ORDER BY movement_id LIMIT $3`,
    [since.toISOString(), period.to.toISOString(), MAX_MOVEMENTS_PER_RUN + 1],
  );
  const ids = rows.map((r) => r.movement_id).slice(0, MAX_MOVEMENTS_PER_RUN);
  const movements: LedgerMovement[] = [];
  for (let i = 0; i < ids.length; i += SAGA_READS_AT_ONCE) {
    const streams = await Promise.all(
      ids.slice(i, i + SAGA_READS_AT_ONCE).map((id) => store.readStream(id)),
    );
    for (const events of streams) {
      const movement = foldSaga(events);
      if (movement) movements.push(movement);
    }
  }
  return { movements, truncated: rows.length > MAX_MOVEMENTS_PER_RUN };
}

type Data = Record<string, unknown>;

/** A top-up or withdrawal saga stream, reduced to the provider objects it recorded. */
export function foldSaga(events: readonly RecordedEvent[]): LedgerMovement | undefined {
  const first = events[0];
  if (!first) return undefined;
  const request = first.data as Data;
  const movementId = first.streamId;
  const kind =
    first.type === 'TopUpRequested'
      ? 'top_up'
      : first.type === 'WithdrawalRequested'
        ? 'withdrawal'
        : undefined;
  if (!kind) return undefined;
  const rail: Rail =
    request.method === 'mpesa' || request.destinationType === 'mobile_money' ? 'mpesa' : 'card';
  const amountMinor = toBigInt(request.amountMinor);
  const currency = String(request.currency);
  const objects = new Map<string, LedgerObject>();
  let status: LedgerMovement['status'] = 'pending';
  let paidMinor = amountMinor;
  const at = (e: RecordedEvent) => new Date(String((e.data as Data).at ?? e.createdAt));
  const put = (o: Omit<LedgerObject, 'movementId' | 'rail' | 'currency'>) =>
    objects.set(o.objectId, { movementId, rail, currency, ...o });
  const mark = (id: unknown, state: LedgerObject['state']) => {
    const o = objects.get(String(id));
    if (o) objects.set(o.objectId, { ...o, state });
  };
  for (const e of events) {
    const d = e.data as Data;
    switch (e.type) {
      case 'PaymentIntentCreated':
        put({
          type: 'charge',
          objectId: String(d.paymentIntentId),
          amountMinor,
          recordedAt: at(e),
          state: 'pending',
        });
        break;
      case 'PaymentSucceeded':
        paidMinor = toBigInt(d.amountMinor);
        mark(d.paymentIntentId, 'settled');
        break;
      case 'PaymentFailed':
        mark(d.paymentIntentId, 'failed');
        break;
      case 'TopUpRefunded':
        put({
          type: 'refund',
          objectId: String(d.refundId),
          amountMinor: paidMinor,
          recordedAt: at(e),
          state: 'settled',
        });
        break;
      case 'PayoutCreated':
        put({
          type: 'payout',
          objectId: String(d.payoutId),
          amountMinor,
          recordedAt: at(e),
          state: 'pending',
        });
        break;
      case 'PayoutPaid':
      case 'PayoutPaidAfterRelease':
        mark(d.payoutId, 'settled');
        break;
      case 'PayoutCanceled':
        mark(d.payoutId, 'canceled');
        break;
      case 'WithdrawalReleaseDue':
        // A release after the provider's failure report: the payout failed.
        if (d.providerEventId)
          for (const o of objects.values()) if (o.state === 'pending') mark(o.objectId, 'failed');
        break;
      case 'TopUpCompleted':
      case 'WithdrawalCompleted':
        status = 'completed';
        break;
      case 'TopUpFailed':
      case 'WithdrawalFailed':
        status = 'failed';
        break;
    }
  }
  return {
    movementId,
    kind,
    rail,
    amountMinor,
    currency,
    status,
    requestedAt: new Date(String(request.at ?? first.createdAt)),
    objects: [...objects.values()],
  };
}

/** The read models' movement_summaries rows for these movements. */
export async function readModelMovements(
  db: SqlExecutor,
  ids: readonly string[],
): Promise<Map<string, ReadModelMovement>> {
  const found = new Map<string, ReadModelMovement>();
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const { rows } = await db.query<{
      movement_id: string;
      status: string;
      amount_minor: unknown;
      currency: string;
    }>(
      `SELECT movement_id, status, amount_minor, currency FROM ${LIVE_SCHEMA}.movement_summaries
        WHERE movement_id = ANY($1::text[])`,
      [ids.slice(i, i + IDS_PER_STATEMENT)],
    );
    for (const r of rows)
      found.set(r.movement_id, {
        movementId: r.movement_id,
        status: r.status,
        amountMinor: toBigInt(r.amount_minor),
        currency: r.currency,
      });
  }
  return found;
}

/**
 * Each clearing account's balance at `from` and at `to`, keyed `account|currency`,
 * from the balance history (the same rows `?asOf=` answers from). Null when
 * the history does not reach back to `from` (after a rebuild from a later floor).
 */
export async function clearingMovement(
  db: SqlExecutor,
  period: { from: Date; to: Date },
): Promise<Map<string, ClearingBalance> | null> {
  // positionAt answers "at or before"; the period holds `from` and not `to`.
  const start = await positionAt(db, new Date(period.from.getTime() - 1));
  if (!historyCovers(await historyBounds(db), start)) return null;
  const end = await positionAt(db, new Date(period.to.getTime() - 1));
  const before = await systemBalances(db, start);
  const after = await systemBalances(db, end);
  const balances = new Map<string, ClearingBalance>();
  for (const key of new Set([...before.keys(), ...after.keys()]))
    balances.set(key, { openingMinor: before.get(key) ?? 0n, closingMinor: after.get(key) ?? 0n });
  return balances;
}

async function systemBalances(
  db: SqlExecutor,
  position: Awaited<ReturnType<typeof positionAt>>,
): Promise<Map<string, bigint>> {
  const balances = new Map<string, bigint>();
  let cursor: string | undefined;
  // System accounts are a handful per currency; the loop is bounded by pages of 200.
  for (let page = 0; page < 100; page++) {
    const result = await accountBalancesAsOf(db, position, { kind: 'system', cursor, limit: 200 });
    if (typeof result === 'string') throw new Error(`Reading system accounts failed: ${result}`);
    for (const a of result.items)
      if (CLEARING_ACCOUNTS.includes(a.account))
        balances.set(`${a.account}|${a.currency}`, a.balanceMinor);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return balances;
}
