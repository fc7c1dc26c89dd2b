import {
  applyDecorators,
  Inject,
  Injectable,
  Optional,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { VerifiedEmailGuard } from '../access/verified-email.guard';
import { IdentityRejectionException } from '../http/identity-rejection';
import type { Principal } from '../principal';
import { TwoFactorService } from './two-factor.service';

/** The header that carries a fresh TOTP code for a sensitive action. */
export const TWO_FACTOR_HEADER = 'X-2FA-Code';

/**
 * Lets a retry of a request that already went through skip the second
 * factor: the application's idempotency layer answers whether the request
 * is a replay of a completed one under the same Idempotency-Key. A replay
 * moves no money (it returns the first answer, or refuses a changed body),
 * and its code was already spent, so asking for a new one would only make
 * a network retry fail.
 */
export interface TwoFactorReplayExemption {
  isCompletedReplay(request: Request & { user?: Principal }): Promise<boolean>;
}
export const TWO_FACTOR_REPLAY_EXEMPTION = Symbol('TWO_FACTOR_REPLAY_EXEMPTION');

/**
 * Requires a current, unused TOTP code in `X-2FA-Code` on top of the access
 * token. It runs after the global guard, so the caller is known. A user
 * without two-factor authentication is refused (`two_factor_not_enabled`):
 * an action that needs a second factor cannot be done without one.
 */
@Injectable()
export class TwoFactorGuard implements CanActivate {
  constructor(
    private readonly twoFactor: TwoFactorService,
    @Optional()
    @Inject(TWO_FACTOR_REPLAY_EXEMPTION)
    private readonly replays?: TwoFactorReplayExemption,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (!request.user) throw new Error('TwoFactorGuard used on a route without authentication');
    if (this.replays && (await this.replays.isCompletedReplay(request))) return true;
    const header = request.headers[TWO_FACTOR_HEADER.toLowerCase()];
    const code = typeof header === 'string' ? header.trim() : undefined;
    const problem = await this.twoFactor.assertFreshCode(request.user.userId, code);
    if (problem) throw new IdentityRejectionException(problem);
    return true;
  }
}

/**
 * Marks a route as needing a fresh second-factor code (withdrawals, new
 * payout destinations). Such a route also needs a verified e-mail address,
 * checked first: every action sensitive enough for a second factor moves
 * money out, which is only done for an account at a proven address.
 */
export const RequireTwoFactor = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(VerifiedEmailGuard, TwoFactorGuard),
    ApiHeader({
      name: TWO_FACTOR_HEADER,
      required: true,
      description: 'A current six-digit TOTP code, accepted once',
    }),
  );
