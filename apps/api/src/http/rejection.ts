import { HttpException } from '@nestjs/common';
import {
  MOVEMENT_REJECTION_MESSAGES,
  WALLET_REJECTION_MESSAGES,
  type MovementStartRejection,
  type WalletRejection,
} from '@ledger/ledger';
import { IDENTITY_REJECTION_MESSAGES, type IdentityRejection } from '@ledger/identity';
import type { FinanceRejection } from '@ledger/finance';
import type { CardRejection, PayoutDestinationRejection } from '@ledger/movements';
import type { HistoryProblem } from '@ledger/read-models';

/** Refusals that belong to the HTTP layer itself rather than to a library. */
export type HttpRejection =
  | 'validation_failed'
  | 'malformed_body'
  | 'payload_too_large'
  | 'unsupported_encoding'
  | 'unsupported_media_type'
  | 'unsupported_charset'
  | 'malformed_json'
  | 'body_too_deep'
  | 'body_too_large'
  | 'not_found'
  | 'unauthorized'
  | 'internal_error'
  | 'idempotency_key_required'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_progress'
  | 'request_deadline_exceeded'
  | 'invalid_position'
  | 'position_beyond_head'
  | 'position_not_reached'
  | 'invalid_as_of'
  | 'invalid_as_of_position'
  | 'as_of_before_history'
  | 'invalid_month'
  | 'month_required'
  | 'invalid_format'
  | 'statement_too_large'
  | 'verification_in_progress'
  | 'webhook_signature_invalid'
  | 'payment_method_conflict'
  | 'dead_letter_not_found';

/** Every named refusal the API can answer with. */
export type ApiRejection =
  | WalletRejection
  | MovementStartRejection
  | IdentityRejection
  | HistoryProblem
  | CardRejection
  | PayoutDestinationRejection
  | HttpRejection
  | FinanceRejection;

/**
 * The HTTP status of every rejection: the one place where expected failures
 * become status codes. The mapped type makes it exhaustive: a rejection added
 * to any union above fails to compile until it has a status here.
 */
export const REJECTION_STATUS: { readonly [R in ApiRejection]: number } = {
  // 400: the request itself is malformed; correct it and send it again.
  validation_failed: 400,
  malformed_body: 400,
  malformed_json: 400,
  body_too_deep: 400,
  body_too_large: 400,
  amount_must_be_positive: 400,
  amount_exceeds_limit: 400,
  invalid_contra_account: 400,
  idempotency_key_required: 400,
  invalid_position: 400,
  position_beyond_head: 400,
  invalid_cursor: 400,
  invalid_limit: 400,
  invalid_type: 400,
  invalid_date_range: 400,
  invalid_as_of: 400,
  invalid_as_of_position: 400,
  recipient_required: 400,
  invalid_month: 400,
  webhook_signature_invalid: 400,
  invalid_request: 400,
  email_invalid: 400,
  phone_invalid: 400,
  password_too_short: 400,
  password_too_long: 400,
  password_contains_email: 400,
  password_too_repetitive: 400,
  email_code_invalid: 400,
  email_code_expired: 400,
  // 401: who is calling is unknown or no longer valid.
  unauthorized: 401,
  invalid_credentials: 401,
  challenge_invalid: 401,
  refresh_token_invalid: 401,
  refresh_token_reused: 401,
  refresh_cookie_missing: 401,
  access_token_missing: 401,
  access_token_invalid: 401,
  access_token_expired: 401,
  session_ended: 401,
  google_sign_in_failed: 401,
  // 403: the caller is known but may not do this (yet).
  email_not_verified: 403,
  current_password_invalid: 403,
  role_required: 403,
  cross_site_request: 403,
  two_factor_code_required: 403,
  two_factor_code_invalid: 403,
  two_factor_code_reused: 403,
  two_factor_not_enabled: 403,
  google_email_not_verified: 403,
  // 404: no such object, or another user's (answered exactly alike).
  not_found: 404,
  wallet_not_found: 404,
  hold_not_found: 404,
  movement_not_found: 404,
  merchant_not_found: 404,
  payment_not_found: 404,
  recipient_not_found: 404,
  payout_destination_not_found: 404,
  card_not_found: 404,
  user_not_found: 404,
  google_sign_in_not_configured: 404,
  // 409: the object's current state refuses the request.
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
  as_of_before_history: 409,
  movement_already_exists: 409,
  movement_not_started: 409,
  payment_reference_taken: 409,
  payment_not_refundable: 409,
  payout_destination_exists: 409,
  too_many_payout_destinations: 409,
  email_taken: 409,
  phone_taken: 409,
  email_already_verified: 409,
  user_email_not_verified: 409,
  two_factor_already_enabled: 409,
  two_factor_not_enrolled: 409,
  cannot_remove_own_admin_role: 409,
  google_account_mismatch: 409,
  // 413 and 415: the body cannot be read as sent.
  payload_too_large: 413,
  unsupported_encoding: 415,
  unsupported_media_type: 415,
  unsupported_charset: 415,
  // 422: well-formed, but the ledger refuses what it asks.
  unknown_currency: 422,
  currency_mismatch: 422,
  exceeds_available: 422,
  idempotency_key_reused: 422,
  transfer_to_same_wallet: 422,
  refund_exceeds_payment: 422,
  recipient_ambiguous: 422,
  not_wallet_owner: 422,
  fx_rate_unavailable: 422,
  converted_amount_too_small: 422,
  month_required: 400,
  invalid_format: 400,
  statement_too_large: 422,
  payment_provider_refused: 422,
  // 429: too many requests; Retry-After says when to try again.
  too_many_attempts: 429,
  too_many_requests: 429,
  // 5xx: the service or a provider cannot answer now; retrying can succeed.
  internal_error: 500,
  unexpected_step_refusal: 500,
  unknown_step: 500,
  position_not_reached: 503,
  request_deadline_exceeded: 503,
  payment_provider_unavailable: 503,
  email_not_sent: 503,
  payment_method_unavailable: 422,
  payment_method_conflict: 400,
  method_currency_unsupported: 422,
  amount_not_whole_shillings: 422,
  amount_above_method_limit: 422,
  phone_number_required: 422,
  invalid_period: 400,
  invalid_reconciliation_period: 400,
  effective_date_in_future: 400,
  approver_is_requester: 403,
  entry_not_found: 404,
  break_not_found: 404,
  approval_not_found: 404,
  period_not_found: 404,
  period_closed: 409,
  period_not_ended: 409,
  period_already_closed: 409,
  trial_balance_unbalanced: 409,
  break_already_resolved: 409,
  break_not_open: 409,
  approval_not_pending: 409,
  reversal_direction_mismatch: 422,
  reversal_exceeds_entry: 422,
  dead_letter_not_found: 404,
  setup_intent_not_found: 404,
  setup_intent_not_succeeded: 409,
};

/** What each rejection tells a person, unless the thrower says something more precise. */
const MESSAGES: { readonly [R in ApiRejection]: string } = {
  ...WALLET_REJECTION_MESSAGES,
  ...MOVEMENT_REJECTION_MESSAGES,
  ...IDENTITY_REJECTION_MESSAGES,
  validation_failed: 'The request has fields that are missing or malformed',
  malformed_body: 'The request body could not be read as sent (length or framing)',
  payload_too_large: 'The request body exceeds the size limit',
  unsupported_encoding: 'The request body encoding is not supported',
  unsupported_media_type: 'The request body must be JSON, with Content-Type: application/json',
  unsupported_charset: 'The request body must be UTF-8',
  malformed_json: 'The request body is not a valid JSON object',
  body_too_deep: 'The request body nests too deeply',
  body_too_large: 'The request body has too many keys and elements',
  not_found: 'No such route or object',
  unauthorized: 'Valid credentials are required',
  internal_error: 'An unexpected error occurred',
  invalid_cursor: 'cursor must be a nextCursor returned by the previous page',
  invalid_limit: 'limit must be a whole number within the page size bounds',
  invalid_type: 'type must be one of the listed entry types',
  invalid_date_range: 'from must not be after to',
  invalid_position: 'position must be a position token as returned by a command',
  invalid_as_of: 'asOf must be an ISO 8601 date-time, not in the future',
  invalid_as_of_position: 'asOfPosition must be a position token as returned by a command',
  as_of_before_history: 'The point asked for is before the history this service keeps',
  verification_in_progress: 'A ledger verification is already running; wait for it to finish',
  payout_destination_exists: 'This payout destination is already registered',
  too_many_payout_destinations:
    'The limit of payout destinations is reached; remove one before adding another',
  invalid_month: 'from and to must be months, YYYY-MM',
  month_required: 'A CSV statement is one month: pass month=YYYY-MM',
  invalid_format: 'format must be a locale the service can format amounts in, e.g. en-GB',
  statement_too_large:
    'The month holds more rows than one download; page the JSON statement instead',
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
  dead_letter_not_found: 'No dead-letter job with this id',
  setup_intent_not_found: 'No card setup of yours with this id',
  setup_intent_not_succeeded:
    'The card company has not confirmed this card setup; confirm it in its form first',
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
  invalid_period: 'period must be a month, YYYY-MM',
  invalid_reconciliation_period:
    'from and to must be ISO dates, from before to, at most 93 days apart',
  effective_date_in_future: 'effectiveAt must not be in the future',
  approver_is_requester:
    'An adjustment is approved by another finance user than the one who asked for it',
  entry_not_found: 'The wallet has no entry with this id',
  break_not_found: 'No reconciliation break with this id',
  approval_not_found: 'No adjustment awaiting approval with this id',
  period_not_found: 'This month is not closed',
  period_closed:
    'The month this is dated in is closed; date the correction in an open month and reference what it corrects',
  period_not_ended: 'A month can be closed only after it has ended',
  period_already_closed: 'This month is already closed; its seal does not change',
  trial_balance_unbalanced:
    'The closing trial balance does not balance; find the difference before closing',
  break_already_resolved: 'The break is resolved; it does not change any more',
  break_not_open: 'Only an open break can be explained',
  approval_not_pending: 'The adjustment was already approved, rejected or refused',
  reversal_direction_mismatch: 'A reversal moves the opposite way of the entry it reverses',
  reversal_exceeds_entry: 'The reversals of an entry would take back more than the entry moved',
};

export function isApiRejection(code: string): code is ApiRejection {
  return Object.prototype.hasOwnProperty.call(REJECTION_STATUS, code);
}

export function statusOf(rejection: ApiRejection): number {
  return REJECTION_STATUS[rejection];
}

export function messageOf(rejection: ApiRejection): string {
  return MESSAGES[rejection];
}

/** A named refusal thrown from a route; the problem filter renders it as problem+json. */
export class RejectionException extends HttpException {
  constructor(
    readonly rejection: ApiRejection,
    message = MESSAGES[rejection],
  ) {
    super(
      { statusCode: REJECTION_STATUS[rejection], error: rejection, message },
      REJECTION_STATUS[rejection],
    );
  }
}
