import {
  applyDecorators,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { IdentityRejectionException } from '../http/identity-rejection';
import type { Principal } from '../principal';
import { TwoFactorService } from './two-factor.service';

/** The header that carries a fresh TOTP code for a sensitive action. */
export const TWO_FACTOR_HEADER = 'X-2FA-Code';

/**
 * Requires a current, unused TOTP code in `X-2FA-Code` on top of the access
 * token. It runs after the global guard, so the caller is known. A user
 * without two-factor authentication is refused (`two_factor_not_enabled`):
 * an action that needs a second factor cannot be done without one.
 */
@Injectable()
export class TwoFactorGuard implements CanActivate {
  constructor(private readonly twoFactor: TwoFactorService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (!request.user) throw new Error('TwoFactorGuard used on a route without authentication');
    const header = request.headers[TWO_FACTOR_HEADER.toLowerCase()];
    const code = typeof header === 'string' ? header.trim() : undefined;
    const problem = await this.twoFactor.assertFreshCode(request.user.userId, code);
    if (problem) throw new IdentityRejectionException(problem);
    return true;
  }
}

/** Marks a route as needing a fresh second-factor code (withdrawals, new payout destinations). */
export const RequireTwoFactor = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(TwoFactorGuard),
    ApiHeader({
      name: TWO_FACTOR_HEADER,
      required: true,
      description: 'A current six-digit TOTP code, accepted once',
    }),
  );
