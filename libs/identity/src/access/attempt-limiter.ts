import { Inject, Injectable } from '@nestjs/common';
import { FieldCipher } from '../crypto/field-cipher';
import { LIMIT_STORE, type LimitStore } from '../limits/limit-store';
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
 * Failure counters with backoff. Only failures are counted: a correct
 * password is never refused because of how many requests came before it,
 * only because of how many wrong ones did. Key names are stored as keyed
 * hashes, so the store holds no e-mail or IP address.
 */
@Injectable()
export class AttemptLimiter {
  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    private readonly cipher: FieldCipher,
  ) {}

  /** The longest remaining lock among the keys, if any is locked. */
  async lockedFor(keys: readonly AttemptKey[]): Promise<Locked | undefined> {
    const seconds = await this.store.lockedSeconds(keys.map((k) => this.hashed(k)));
    return seconds > 0 ? { retryAfterSeconds: seconds } : undefined;
  }

  async recordFailure(keys: readonly AttemptKey[]): Promise<void> {
    for (const key of keys) {
      const failures = await this.store.addFailure(this.hashed(key), key.policy.resetAfterSeconds);
      const seconds = lockSeconds(failures, key.policy);
      if (seconds > 0) await this.store.lock(this.hashed(key), seconds);
    }
  }

  async reset(key: AttemptKey): Promise<void> {
    await this.store.clear(this.hashed(key));
  }

  private hashed(key: AttemptKey): string {
    return this.cipher.lookupHash('attempt', key.name);
  }
}
