import type { PasswordProblem } from './users/password-policy';

/**
 * Every expected failure of the identity library, by name. Each maps to one
 * message in `http/identity-rejection.ts` and to one HTTP status in the API's
 * rejection table; the name is what clients branch on, the message is for
 * people.
 */
export type IdentityRejection =
  | 'invalid_request'
  | 'email_invalid'
  | 'phone_invalid'
  | 'unknown_currency'
  | PasswordProblem
  | 'email_taken'
  | 'phone_taken'
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'too_many_requests'
  | 'email_not_verified'
  | 'email_already_verified'
  | 'user_email_not_verified'
  | 'email_code_invalid'
  | 'email_code_expired'
  | 'email_not_sent'
  | 'current_password_invalid'
  | 'challenge_invalid'
  | 'refresh_token_invalid'
  | 'refresh_token_reused'
  | 'refresh_cookie_missing'
  | 'cross_site_request'
  | 'access_token_missing'
  | 'access_token_invalid'
  | 'access_token_expired'
  | 'session_ended'
  | 'role_required'
  | 'two_factor_code_required'
  | 'two_factor_code_invalid'
  | 'two_factor_code_reused'
  | 'two_factor_not_enabled'
  | 'two_factor_already_enabled'
  | 'two_factor_not_enrolled'
  | 'user_not_found'
  | 'cannot_remove_own_admin_role'
  | 'google_sign_in_not_configured'
  | 'google_sign_in_failed'
  | 'google_email_not_verified'
  | 'google_account_mismatch';

export interface Rejected {
  readonly rejected: IdentityRejection;
  /** Set with `too_many_attempts` and `too_many_requests`: when trying again can succeed. */
  readonly retryAfterSeconds?: number;
  /** The request field the refusal is about, where the rejection alone does not say (`newPassword`). */
  readonly field?: string;
}

export function rejected(rejection: IdentityRejection, retryAfterSeconds?: number): Rejected {
  return retryAfterSeconds === undefined
    ? { rejected: rejection }
    : { rejected: rejection, retryAfterSeconds };
}

/** A refusal of one request field, named in the answer's message. */
export function rejectedField(rejection: IdentityRejection, field: string): Rejected {
  return { rejected: rejection, field };
}

export function isRejected(value: unknown): value is Rejected {
  return typeof value === 'object' && value !== null && 'rejected' in value;
}
