import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { isRejected, type IdentityRejection, type Rejected } from '../identity.rejections';
import { PASSWORD_PROBLEM_MESSAGES } from '../users/password-policy';

/** The HTTP status of every identity rejection: the one place they are mapped. */
const STATUS: Readonly<Record<IdentityRejection, number>> = {
  invalid_request: 400,
  email_invalid: 400,
  phone_invalid: 400,
  currency_unsupported: 400,
  password_too_short: 400,
  password_too_long: 400,
  password_contains_email: 400,
  password_too_repetitive: 400,
  email_taken: 409,
  phone_taken: 409,
  invalid_credentials: 401,
  too_many_attempts: 429,
  too_many_requests: 429,
  email_not_verified: 403,
  email_already_verified: 409,
  user_email_not_verified: 409,
  email_code_invalid: 400,
  email_code_expired: 400,
  email_not_sent: 503,
  current_password_invalid: 403,
  challenge_invalid: 401,
  refresh_token_invalid: 401,
  refresh_token_reused: 401,
  refresh_cookie_missing: 401,
  cross_site_request: 403,
  access_token_missing: 401,
  access_token_invalid: 401,
  access_token_expired: 401,
  session_ended: 401,
  role_required: 403,
  two_factor_code_required: 403,
  two_factor_code_invalid: 403,
  two_factor_code_reused: 403,
  two_factor_not_enabled: 403,
  two_factor_already_enabled: 409,
  two_factor_not_enrolled: 409,
  user_not_found: 404,
  cannot_remove_own_admin_role: 409,
  google_sign_in_not_configured: 404,
  google_sign_in_failed: 401,
  google_email_not_verified: 403,
  google_account_mismatch: 409,
};

const MESSAGES: Readonly<Record<IdentityRejection, string>> = {
  ...PASSWORD_PROBLEM_MESSAGES,
  invalid_request: 'The request is malformed',
  email_invalid: 'email must be a valid e-mail address',
  phone_invalid: 'phone must be in international E.164 form, such as +442079460958',
  currency_unsupported: 'currency must be a supported ISO 4217 code such as USD, EUR or JPY',
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

/** Carries a named rejection out of a controller or guard; the body has the API's problem shape. */
export class IdentityRejectionException extends HttpException {
  constructor(readonly rejection: Rejected) {
    const statusCode = STATUS[rejection.rejected];
    const details =
      rejection.retryAfterSeconds === undefined
        ? {}
        : { details: { retryAfterSeconds: rejection.retryAfterSeconds } };
    const message = rejection.field
      ? `${rejection.field}: ${MESSAGES[rejection.rejected]}`
      : MESSAGES[rejection.rejected];
    super({ statusCode, error: rejection.rejected, message, ...details }, statusCode);
  }
}

/** The value, or the rejection thrown as an HTTP error. */
export function orThrow<T>(result: T | Rejected): Exclude<T, Rejected> {
  if (isRejected(result)) throw new IdentityRejectionException(result);
  return result as Exclude<T, Rejected>;
}

/**
 * Adds `Retry-After` to rate-limit refusals, then answers in the same shape
 * the API's global problem filter uses.
 */
@Catch(IdentityRejectionException)
export class IdentityRejectionFilter implements ExceptionFilter {
  catch(exception: IdentityRejectionException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const seconds = exception.rejection.retryAfterSeconds;
    if (seconds !== undefined) response.setHeader('Retry-After', String(seconds));
    response.status(exception.getStatus()).json(exception.getResponse());
  }
}
