import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { AttemptLimiter, type AttemptKey } from '../access/attempt-limiter';
import { SECOND_FACTOR_POLICY } from '../access/attempt-limit';
import { SecurityAuditService } from '../audit/security-audit.service';
import { FieldCipher } from '../crypto/field-cipher';
import {
  IDENTITY_CLOCK,
  IDENTITY_CONFIG,
  type Clock,
  type IdentityConfig,
} from '../identity.config';
import { rejected, type Rejected } from '../identity.rejections';
import { UserStore } from '../users/user.store';
import { newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';
import { looksLikeTotpCode, matchTotp, newTotpSecret, totpUri } from './totp';

export interface Enrolment {
  /** Base32 secret, for typing in by hand; shown once. */
  readonly secret: string;
  /** otpauth:// URI, for a QR code; shown once. */
  readonly otpauthUri: string;
}

interface FactorRow {
  secret_ciphertext: string;
  enabled_at: Date | null;
  last_used_step: string | number | null;
}

/**
 * TOTP second factor: enrolment, confirmation, recovery codes, disabling,
 * and `assertFreshCode` for actions that need a code of their own
 * (withdrawals, new payout destinations).
 *
 * A code is accepted once: the time step of the last accepted code is kept
 * and a compare-and-set moves it forward, so the same code presented twice,
 * even by two requests at once, succeeds only once. Wrong codes count
 * towards a per-user backoff, so six digits cannot be guessed.
 */
@Injectable()
export class TwoFactorService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(IDENTITY_CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly users: UserStore,
    private readonly limiter: AttemptLimiter,
    private readonly audit: SecurityAuditService,
  ) {}

  async isEnabled(userId: string): Promise<boolean> {
    const factor = await this.factor(userId);
    return factor?.enabled_at != null;
  }

  /** Starts (or restarts) enrolment. The factor is not required until confirmed. */
  async enrol(userId: string): Promise<Enrolment | Rejected> {
    const [factor, user] = await Promise.all([this.factor(userId), this.users.findById(userId)]);
    if (!user) return rejected('user_not_found');
    if (factor?.enabled_at) return rejected('two_factor_already_enabled');
    const secret = newTotpSecret();
    await this.db.query(
      `INSERT INTO identity_two_factor (user_id, secret_ciphertext) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext, last_used_step = NULL, created_at = now()
       WHERE identity_two_factor.enabled_at IS NULL`,
      [userId, this.cipher.encrypt(secret, `totp:${userId}`)],
    );
    return { secret, otpauthUri: totpUri(this.config.totpIssuer, user.email, secret) };
  }

  /** Turns the factor on with a first code; returns recovery codes, shown once. */
  async confirm(userId: string, code: string): Promise<{ recoveryCodes: string[] } | Rejected> {
    const factor = await this.factor(userId);
    if (!factor) return rejected('two_factor_not_enrolled');
    if (factor.enabled_at) return rejected('two_factor_already_enabled');
    const checked = await this.checkTotp(userId, factor, code, true);
    if (checked) return checked;
    const recoveryCodes = newRecoveryCodes();
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE identity_two_factor SET enabled_at = now() WHERE user_id = $1', [
        userId,
      ]);
      await tx.query('DELETE FROM identity_recovery_codes WHERE user_id = $1', [userId]);
      for (const recovery of recoveryCodes) {
        await tx.query('INSERT INTO identity_recovery_codes (user_id, code_hash) VALUES ($1, $2)', [
          userId,
          this.recoveryHash(userId, recovery),
        ]);
      }
    });
    await this.audit.record({ type: 'TwoFactorEnabled', userId, data: {} });
    return { recoveryCodes };
  }

  /** Turns the factor off; a current code or a recovery code proves it is the owner asking. */
  async disable(userId: string, code: string): Promise<Rejected | undefined> {
    const checked = await this.verify(userId, code, { allowRecoveryCode: true });
    if (checked) return checked;
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM identity_recovery_codes WHERE user_id = $1', [userId]);
      await tx.query('DELETE FROM identity_two_factor WHERE user_id = $1', [userId]);
    });
    await this.audit.record({
      type: 'TwoFactorDisabled',
      userId,
      data: { reason: 'user_request' },
    });
    return undefined;
  }

  /**
   * For sensitive actions: undefined when `code` is a current TOTP code for
   * this user that was not used before, otherwise why not. Recovery codes do
   * not count here; they exist to regain an account, not to move money.
   */
  assertFreshCode(userId: string, code: string | undefined): Promise<Rejected | undefined> {
    return this.verify(userId, code, { allowRecoveryCode: false });
  }

  /**
   * As `assertFreshCode`, but without spending the code: for a route that
   * checks its request before the code is spent, so that a request refused
   * for its own reasons leaves the code usable. The route then spends it
   * with `assertFreshCode`, which still accepts it only once. Wrong codes
   * count towards the backoff here too.
   */
  checkFreshCode(userId: string, code: string | undefined): Promise<Rejected | undefined> {
    return this.verify(userId, code, { allowRecoveryCode: false, spend: false });
  }

  /** Second step of a login: a TOTP code or, for a lost phone, a recovery code. */
  verifyLoginCode(userId: string, code: string): Promise<Rejected | undefined> {
    return this.verify(userId, code, { allowRecoveryCode: true });
  }

  private async verify(
    userId: string,
    code: string | undefined,
    options: { allowRecoveryCode: boolean; spend?: boolean },
  ): Promise<Rejected | undefined> {
    if (!code) return rejected('two_factor_code_required');
    const factor = await this.factor(userId);
    if (!factor?.enabled_at) return rejected('two_factor_not_enabled');
    if (options.allowRecoveryCode && !looksLikeTotpCode(code))
      return this.spendRecoveryCode(userId, code);
    return this.checkTotp(userId, factor, code, options.spend ?? true);
  }

  private async checkTotp(
    userId: string,
    factor: FactorRow,
    code: string,
    spend: boolean,
  ): Promise<Rejected | undefined> {
    const key = this.attemptKey(userId);
    const locked = await this.limiter.lockedFor([key]);
    if (locked) return rejected('too_many_attempts', locked.retryAfterSeconds);
    const secret = this.cipher.decrypt(factor.secret_ciphertext, `totp:${userId}`);
    const step = await matchTotp(secret, code, Math.floor(this.clock.now() / 1000));
    if (step === undefined) {
      await this.limiter.recordFailure([key]);
      return rejected('two_factor_code_invalid');
    }
    if (!spend) {
      const last = factor.last_used_step === null ? undefined : Number(factor.last_used_step);
      return last !== undefined && last >= step ? rejected('two_factor_code_reused') : undefined;
    }
    const { rowCount } = await this.db.query(
      `UPDATE identity_two_factor SET last_used_step = $2
       WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)`,
      [userId, step],
    );
    if (rowCount !== 1) return rejected('two_factor_code_reused');
    await this.limiter.reset(key);
    return undefined;
  }

  private async spendRecoveryCode(userId: string, code: string): Promise<Rejected | undefined> {
    const key = this.attemptKey(userId);
    const locked = await this.limiter.lockedFor([key]);
    if (locked) return rejected('too_many_attempts', locked.retryAfterSeconds);
    const { rowCount } = await this.db.query(
      `UPDATE identity_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [userId, this.recoveryHash(userId, code)],
    );
    if (rowCount === 1) return undefined;
    await this.limiter.recordFailure([key]);
    return rejected('two_factor_code_invalid');
  }

  private async factor(userId: string): Promise<FactorRow | undefined> {
    const { rows } = await this.db.query<FactorRow>(
      'SELECT secret_ciphertext, enabled_at, last_used_step FROM identity_two_factor WHERE user_id = $1',
      [userId],
    );
    return rows[0];
  }

  private recoveryHash(userId: string, code: string): string {
    return this.cipher.lookupHash('recovery-code', `${userId}:${normaliseRecoveryCode(code)}`);
  }

  private attemptKey(userId: string): AttemptKey {
    return { name: `2fa:${userId}`, policy: SECOND_FACTOR_POLICY };
  }
}
