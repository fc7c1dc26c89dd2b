import type { Role } from '../principal';

/**
 * The security audit trail. Each event names what happened and to whom (a
 * user id), never personal data: no e-mail, phone, name, password, token,
 * code or IP address, so the trail can be kept forever and shown to auditors.
 */
export type SecurityEvent =
  | { type: 'UserSignedUp'; userId: string; data: { method: 'password' | 'google'; roles: Role[] } }
  | {
      type: 'LoginSucceeded';
      userId: string;
      data: { method: 'password' | 'google'; secondFactor: boolean };
    }
  | { type: 'LoginFailed'; userId?: string; data: { reason: LoginFailureReason } }
  | { type: 'RefreshTokenReuseDetected'; userId: string; data: { sessionId: string } }
  | { type: 'LoggedOut'; userId: string; data: { sessionId: string } }
  | { type: 'GoogleAccountLinked'; userId: string; data: { credentialsReset: boolean } }
  | { type: 'TwoFactorEnabled'; userId: string; data: Record<string, never> }
  | {
      type: 'TwoFactorDisabled';
      userId: string;
      data: { reason: 'user_request' | 'credentials_reset' };
    }
  | {
      type: 'RolesChanged';
      userId: string;
      /** `by` is the admin's user id, or `operator CLI` for `npm run admin:grant`. */
      data: { by: string; from: Role[]; to: Role[] };
    }
  | { type: 'EmailCodeSent'; userId: string; data: { purpose: EmailCodePurpose } }
  | {
      type: 'EmailCodeRejected';
      userId: string;
      data: { purpose: EmailCodePurpose; reason: 'wrong' | 'expired' | 'exhausted' };
    }
  | { type: 'EmailVerified'; userId: string; data: Record<string, never> }
  | { type: 'PasswordReset'; userId: string; data: { sessionsRevoked: number } }
  | { type: 'PasswordChanged'; userId: string; data: { sessionsRevoked: number } }
  | {
      type: 'DeadLetterRetried';
      /** The admin who retried it; absent for `npm run jobs:dead-letters` (the anonymous stream). */
      userId?: string;
      /** `by` as in RolesChanged; `reason` is the operator's own words, kept forever. */
      data: { by: string; queue: string; jobId: string; jobName: string; reason: string };
    }
  /**
   * An admin looked a user up by e-mail (GET /admin/users?email=): on the
   * admin's stream, with the user found (`subject`) or none; never the
   * e-mail asked for.
   */
  | { type: 'UserLookedUp'; userId: string; data: { subject: string | null } }
  /**
   * Finance's actions, each on the acting user's stream with why: `reason`
   * is the text finance gave, `subject` the adjustment, break or period
   * acted on. Amounts and wallet ids, never a customer's personal data.
   */
  | { type: 'FinanceActionRecorded'; userId: string; data: FinanceActionData };

export type FinanceAction =
  | 'adjustment_requested'
  | 'adjustment_posted'
  | 'adjustment_approved'
  | 'adjustment_rejected'
  | 'adjustment_refused'
  | 'break_explained'
  | 'break_resolved'
  | 'breaks_recorded'
  | 'period_closed';

export interface FinanceActionData {
  readonly action: FinanceAction;
  readonly subject: string;
  readonly reason: string;
  readonly [detail: string]: string | number | boolean | null;
}

export type EmailCodePurpose = 'verify_email' | 'reset_password';

export type SecurityEventType = SecurityEvent['type'];

export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [
  'UserSignedUp',
  'LoginSucceeded',
  'LoginFailed',
  'RefreshTokenReuseDetected',
  'LoggedOut',
  'GoogleAccountLinked',
  'TwoFactorEnabled',
  'TwoFactorDisabled',
  'RolesChanged',
  'EmailCodeSent',
  'EmailCodeRejected',
  'EmailVerified',
  'PasswordReset',
  'PasswordChanged',
  'FinanceActionRecorded',
  'DeadLetterRetried',
  'UserLookedUp',
];

export type LoginFailureReason = 'invalid_credentials' | 'locked' | 'second_factor_invalid';

/** Failures for e-mails that match no account have no user stream of their own. */
export const ANONYMOUS_STREAM = 'identity-anonymous';

export function securityStream(userId: string | undefined): string {
  return userId ? `identity-${userId}` : ANONYMOUS_STREAM;
}
