import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { AttemptLimiter } from '../access/attempt-limiter';
import { accountAttemptKey } from '../access/attempt-limit';
import { SecurityAuditService } from '../audit/security-audit.service';
import { EmailCodes } from '../email/email-codes';
import { redemptionProblem } from '../email/email-verification.service';
import { rejected, rejectedField, type Rejected } from '../identity.rejections';
import { normaliseEmail } from '../users/email';
import { replacePassword, markEmailVerified } from '../users/credential.store';
import { PasswordHasher } from '../users/password-hasher';
import { checkPassword } from '../users/password-policy';
import { UserStore } from '../users/user.store';

export interface PasswordResetConfirmation {
  readonly email: string;
  readonly code: string;
  readonly newPassword: string;
}

/** Resets still being sent when the app stops are awaited this long at most. */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Password recovery by e-mailed code, and password change for a signed-in
 * user. Both end sessions: a reset every one (whoever knew the old password
 * is out), a change every one but the caller's.
 */
@Injectable()
export class PasswordService implements OnApplicationShutdown {
  private readonly logger = new Logger(PasswordService.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly users: UserStore,
    private readonly hasher: PasswordHasher,
    private readonly codes: EmailCodes,
    private readonly limiter: AttemptLimiter,
    private readonly audit: SecurityAuditService,
  ) {}

  /**
   * Answers at once, the same for every address: the lookup and the e-mail
   * happen afterwards, so neither the answer nor its timing tells whether
   * the address has an account.
   */
  requestReset(emailInput: string, correlationId?: string): undefined | Rejected {
    const email = normaliseEmail(emailInput);
    if (email === 'email_invalid') return rejected(email);
    const task = this.sendReset(email, correlationId).catch((error: unknown) =>
      this.logger.error(
        `Password reset not sent: ${error instanceof Error ? error.name : 'error'}`,
      ),
    );
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
    return undefined;
  }

  /** Waits for resets being sent now; tests use it, and shutdown does. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([
      this.settled(),
      new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref()),
    ]);
  }

  async confirmReset(
    input: PasswordResetConfirmation,
    correlationId?: string,
  ): Promise<undefined | Rejected> {
    const email = normaliseEmail(input.email);
    if (email === 'email_invalid') return rejected(email);
    const problem = checkPassword(input.newPassword, email);
    if (problem) return rejectedField(problem, 'newPassword');
    // Hashed before the lookup, so a known and an unknown address cost the same.
    const passwordHash = await this.hasher.hash(input.newPassword);
    const user = await this.users.findByEmail(email);
    if (!user) return rejected('email_code_invalid');
    const redemption = await this.codes.redeem(
      user.id,
      'reset_password',
      input.code,
      async (tx) => {
        // Reading the code proved the address is theirs.
        await markEmailVerified(tx, user.id);
        return replacePassword(tx, user.id, passwordHash, 'password_reset');
      },
      correlationId,
    );
    this.users.forgetSessionsOf(user.id);
    if (redemption.outcome !== 'accepted') return redemptionProblem(redemption);
    await this.limiter.reset(accountAttemptKey(email));
    await this.audit.record(
      { type: 'PasswordReset', userId: user.id, data: { sessionsRevoked: redemption.value } },
      correlationId,
    );
    return undefined;
  }

  /** Needs the current password; wrong ones count against the account like failed logins. */
  async change(
    caller: { readonly userId: string; readonly sessionId: string },
    currentPassword: string,
    newPassword: string,
    correlationId?: string,
  ): Promise<undefined | Rejected> {
    const user = await this.users.findById(caller.userId);
    if (!user) return rejected('user_not_found');
    const key = accountAttemptKey(user.email);
    const locked = await this.limiter.lockedFor([key]);
    if (locked) return rejected('too_many_attempts', locked.retryAfterSeconds);
    if (!(await this.hasher.verifyOrDummy(user.passwordHash, currentPassword))) {
      await this.limiter.recordFailure([key]);
      return rejected('current_password_invalid');
    }
    const problem = checkPassword(newPassword, user.email);
    if (problem) return rejectedField(problem, 'newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    const revoked = await this.db
      .transaction((tx) =>
        replacePassword(tx, user.id, passwordHash, 'password_changed', caller.sessionId),
      )
      .finally(() => this.users.forgetSessionsOf(user.id));
    await this.limiter.reset(key);
    await this.audit.record(
      { type: 'PasswordChanged', userId: user.id, data: { sessionsRevoked: revoked } },
      correlationId,
    );
    return undefined;
  }

  private async sendReset(email: string, correlationId?: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    // Too many codes for one account are dropped quietly: the answer was already given.
    if (user) await this.codes.send(user, 'reset_password', correlationId);
  }
}
