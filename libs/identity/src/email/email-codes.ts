import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { SQL_DATABASE, type SqlDatabase, type SqlExecutor } from '@ledger/database';
import { NOTIFIER, renderCodeMessage, type Notifier } from '@ledger/notifications';
import { SecurityAuditService } from '../audit/security-audit.service';
import type { EmailCodePurpose } from '../audit/security-event';
import { FieldCipher } from '../crypto/field-cipher';
import { IDENTITY_CLOCK, type Clock } from '../identity.config';
import { EMAIL_CODES_PER_ACCOUNT, RateLimiter } from '../limits/rate-limiter';

/** Eight digits: with five tries per code and five codes an hour, a guess succeeds once in 4 million hours. */
const CODE_DIGITS = 8;
/** Wrong tries after which a code is dead and a new one must be asked for. */
export const MAX_CODE_ATTEMPTS = 5;
/** A verification code may wait in an inbox a while; a reset code grants an account, so it lives briefly. */
export const CODE_TTL_SECONDS: Readonly<Record<EmailCodePurpose, number>> = {
  verify_email: 30 * 60,
  reset_password: 15 * 60,
};

export type SendOutcome =
  | { readonly outcome: 'sent' | 'email_not_sent' }
  | { readonly outcome: 'too_many_requests'; readonly retryAfterSeconds: number };
export type Redemption<T> =
  | { readonly outcome: 'accepted'; readonly value: T }
  | { readonly outcome: 'none' | 'wrong' | 'expired' | 'exhausted' };

interface CodeRow {
  code_hash: string;
  expires_at: Date | string;
  attempts: number;
}

/**
 * One-time codes sent by e-mail, the proof that a person reads an address.
 * Only a keyed hash of each code is stored, bound to the user and purpose,
 * with its expiry (on the identity clock) and a count of wrong tries.
 */
@Injectable()
export class EmailCodes {
  private readonly logger = new Logger(EmailCodes.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(NOTIFIER) private readonly notifier: Notifier,
    @Inject(IDENTITY_CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly limiter: RateLimiter,
    private readonly audit: SecurityAuditService,
  ) {}

  /** Replaces any live code of this purpose with a new one and e-mails it to the user. */
  async send(
    user: { readonly id: string; readonly email: string },
    purpose: EmailCodePurpose,
    correlationId?: string,
  ): Promise<SendOutcome> {
    const wait = await this.limiter.hit(`email_code:user:${user.id}`, EMAIL_CODES_PER_ACCOUNT);
    if (wait !== undefined) return { outcome: 'too_many_requests', retryAfterSeconds: wait };
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const ttlSeconds = CODE_TTL_SECONDS[purpose];
    await this.db.query(
      `INSERT INTO identity_email_codes (user_id, purpose, code_hash, expires_at, attempts)
       VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), 0)
       ON CONFLICT (user_id, purpose) DO UPDATE SET
         code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, created_at = now()`,
      [user.id, purpose, this.hash(user.id, purpose, code), this.clock.now() + ttlSeconds * 1000],
    );
    const message = renderCodeMessage(purpose, code, ttlSeconds / 60);
    try {
      await this.notifier.sendEmail({
        to: user.email,
        ...message,
        idempotencyKey: `email-code:${user.id}:${purpose}:${randomUUID()}`,
      });
    } catch (error) {
      // The reason only: the address and the code stay out of the log.
      this.logger.warn(
        `E-mail code for user ${user.id} not sent: ${error instanceof Error ? error.name : 'error'}`,
      );
      return { outcome: 'email_not_sent' };
    }
    await this.audit.record(
      { type: 'EmailCodeSent', userId: user.id, data: { purpose } },
      correlationId,
    );
    return { outcome: 'sent' };
  }

  /**
   * Spends the code when it is right and runs `apply` in the same
   * transaction, so the code is used up exactly when its effect happens. A
   * wrong code counts a try; the last allowed wrong try kills the code.
   */
  async redeem<T>(
    userId: string,
    purpose: EmailCodePurpose,
    code: string,
    apply: (tx: SqlExecutor) => Promise<T>,
    correlationId?: string,
  ): Promise<Redemption<T>> {
    const result = await this.db.transaction(async (tx): Promise<Redemption<T>> => {
      const { rows } = await tx.query<CodeRow>(
        `SELECT code_hash, expires_at, attempts FROM identity_email_codes
         WHERE user_id = $1 AND purpose = $2 FOR UPDATE`,
        [userId, purpose],
      );
      const row = rows[0];
      if (!row) return { outcome: 'none' };
      const remove = () =>
        tx.query('DELETE FROM identity_email_codes WHERE user_id = $1 AND purpose = $2', [
          userId,
          purpose,
        ]);
      if (new Date(row.expires_at).getTime() <= this.clock.now()) {
        await remove();
        return { outcome: 'expired' };
      }
      if (!this.matches(row.code_hash, this.hash(userId, purpose, code.trim()))) {
        if (row.attempts + 1 >= MAX_CODE_ATTEMPTS) await remove();
        else
          await tx.query(
            'UPDATE identity_email_codes SET attempts = attempts + 1 WHERE user_id = $1 AND purpose = $2',
            [userId, purpose],
          );
        return { outcome: row.attempts + 1 >= MAX_CODE_ATTEMPTS ? 'exhausted' : 'wrong' };
      }
      await remove();
      return { outcome: 'accepted', value: await apply(tx) };
    });
    if (result.outcome !== 'accepted' && result.outcome !== 'none') {
      await this.audit.record(
        { type: 'EmailCodeRejected', userId, data: { purpose, reason: result.outcome } },
        correlationId,
      );
    }
    return result;
  }

  private hash(userId: string, purpose: EmailCodePurpose, code: string): string {
    return this.cipher.lookupHash('email-code', `${userId}:${purpose}:${code}`);
  }

  private matches(stored: string, presented: string): boolean {
    const a = Buffer.from(stored);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
