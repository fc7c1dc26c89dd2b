import { HttpException } from '@nestjs/common';
import {
  MOVEMENT_REJECTION_MESSAGES,
  WALLET_REJECTION_MESSAGES,
  type WalletRejection,
} from '@ledger/ledger';

/**
 * Every named refusal the API can answer with, and its HTTP status. This is
 * the one place where expected failures become status codes.
 */
const STATUS: Readonly<Record<string, number>> = {
  wallet_not_found: 404,
  hold_not_found: 404,
  wallet_already_exists: 409,
  hold_id_in_use: 409,
  wallet_closed: 409,
  wallet_frozen: 409,
  wallet_not_frozen: 409,
  balance_not_zero: 409,
  open_holds_remain: 409,
  concurrency_conflict: 409,
  verification_in_progress: 409,
  idempotency_key_in_progress: 409,
  unknown_currency: 422,
  currency_mismatch: 422,
  exceeds_available: 422,
  idempotency_key_reused: 422,
  amount_must_be_positive: 400,
  invalid_contra_account: 400,
  idempotency_key_required: 400,
  invalid_position: 400,
  invalid_cursor: 400,
  invalid_limit: 400,
  invalid_type: 400,
  invalid_date_range: 400,
  invalid_as_of: 400,
  invalid_as_of_position: 400,
  as_of_before_history: 409,
  position_not_reached: 503,
  request_deadline_exceeded: 503,
  position_beyond_head: 400,
  movement_not_found: 404,
  recipient_not_found: 404,
  payout_destination_not_found: 404,
  movement_already_exists: 409,
  payout_destination_exists: 409,
  transfer_to_same_wallet: 422,
  recipient_ambiguous: 422,
  fx_rate_unavailable: 422,
  converted_amount_too_small: 422,
  recipient_required: 400,
  invalid_month: 400,
  webhook_signature_invalid: 400,
  card_not_found: 404,
  payment_provider_refused: 422,
  payment_provider_unavailable: 503,
  payment_method_unavailable: 422,
  payment_method_conflict: 400,
  method_currency_unsupported: 422,
  amount_not_whole_shillings: 422,
  amount_above_method_limit: 422,
  phone_number_required: 422,
  not_found: 404,
};

const MESSAGES: Readonly<Record<string, string>> = {
  ...WALLET_REJECTION_MESSAGES,
  ...MOVEMENT_REJECTION_MESSAGES,
  invalid_month: 'from must be a month, YYYY-MM',
  card_not_found: 'No linked card with this id',
  payment_provider_refused: 'The payment provider refused the request',
  payment_provider_unavailable:
    'The payment provider is unavailable; retry with the same Idempotency-Key',
  payment_method_unavailable: 'This payment method is not enabled on this service',
  payment_method_conflict:
    'paymentMethodId and destinationId belong to other methods than the one named',
  method_currency_unsupported: 'M-Pesa moves KES only',
  amount_not_whole_shillings:
    'amountMinor must be a whole number of shillings (a multiple of 100) for M-Pesa',
  amount_above_method_limit: 'amountMinor is above what one M-Pesa transaction may move',
  phone_number_required:
    "M-Pesa uses the phone number on the wallet owner's profile; add one with PATCH /me first",
  not_found: 'Not found',
  webhook_signature_invalid: 'The webhook could not be verified as sent by the payment provider',
  concurrency_conflict:
    'The wallet is busy with other writers; retry with the same Idempotency-Key',
  idempotency_key_in_progress:
    'A request with this Idempotency-Key is still being processed; retry after the time in Retry-After',
  idempotency_key_reused: 'This Idempotency-Key was already used with a different request',
  idempotency_key_required: 'The Idempotency-Key header is required for requests that move money',
  request_deadline_exceeded:
    'The request did not finish within its deadline; retry with the same Idempotency-Key',
  position_not_reached:
    'The read models did not reach the requested position in time; retry shortly',
  position_beyond_head:
    'position is beyond the last write; pass a position as returned by a command',
};

export type ApiRejection = WalletRejection | keyof typeof STATUS;

export class RejectionException extends HttpException {
  constructor(
    readonly rejection: string,
    message = MESSAGES[rejection] ?? rejection.replace(/_/g, ' '),
  ) {
    super(
      { statusCode: STATUS[rejection] ?? 422, error: rejection, message },
      STATUS[rejection] ?? 422,
    );
  }
}

export function statusOf(rejection: string): number {
  return STATUS[rejection] ?? 422;
}
