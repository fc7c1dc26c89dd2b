import { MAX_AMOUNT_MINOR } from '../money';

/**
 * Every way a wallet command can be refused, as named values in the order the
 * decider checks them. The HTTP layer maps each to a status in one place.
 */
export const WALLET_REJECTIONS = [
  'wallet_not_found',
  'wallet_already_exists',
  'unknown_currency',
  'wallet_closed',
  'wallet_frozen',
  'wallet_not_frozen',
  'currency_mismatch',
  'amount_must_be_positive',
  'amount_exceeds_limit',
  'invalid_contra_account',
  'hold_id_in_use',
  'hold_not_found',
  'exceeds_available',
  'balance_not_zero',
  'open_holds_remain',
] as const;

export type WalletRejection = (typeof WALLET_REJECTIONS)[number];

export const WALLET_REJECTION_MESSAGES: Readonly<Record<WalletRejection, string>> = {
  wallet_not_found: 'The wallet does not exist',
  wallet_already_exists: 'A wallet with this id already exists',
  unknown_currency: 'The currency is not a supported ISO 4217 code',
  wallet_closed: 'The wallet is closed',
  wallet_frozen: 'The wallet is frozen',
  wallet_not_frozen: 'The wallet is not frozen',
  currency_mismatch: "The amount's currency differs from the wallet's currency",
  amount_must_be_positive: 'The amount must be greater than zero',
  amount_exceeds_limit: `The amount must not exceed ${MAX_AMOUNT_MINOR} minor units`,
  invalid_contra_account: 'The contra account must be a system or transit account',
  hold_id_in_use: 'A hold with this id already exists on the wallet',
  hold_not_found: 'No open hold with this id exists on the wallet',
  exceeds_available: 'The amount exceeds the available balance',
  balance_not_zero: 'Only a wallet with a zero balance can be closed',
  open_holds_remain: 'Only a wallet without open holds can be closed',
};
