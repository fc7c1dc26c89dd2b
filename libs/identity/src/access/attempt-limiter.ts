import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { FieldCipher } from '../crypto/field-cipher';
import { lockSeconds, type AttemptPolicy } from './attempt-limit';

/** A counter: what it counts (`account:<email>`, `ip:<ip>`, `2fa:<userId>`) and how strictly. */
export interface AttemptKey {
  readonly name: string;
  readonly policy: AttemptPolicy;
}

export interface Locked {
  readonly retryAfterSeconds: number;
}

/**
 * Failure counters in SQL, so every API instance sees the same lockouts and
 * a restart does not reset them. Key names are stored as keyed hashes: the
 * table holds no e-mail or IP address.
 */
@Injectable()
export class AttemptLimiter {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly cipher: FieldCipher,
  ) {}

  /** The longest remaining lock among the keys, if any is locked. */
  async lockedFor(keys: readonly AttemptKey[]): Promise<Locked | undefined> {
    const { rows } = await this.db.query<{ seconds: string | number }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now())) AS seconds
       FROM identity_attempt_limits WHERE key = ANY($1::text[]) AND locked_until > now()`,
      [keys.map((k) => this.hashed(k))],
    );
    const seconds = Number(rows[0]?.seconds ?? 0);
    return seconds > 0 ? { retryAfterSeconds: seconds } : undefined;
  }

  async recordFailure(keys: readonly AttemptKey[]): Promise<void> {
    for (const key of keys) {
      const { rows } = await this.db.query<{ failures: number }>(
        `INSERT INTO identity_attempt_limits AS a (key, failures, last_failure_at) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN a.last_failure_at < now() - make_interval(secs => $2) THEN 1 ELSE a.failures + 1 END,
           last_failure_at = now()
         RETURNING failures`,
        [this.hashed(key), key.policy.resetAfterSeconds],
      );
      const seconds = lockSeconds(rows[0].failures, key.policy);
      if (seconds > 0) {
        await this.db.query(
          'UPDATE identity_attempt_limits SET locked_until = now() + make_interval(secs => $2) WHERE key = $1',
          [this.hashed(key), seconds],
        );
      }
    }
  }

  async reset(key: AttemptKey): Promise<void> {
    await this.db.query('DELETE FROM identity_attempt_limits WHERE key = $1', [this.hashed(key)]);
  }

  private hashed(key: AttemptKey): string {
    return this.cipher.lookupHash('attempt', key.name);
  }
}
