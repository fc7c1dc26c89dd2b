import {
  applyDecorators,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
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
  isCompletedReplay(request: FastifyRequest & { user?: Principal }): Promise<boolean>;
}
export const TWO_FACTOR_REPLAY_EXEMPTION = Symbol('TWO_FACTOR_REPLAY_EXEMPTION');

/** Marks a route that spends the checked code itself (`RequireTwoFactor({ spentByRoute: true })`). */
const SPENT_BY_ROUTE = 'identity:two-factor-spent-by-route';

/**
 * What the guard leaves on the request of a route that spends the code
 * itself: `spend()` accepts the code once, or throws its refusal
 * (`two_factor_code_reused` when another request spent it meanwhile).
 */
export interface SecondFactorRequest {
  secondFactor?: { spend(): Promise<void> };
}

/**
 * Requires a current, unused TOTP code in `X-2FA-Code` on top of the access
 * token. By default the guard spends it; a route marked `spentByRoute` gets
 * the code checked but unspent, and `request.secondFactor.spend()` to call
 * once its own checks have passed, so a request refused for its own reasons
 * (an overdraft) leaves the code usable. It runs after the global guard,
 * so the caller is known. A user without two-factor authentication is
 * refused (`two_factor_not_enabled`): an action that needs a second factor
 * cannot be done without one.
 */
@Injectable()
export class TwoFactorGuard implements CanActivate {
  constructor(
    private readonly twoFactor: TwoFactorService,
    private readonly reflector: Reflector,
    @Optional()
    @Inject(TWO_FACTOR_REPLAY_EXEMPTION)
    private readonly replays?: TwoFactorReplayExemption,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & SecondFactorRequest & { user?: Principal }>();
    if (!request.user) throw new Error('TwoFactorGuard used on a route without authentication');
    const { userId } = request.user;
    const header = request.headers[TWO_FACTOR_HEADER.toLowerCase()];
    const code = typeof header === 'string' ? header.trim() : undefined;
    const spentByRoute = this.reflector.getAllAndOverride<boolean>(SPENT_BY_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (spentByRoute)
      request.secondFactor = {
        spend: async () => {
          const problem = await this.twoFactor.assertFreshCode(userId, code);
          if (problem) throw new IdentityRejectionException(problem);
        },
      };
    if (this.replays && (await this.replays.isCompletedReplay(request))) return true;
    const problem = spentByRoute
      ? await this.twoFactor.checkFreshCode(userId, code)
      : await this.twoFactor.assertFreshCode(userId, code);
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
export const RequireTwoFactor = (
  options: { spentByRoute?: boolean } = {},
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(SPENT_BY_ROUTE, options.spentByRoute ?? false),
    UseGuards(VerifiedEmailGuard, TwoFactorGuard),
    ApiHeader({
      name: TWO_FACTOR_HEADER,
      required: true,
      description: 'A current six-digit TOTP code, accepted once',
    }),
  );
