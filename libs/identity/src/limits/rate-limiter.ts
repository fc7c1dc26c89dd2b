import { Inject, Injectable } from '@nestjs/common';
import { FieldCipher } from '../crypto/field-cipher';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { LIMIT_STORE, type LimitStore } from './limit-store';

/**
 * Each kind of request is counted on its own, so a burst of one (refreshes
 * from many open tabs) never uses up another (sign-ups), and none of them
 * touches logins, which are limited by their failures only. `email_code`
 * counts asking for a code and sending a reset code back: each costs an
 * e-mail or a password hash, and a person needs a handful.
 */
export type RateBucket = 'signup' | 'refresh' | 'email_code';

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Codes e-mailed to one account per hour, whoever asks: bounds guessing and inbox flooding. */
export const EMAIL_CODES_PER_ACCOUNT: RateLimit = { limit: 5, windowSeconds: 3600 };

/** Requests per fixed window and key; `hit` answers how long to wait once the limit is passed. */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly cipher: FieldCipher,
  ) {}

  /** Per-IP limit of a bucket, from configuration. */
  perIp(bucket: RateBucket): RateLimit {
    const limit =
      bucket === 'refresh'
        ? this.config.refreshRequestsPerMinute
        : this.config.authRequestsPerMinute;
    return { limit, windowSeconds: 60 };
  }

  /** Counts one request; returns the seconds to wait when it is over the limit, else undefined. */
  async hit(name: string, limit: RateLimit): Promise<number | undefined> {
    const window = await this.store.hit(this.cipher.lookupHash('rate', name), limit.windowSeconds);
    return window.hits > limit.limit ? window.resetSeconds : undefined;
  }
}
