import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ThrottlerGuard,
  ThrottlerStorageService,
  type ThrottlerLimitDetail,
} from '@nestjs/throttler';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected } from '../identity.rejections';
import { IdentityRejectionException } from './identity-rejection';

/** Storage for the auth throttle, separate from any application-wide throttler. */
export const AUTH_THROTTLER_STORAGE = Symbol('AUTH_THROTTLER_STORAGE');
const WINDOW_MS = 60_000;

/**
 * Requests per IP per minute on the /auth routes, on top of the per-account
 * backoff in AttemptLimiter: it bounds how fast one address can spray
 * sign-ups, logins or refreshes. Configured here rather than through
 * ThrottlerModule.forRoot, whose options are global and belong to the app.
 * The IP is `request.ip`, which is only the client's with Express's
 * `trust proxy` set to match the deployment.
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  constructor(
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    @Inject(AUTH_THROTTLER_STORAGE) storage: ThrottlerStorageService,
    reflector: Reflector,
  ) {
    super(
      { throttlers: [{ name: 'auth', ttl: WINDOW_MS, limit: config.authRequestsPerMinute }] },
      storage,
      reflector,
    );
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new IdentityRejectionException(
      rejected('too_many_attempts', Math.max(1, detail.timeToBlockExpire)),
    );
  }
}
