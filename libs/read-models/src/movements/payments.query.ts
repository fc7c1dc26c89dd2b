import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { encodeCursor, type Page } from '../paging';
import { LIVE_SCHEMA } from '../schema';
import { keysetOf, type MovementProblem } from './movements.query';
import {
  LISTED_SQL,
  SUMMARY_SELECT,
  summaryOf,
  type MovementSummary,
  type SummaryRow,
} from './movement.record';

/** A payment as the merchant who received it sees it, with what was refunded of it. */
export interface MerchantPayment extends MovementSummary {
  /** The merchant's wallet the payment was credited to. */
  readonly walletId: string;
  /** The payer, for a display name; never answered as an id. */
  readonly payerOwnerId?: string;
  readonly refundedMinor: bigint;
  /** Refunds still in flight. */
  readonly refundPendingMinor: bigint;
  readonly refunds: readonly { movementId: string; status: string; amountMinor: bigint }[];
}

export interface PaymentPageQuery {
  readonly reference?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** A payment has a few refunds; more are not listed (the sums still count them all). */
const MAX_REFUNDS_LISTED = 50;

/**
 * The payments a merchant received, newest first, optionally for one order
 * reference. A payment is listed once its money arrived, as on the
 * merchant's statement; each comes with its refunds from the summaries that
 * name it.
 */
export async function listMerchantPayments(
  db: SqlExecutor,
  merchantId: string,
  query: PaymentPageQuery = {},
): Promise<Page<MerchantPayment> | MovementProblem> {
  const tag = `payments:${merchantId}`;
  const keyset = keysetOf(tag, query);
  if (typeof keyset === 'string') return keyset;
  const params: unknown[] = [merchantId];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const where = [`s.kind = 'payment'`, `l.owner_id = $1`, `l.direction = 'in'`, LISTED_SQL];
  if (query.reference !== undefined) where.push(`s.reference = ${bind(query.reference)}`);
  if (keyset.before) {
    const [commit, prepare, id] = keyset.before;
    where.push(
      `(s.created_commit, s.created_prepare, s.movement_id) < (${bind(commit)}::bigint, ${bind(prepare)}::bigint, ${bind(id)})`,
    );
  }
  const { rows } = await db.query<
    SummaryRow & { wallet_id: string; counterparty_owner_id: string | null }
  >(
    `SELECT ${SUMMARY_SELECT}, l.wallet_id, l.counterparty_owner_id
       FROM ${LIVE_SCHEMA}.movement_legs l
       JOIN ${LIVE_SCHEMA}.movement_summaries s USING (movement_id)
      WHERE ${where.join(' AND ')}
      ORDER BY s.created_commit DESC, s.created_prepare DESC, s.movement_id DESC
      LIMIT ${keyset.limit + 1}`,
    params,
  );
  const refunds = await refundsOf(
    db,
    rows.slice(0, keyset.limit).map((r) => r.movement_id),
  );
  const more = rows.length > keyset.limit;
  const shown = more ? rows.slice(0, keyset.limit) : rows;
  const items = shown.map((row): MerchantPayment => {
    const own = refunds.get(row.movement_id) ?? [];
    const sum = (status: string) =>
      own.filter((r) => r.status === status).reduce((total, r) => total + r.amountMinor, 0n);
    return {
      ...summaryOf(row),
      walletId: row.wallet_id,
      ...(row.counterparty_owner_id !== null && { payerOwnerId: row.counterparty_owner_id }),
      refundedMinor: sum('completed'),
      refundPendingMinor: sum('pending'),
      refunds: own.slice(0, MAX_REFUNDS_LISTED),
    };
  });
  const last = shown[shown.length - 1];
  return {
    items,
    ...(more &&
      last && {
        nextCursor: encodeCursor(tag, [
          String(last.created_commit),
          String(last.created_prepare),
          last.movement_id,
        ]),
      }),
  };
}

async function refundsOf(db: SqlExecutor, paymentIds: readonly string[]) {
  const byPayment = new Map<
    string,
    { movementId: string; status: string; amountMinor: bigint }[]
  >();
  if (paymentIds.length === 0) return byPayment;
  const { rows } = await db.query<{
    movement_id: string;
    payment_id: string;
    status: string;
    amount_minor: unknown;
  }>(
    `SELECT movement_id, payment_id, status, amount_minor FROM ${LIVE_SCHEMA}.movement_summaries
      WHERE payment_id = ANY($1::text[]) AND kind = 'refund'
      ORDER BY created_commit, created_prepare, movement_id`,
    [paymentIds],
  );
  for (const row of rows) {
    const list = byPayment.get(row.payment_id) ?? [];
    list.push({
      movementId: row.movement_id,
      status: row.status,
      amountMinor: toBigInt(row.amount_minor),
    });
    byPayment.set(row.payment_id, list);
  }
  return byPayment;
}
