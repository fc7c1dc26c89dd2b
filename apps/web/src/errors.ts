import { useState } from 'react';
import type { Problem } from './api/types';

/**
 * What the API's stable error codes mean to a person, and which field of a
 * form each concerns. The API's own message is the fallback: it is written
 * for people too, just less specifically.
 */
const WORDS: Record<string, { text: string; field?: string }> & {
  forbidden: { text: string };
} = {
  invalid_credentials: { text: 'That e-mail and password do not match an account.' },
  email_taken: {
    text: 'An account with this e-mail already exists. Sign in instead.',
    field: 'email',
  },
  email_invalid: { text: 'This does not look like an e-mail address.', field: 'email' },
  password_too_short: { text: 'Use at least 12 characters.', field: 'password' },
  password_too_long: { text: 'Use at most 128 characters.', field: 'password' },
  password_too_repetitive: { text: 'Use more than one repeated character.', field: 'password' },
  password_contains_email: {
    text: 'Do not use your e-mail name in the password.',
    field: 'password',
  },
  too_many_attempts: { text: 'Too many tries. Wait a moment and try again.' },
  too_many_requests: { text: 'Too many requests. Wait a moment and try again.' },
  two_factor_code_invalid: {
    text: 'That code is not right. Check your authenticator app.',
    field: 'code',
  },
  two_factor_code_reused: {
    text: 'That code was already used. Wait for the next one.',
    field: 'code',
  },
  two_factor_required: { text: 'Enter the code from your authenticator app.', field: 'code' },
  two_factor_not_enabled: { text: 'Turn on two-step verification under Security first.' },
  email_not_verified: { text: 'Verify your e-mail address under Security first.' },
  email_code_invalid: { text: 'That code is not right.', field: 'code' },
  email_code_expired: { text: 'That code has expired. Ask for a new one.', field: 'code' },
  exceeds_available: {
    text: 'Not enough money in this wallet: the amount is more than what is available.',
    field: 'amount',
  },
  wallet_frozen: { text: 'This wallet is frozen: no money can move out of it right now.' },
  recipient_not_found: {
    text: 'No one with that address has an account here.',
    field: 'recipient',
  },
  wallet_not_found: { text: 'That wallet does not exist.', field: 'recipient' },
  currency_mismatch: { text: 'The currency does not match the wallet.', field: 'amount' },
  fx_rate_unavailable: {
    text: 'No exchange rate is available for these currencies.',
    field: 'recipient',
  },
  merchant_not_found: {
    text: 'No merchant has that id. Check the id the shop gave you.',
    field: 'merchant',
  },
  payment_reference_taken: {
    text: 'Someone else already paid this order reference at this merchant.',
    field: 'reference',
  },
  payment_not_found: { text: 'That payment does not exist.' },
  payment_not_refundable: { text: 'This payment cannot be refunded: it did not complete.' },
  refund_exceeds_payment: {
    text: 'This is more than is left to refund on the payment.',
    field: 'refund-amount',
  },
  same_wallet: { text: 'You cannot send money to the same wallet.', field: 'recipient' },
  amount_must_be_positive: { text: 'The amount must be more than zero.', field: 'amount' },
  amount_exceeds_limit: { text: 'The amount is larger than one payment may be.', field: 'amount' },
  unknown_currency: { text: 'That currency is not supported here.', field: 'currency' },
  card_not_found: { text: 'That card is not linked to your account any more.', field: 'card' },
  payment_provider_refused: { text: 'The card company refused this. Try another card.' },
  payment_provider_unavailable: {
    text: 'The card company cannot be reached right now. Try again in a moment.',
  },
  setup_intent_not_succeeded: {
    text: 'The card company has not confirmed this card yet. Check the details and try again.',
    field: 'card-element',
  },
  setup_intent_not_found: {
    text: 'This card could not be linked. Start again.',
    field: 'card-element',
  },
  payment_method_conflict: { text: 'Choose either a card or M-Pesa, not both.', field: 'method' },
  payment_method_unavailable: {
    text: 'This way of paying is not available on this service.',
    field: 'method',
  },
  method_currency_unsupported: {
    text: 'M-Pesa moves Kenyan shillings (KES) only.',
    field: 'method',
  },
  amount_not_whole_shillings: {
    text: 'M-Pesa moves whole shillings only: leave out the cents.',
    field: 'amount',
  },
  amount_above_method_limit: {
    text: 'This is more than one M-Pesa payment may move (KES 250,000).',
    field: 'amount',
  },
  phone_number_required: {
    text: 'M-Pesa uses the phone number on your profile: add one under Security first.',
    field: 'method',
  },
  phone_invalid: {
    text: 'Write the number in international form, with + and the country code, such as +254712345678.',
    field: 'phone',
  },
  phone_taken: { text: 'Another account already uses this phone number.', field: 'phone' },
  cannot_remove_own_admin_role: {
    text: 'You cannot take away your own admin role: another admin has to do that.',
    field: 'roles',
  },
  user_not_found: { text: 'No user has this id.', field: 'userId' },
  user_email_not_verified: {
    text: 'This person has not verified their e-mail address yet, so they cannot have a staff role.',
    field: 'roles',
  },
  role_required: { text: 'Your role does not allow this.' },
  google_sign_in_failed: { text: 'Signing in with Google did not finish. Start again.' },
  google_email_not_verified: {
    text: 'Google has not verified the e-mail address of this Google account.',
  },
  google_sign_in_not_configured: { text: 'Signing in with Google is not available here.' },
  google_account_mismatch: {
    text: 'This e-mail belongs to an account linked to a different Google account.',
  },
  access_token_expired: { text: 'Your session has ended. Sign in again.' },
  invalid_period: { text: 'Write the month as YYYY-MM, such as 2026-11.', field: 'period' },
  invalid_reconciliation_period: {
    text: 'The period must end after it starts, and span at most 93 days.',
    field: 'period',
  },
  period_not_ended: {
    text: 'This month has not ended yet: a month can be closed only after its last day.',
    field: 'period',
  },
  period_already_closed: { text: 'This month is already closed.', field: 'period' },
  period_not_found: { text: 'This month has not been closed.', field: 'period' },
  period_closed: { text: 'That month is closed: nothing dated inside it can be posted.' },
  trial_balance_unbalanced: {
    text: 'The trial balance of this month does not balance, so it cannot be sealed. Verify the ledger first.',
  },
  approver_is_requester: {
    text: 'You asked for this adjustment, so you cannot decide it: another finance user has to.',
  },
  approval_not_found: { text: 'No adjustment awaits a decision under this id.' },
  approval_not_pending: { text: 'This adjustment has already been decided.' },
  break_not_found: { text: 'No reconciliation break has this id.' },
  break_not_open: { text: 'This break is no longer open: someone has explained or resolved it.' },
  break_already_resolved: { text: 'This break has already been resolved.' },
  dead_letter_not_found: {
    text: 'This job is no longer among the dead letters: it may have been retried already.',
  },
  effective_date_in_future: { text: 'The date an adjustment belongs to cannot be in the future.' },
  entry_not_found: {
    text: 'This wallet has no entry with that id.',
    field: 'reverses',
  },
  reversal_direction_mismatch: {
    text: 'A reversal moves the opposite way of the entry it reverses: a credit reverses a debit.',
    field: 'direction',
  },
  reversal_exceeds_entry: {
    text: 'This is more than is left to reverse of that entry.',
    field: 'amount',
  },
  forbidden: { text: 'Your account may not do this.' },
};

export interface Explained {
  text: string;
  field?: string;
}

/**
 * A form's problem in words, and where it shows: beside the field it
 * concerns, or above the form's button when no field on screen shows it, so
 * that a problem about a field the form does not show still reaches the person.
 */
export function useProblem() {
  const [problem, setProblem] = useState<Explained | null>(null);
  return {
    problem,
    setProblem,
    fieldError: (name: string) => (problem?.field === name ? problem.text : undefined),
    formError: (shown: readonly string[]) =>
      problem && !shown.includes(problem.field ?? '') ? problem.text : undefined,
  };
}

export function explain(body: unknown, status?: number): Explained {
  const problem = (typeof body === 'object' && body !== null ? body : undefined) as
    Problem | undefined;
  const code = problem?.code ?? problem?.error;
  const known = code ? WORDS[code] : undefined;
  if (known) return known;
  const message = problem?.detail ?? problem?.message;
  if (Array.isArray(message) && message.length > 0) return { text: message.join(' ') };
  if (typeof message === 'string' && message !== '') return { text: message };
  if (status === 403) return { text: 'Your account may not do this.' };
  if (status === undefined)
    return { text: 'The service cannot be reached. Check your connection.' };
  return { text: 'Something went wrong. Try again.' };
}
