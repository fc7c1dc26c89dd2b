/**
 * The texts of the notifications about money movements, rendered from plain
 * data: no template engine, no HTML, nothing a user-supplied value could
 * break out of. Amounts are formatted from bigint minor units without ever
 * becoming a float.
 */
export type MovementKind =
  | 'top_up'
  | 'withdrawal'
  | 'transfer_sent'
  | 'transfer_received'
  | 'payment_sent'
  | 'payment_received'
  | 'refund_sent'
  | 'refund_received';

export interface MovementNotice {
  readonly kind: MovementKind;
  readonly movementId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Display name of the other party of a transfer, as the user knows them. */
  readonly counterparty?: string;
  readonly occurredAt: Date;
}

/**
 * Why a movement failed, as the sagas name it. Only these reach the user;
 * any other reason is shown as the generic one, so no internal error text leaks.
 */
export const FAILURE_REASON_TEXT: Readonly<Record<string, string>> = {
  card_declined: 'your card was declined',
  insufficient_funds: 'there was not enough money available',
  payout_failed: 'your bank did not accept the payment',
  timed_out: 'it was not confirmed in time',
  limit_exceeded: 'it exceeds your limits',
};
const GENERIC_FAILURE = 'it could not be completed';

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  /** One SMS segment where possible. */
  readonly sms: string;
}

const COMPLETED: Record<MovementKind, (amount: string, who: string) => string> = {
  top_up: (amount) => `Your top-up of ${amount} has arrived in your wallet.`,
  withdrawal: (amount) => `Your withdrawal of ${amount} is on its way to your bank account.`,
  transfer_sent: (amount, who) => `You sent ${amount}${who ? ` to ${who}` : ''}.`,
  transfer_received: (amount, who) => `You received ${amount}${who ? ` from ${who}` : ''}.`,
  payment_sent: (amount, who) => `You paid ${amount}${who ? ` to ${who}` : ''}.`,
  payment_received: (amount, who) =>
    `You received a payment of ${amount}${who ? ` from ${who}` : ''}.`,
  refund_sent: (amount, who) => `You refunded ${amount}${who ? ` to ${who}` : ''}.`,
  refund_received: (amount, who) =>
    `You received a refund of ${amount}${who ? ` from ${who}` : ''}.`,
};

const NOUN: Record<MovementKind, string> = {
  top_up: 'top-up',
  withdrawal: 'withdrawal',
  transfer_sent: 'transfer',
  transfer_received: 'incoming transfer',
  payment_sent: 'payment',
  payment_received: 'incoming payment',
  refund_sent: 'refund',
  refund_received: 'incoming refund',
};

export function movementCompleted(notice: MovementNotice): RenderedMessage {
  const amount = formatMoney(notice.amountMinor, notice.currency);
  const line = COMPLETED[notice.kind](amount, displayName(notice.counterparty));
  return {
    subject: `Your ${NOUN[notice.kind]} of ${amount} is complete`,
    text: body(line, notice),
    sms: line,
  };
}

/**
 * The movements whose failure anyone is told of. A transfer (a payment, a
 * refund) that failed never reached its recipient, so there is no failed
 * incoming one to announce.
 */
export type FailedMovementKind = Exclude<MovementKind, `${string}_received`>;

export function isIncoming(kind: MovementKind): kind is Exclude<MovementKind, FailedMovementKind> {
  return kind.endsWith('_received');
}

export function movementFailed(
  notice: MovementNotice & { readonly kind: FailedMovementKind; readonly reason: string },
): RenderedMessage {
  const amount = formatMoney(notice.amountMinor, notice.currency);
  const why = FAILURE_REASON_TEXT[notice.reason] ?? GENERIC_FAILURE;
  const refund = ' Nothing was taken from your wallet, or it has been returned.';
  const line = `Your ${NOUN[notice.kind]} of ${amount} did not go through: ${why}.`;
  return {
    subject: `Your ${NOUN[notice.kind]} of ${amount} did not go through`,
    text: body(line + refund, notice),
    sms: line,
  };
}

function body(line: string, notice: MovementNotice): string {
  return [
    'Hello,',
    '',
    line,
    '',
    `Reference: ${notice.movementId}`,
    `Date: ${notice.occurredAt.toISOString()}`,
    '',
    'If you did not expect this message, contact support and quote the reference.',
  ].join('\n');
}

/**
 * 1234n EUR → "€12.34", 1000n JPY → "¥1,000", 1500n KWD → "KWD 1.500".
 * The exponent comes from the currency (via Intl); the decimal string is
 * built from the bigint digits, and Intl formats a string exactly.
 */
export function formatMoney(amountMinor: bigint, currency: string): string {
  const { format, exponent } = currencyFormat(currency);
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const decimal = exponent > 0 ? `${whole}.${digits.slice(-exponent)}` : whole;
  // Intl takes a decimal string exactly (Node 19+); the ES2022 typings in use predate that overload.
  return format.format(`${negative ? '-' : ''}${decimal}` as unknown as number);
}

/**
 * One `Intl.NumberFormat` per currency: building one costs far more than
 * formatting with it, and every notification formats an amount. The
 * currencies are the ledger's few, so the map stays small.
 */
const FORMATS = new Map<string, { format: Intl.NumberFormat; exponent: number }>();

function currencyFormat(currency: string) {
  let known = FORMATS.get(currency);
  if (!known) {
    const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    known = { format, exponent: format.resolvedOptions().maximumFractionDigits ?? 2 };
    FORMATS.set(currency, known);
  }
  return known;
}

/** A user-chosen name goes into plain text only, stripped of control characters and bounded. */
function displayName(name: string | undefined): string {
  if (!name) return '';
  return name
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}
