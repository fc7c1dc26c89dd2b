/**
 * Why a money movement is refused before it starts, or why a recording on a
 * saga stream is refused. Named values in the order they are checked; the
 * HTTP layer maps each to a status in one place.
 */
export const MOVEMENT_REJECTIONS = [
  'movement_already_exists',
  'movement_not_found',
  'movement_not_started',
  'transfer_to_same_wallet',
  'recipient_required',
  'recipient_not_found',
  'recipient_ambiguous',
  'not_wallet_owner',
  'fx_rate_unavailable',
  'converted_amount_too_small',
  'payout_destination_not_found',
  'unexpected_step_refusal',
  'unknown_step',
  'merchant_not_found',
  'payment_not_found',
  'payment_reference_taken',
  'payment_not_refundable',
  'refund_exceeds_payment',
] as const;
export type MovementRejection = (typeof MOVEMENT_REJECTIONS)[number];

export const MOVEMENT_REJECTION_MESSAGES: Readonly<Record<MovementRejection, string>> = {
  movement_already_exists: 'A different movement was already requested under this id',
  movement_not_found: 'No such movement',
  movement_not_started: 'The movement was never requested',
  transfer_to_same_wallet: 'The sender and the recipient wallet must differ',
  recipient_required: 'Name the recipient by exactly one of toWalletId, toEmail and toPhone',
  recipient_not_found: 'No recipient wallet matches',
  recipient_ambiguous: 'The recipient has several wallets; name one by id',
  not_wallet_owner: 'Only the owner of the wallet may move money out of it',
  fx_rate_unavailable: 'No exchange rate is available between these currencies',
  converted_amount_too_small: 'The amount is less than one minor unit once converted',
  payout_destination_not_found: 'No such payout destination',
  unexpected_step_refusal:
    'A step that cannot be refused was refused; the saga waits for an operator',
  unknown_step: 'The saga has no such step',
  merchant_not_found: 'No such merchant',
  payment_not_found: 'No such payment',
  payment_reference_taken:
    'The merchant already has a payment with this reference from another payer',
  payment_not_refundable: 'Only a completed payment can be refunded',
  refund_exceeds_payment: 'The refund would exceed what is left of the payment to refund',
};
