import {
  applyDecorators,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { IdentityRejectionException } from '../http/identity-rejection';
import { rejected } from '../identity.rejections';
import type { SessionPrincipal } from './access.guard';

/**
 * Refuses callers whose e-mail address is not verified
 * (`403 email_not_verified`). Money leaves the service only for people the
 * service can reach at a proven address: the one it tells about a withdrawal
 * and sends a password reset to. Runs after the global guard.
 */
@Injectable()
export class VerifiedEmailGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: SessionPrincipal }>().user;
    if (!user) throw new Error('VerifiedEmailGuard used on a route without authentication');
    if (!user.emailVerified) throw new IdentityRejectionException(rejected('email_not_verified'));
    return true;
  }
}

/** Marks a route as needing a verified e-mail address. */
export const RequireVerifiedEmail = (): MethodDecorator & ClassDecorator =>
  applyDecorators(UseGuards(VerifiedEmailGuard));
