/**
 * Account references. Every ledger event names the two accounts it moves
 * money between. Wallets are streams of their own; system and transit
 * accounts have no stream: their balances are derived from the contra legs of
 * wallet events, so no hot system stream serialises writers.
 *
 *   wallet:<walletId>               a customer's wallet (credit-normal)
 *   system:<name>                   card_clearing, payouts_clearing, fees, fx, suspense, adjustments
 *   transit:<movement stream id>    money in flight for one transfer, top-up or withdrawal
 */
export const SYSTEM_ACCOUNTS = [
  'card_clearing',
  'payouts_clearing',
  'fees',
  'fx',
  'suspense',
  'adjustments',
] as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[number];

export type AccountRef = `wallet:${string}` | `system:${SystemAccount}` | `transit:${string}`;

export const walletAccount = (walletId: string): AccountRef => `wallet:${walletId}`;
export const systemAccount = (name: SystemAccount): AccountRef => `system:${name}`;
export const transitAccount = (movementId: string): AccountRef => `transit:${movementId}`;

const TRANSIT_PATTERN = /^transit:[a-z]+-[0-9a-f-]{36}$/;

/** A contra account must be a system or transit account: wallet-to-wallet moves go through transit. */
export function isContraAccount(ref: string): ref is AccountRef {
  if (ref.startsWith('system:'))
    return (SYSTEM_ACCOUNTS as readonly string[]).includes(ref.slice(7));
  return TRANSIT_PATTERN.test(ref);
}

export function isSystemAccountName(name: string): name is SystemAccount {
  return (SYSTEM_ACCOUNTS as readonly string[]).includes(name);
}

/** A journal entry: one debit leg, one credit leg, one amount, one currency. */
export interface Posting {
  readonly debit: AccountRef;
  readonly credit: AccountRef;
  readonly amountMinor: bigint;
  readonly currency: string;
}
