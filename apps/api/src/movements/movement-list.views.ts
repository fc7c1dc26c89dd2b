import {
  formatMoney,
  MOVEMENT_REJECTION_MESSAGES,
  WALLET_REJECTION_MESSAGES,
} from '@ledger/ledger';
import type {
  MovementLeg,
  MovementRecord,
  MovementSummary,
  StatementLine,
} from '@ledger/read-models';
import type {
  CounterpartyView,
  FxView,
  MovementItemView,
  MovementLegView,
  StatementLineView,
} from './movement-list.dto';

const REASONS: Readonly<Record<string, string>> = {
  ...WALLET_REJECTION_MESSAGES,
  ...MOVEMENT_REJECTION_MESSAGES,
  payment_failed: 'The card payment failed',
  timed_out: 'The movement timed out before it could complete',
};

/** A failure reason as a person reads it; codes nobody named read as words. */
export function reasonText(reason: string): string {
  const text = REASONS[reason] ?? reason.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How an answer is shaped: the locale for formatted amounts, and the named counterparties. */
export interface ViewContext {
  readonly locale?: string;
  readonly counterparties: ReadonlyMap<string, CounterpartyView>;
}

const formatted = (ctx: ViewContext, amountMinor: bigint, currency: string) =>
  ctx.locale === undefined ? undefined : formatMoney(amountMinor, currency, ctx.locale);

function fxView(m: MovementSummary): FxView | undefined {
  if (!m.fx) return undefined;
  return {
    rate: m.fx.rate,
    ...(m.fx.source && { source: m.fx.source }),
    debitedMinor: m.amountMinor.toString(),
    debitedCurrency: m.currency,
    creditedMinor: m.fx.creditAmountMinor.toString(),
    creditedCurrency: m.fx.creditCurrency,
  };
}

function common(m: MovementSummary, leg: MovementLeg | undefined, ctx: ViewContext) {
  const counterparty = leg?.counterpartyOwnerId
    ? ctx.counterparties.get(leg.counterpartyOwnerId)
    : undefined;
  const fx = fxView(m);
  return {
    kind: m.kind,
    ...(m.reason && { reason: m.reason, reasonText: reasonText(m.reason) }),
    ...(counterparty && { counterparty }),
    ...(fx && { fx }),
    ...(m.description && { description: m.description }),
    ...(m.reference && { reference: m.reference }),
    ...(m.paymentId && { paymentId: m.paymentId }),
    createdAt: m.createdAt.toISOString(),
  };
}

function legView(leg: MovementLeg, ctx: ViewContext): MovementLegView {
  const amountFormatted = formatted(ctx, leg.signedAmountMinor, leg.currency);
  return {
    walletId: leg.walletId,
    direction: leg.direction,
    amountMinor: leg.signedAmountMinor.toString(),
    ...(amountFormatted && { amountFormatted }),
    currency: leg.currency,
    status: leg.status,
    heldMinor: leg.heldMinor.toString(),
  };
}

export function movementItem(m: MovementRecord, ctx: ViewContext): MovementItemView {
  return {
    id: m.movementId,
    status: m.status,
    amountMinor: m.amountMinor.toString(),
    currency: m.currency,
    legs: m.legs.map((leg) => legView(leg, ctx)),
    ...common(m, m.legs[0], ctx),
    ...(m.completedAt && { completedAt: m.completedAt.toISOString() }),
  };
}

/**
 * A statement row. Its status is the wallet's: a transfer's recipient is
 * completed once credited. Pending rows show their hold, failed rows show
 * that nothing moved (no balance after), completed rows the balance after.
 */
export function statementLine(line: StatementLine, ctx: ViewContext): StatementLineView {
  const { movement: m, leg } = line;
  const amountFormatted = formatted(ctx, leg.signedAmountMinor, leg.currency);
  const balance = line.balanceAfterMinor;
  const balanceAfterFormatted =
    balance === undefined ? undefined : formatted(ctx, balance, leg.currency);
  return {
    movementId: m.movementId,
    status: leg.status,
    direction: leg.direction,
    amountMinor: leg.signedAmountMinor.toString(),
    ...(amountFormatted && { amountFormatted }),
    currency: leg.currency,
    heldMinor: leg.heldMinor.toString(),
    ...(balance !== undefined && { balanceAfterMinor: balance.toString() }),
    ...(balanceAfterFormatted && { balanceAfterFormatted }),
    ...common(m, leg, ctx),
    ...(leg.postedAt
      ? { completedAt: leg.postedAt.toISOString() }
      : m.completedAt && { completedAt: m.completedAt.toISOString() }),
  };
}

/** CSV for spreadsheets: one header, one line per statement row, RFC 4180 quoting. */
export function statementCsv(rows: readonly StatementLineView[]): string {
  const header = [
    'created_at',
    'completed_at',
    'movement_id',
    'kind',
    'status',
    'direction',
    'amount_minor',
    'currency',
    'held_minor',
    'balance_after_minor',
    'counterparty',
    'description',
    'reason',
  ];
  const lines = rows.map((r) =>
    [
      r.createdAt,
      r.completedAt ?? '',
      r.movementId,
      r.kind,
      r.status,
      r.direction,
      r.amountMinor,
      r.currency,
      r.heldMinor,
      r.balanceAfterMinor ?? '',
      r.counterparty?.name ?? r.counterparty?.email ?? '',
      r.description ?? r.reference ?? '',
      r.reason ?? '',
    ]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

/** Quotes a field when it needs it, and defuses a leading formula character for spreadsheets. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-\d+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
