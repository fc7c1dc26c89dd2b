import { WALLET_REJECTION_MESSAGES } from '@ledger/ledger';
import { isRejected, type IdentityRejection, type Rejected } from '../identity.rejections';
import { PASSWORD_PROBLEM_MESSAGES } from '../users/password-policy';

/** What each identity rejection tells a person; the HTTP status of each is in the API's one rejection table. */
export const IDENTITY_REJECTION_MESSAGES: Readonly<Record<IdentityRejection, string>> = {
  ...PASSWORD_PROBLEM_MESSAGES,
  invalid_request: 'The request is malformed',
  email_invalid: 'email must be a valid e-mail address',
  phone_invalid: 'phone must be in international E.164 form, such as +442079460958',
  unknown_currency: WALLET_REJECTION_MESSAGES.unknown_currency,
  email_taken: 'An account with this e-mail already exists',
  phone_taken: 'Another account already uses this phone number',
  invalid_credentials: 'The e-mail or password is wrong',
  too_many_attempts: 'Too many failed attempts; wait before trying again',
  too_many_requests: 'Too many requests; wait before trying again',
  email_not_verified: 'Verify your e-mail address first: POST /me/email/verification sends a code',
  email_already_verified: 'This e-mail address is already verified',
  user_email_not_verified: "Staff roles need the user's e-mail address to be verified first",
  email_code_invalid: 'The code is wrong, used or expired; ask for a new one',
  email_code_expired: 'The code has expired; ask for a new one',
  email_not_sent: 'The e-mail could not be sent; try again later',
  current_password_invalid: 'The current password is wrong',
  challenge_invalid: 'The two-factor challenge is invalid or expired; log in again',
  refresh_token_invalid: 'The refresh token is invalid or expired; log in again',
  refresh_token_reused:
    'This refresh token was already used; the session has been ended for safety, log in again',
  refresh_cookie_missing: 'No session cookie came with the request; log in again',
  cross_site_request:
    'Session cookie requests must come from this site and carry X-Ledger-Session: cookie',
  access_token_missing: 'This route needs an access token: Authorization: Bearer <token>',
  access_token_invalid: 'The access token is invalid',
  access_token_expired: 'The access token has expired; refresh it',
  session_ended: 'The session has ended; log in again',
  role_required: 'Your role does not allow this',
  two_factor_code_required: 'A current two-factor code is required (header X-2FA-Code)',
  two_factor_code_invalid: 'The two-factor code is wrong or expired',
  two_factor_code_reused: 'This two-factor code was already used; wait for the next one',
  two_factor_not_enabled: 'Two-factor authentication must be enabled for this',
  two_factor_already_enabled: 'Two-factor authentication is already enabled',
  two_factor_not_enrolled: 'Start two-factor enrolment first',
  user_not_found: 'No such user',
  cannot_remove_own_admin_role: 'An admin cannot remove their own admin role; ask another admin',
  google_sign_in_not_configured: 'Google sign-in is not configured on this server',
  google_sign_in_failed: 'Google sign-in did not complete; start again',
  google_email_not_verified: 'Google has not verified this e-mail address',
  google_account_mismatch: 'This e-mail belongs to an account linked to another Google account',
};

/**
 * Carries a named rejection out of a controller or guard. It is not an
 * HttpException on purpose: the status comes from the API's one rejection
 * table, where the problem filter renders it (and adds `Retry-After` to rate
 * limit refusals).
 */
export class IdentityRejectionException extends Error {
  /** What the answer's `detail` says: the rejection's message, prefixed by the field it is about. */
  readonly detail: string;

  constructor(readonly rejection: Rejected) {
    super(rejection.rejected);
    this.name = 'IdentityRejectionException';
    const message = IDENTITY_REJECTION_MESSAGES[rejection.rejected];
    this.detail = rejection.field ? `${rejection.field}: ${message}` : message;
  }
}

/** The value, or the rejection thrown as an HTTP error. */
export function orThrow<T>(result: T | Rejected): Exclude<T, Rejected> {
  if (isRejected(result)) throw new IdentityRejectionException(result);
  return result as Exclude<T, Rejected>;
}
