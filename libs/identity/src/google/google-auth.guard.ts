import { Inject, Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected } from '../identity.rejections';
import { IdentityRejectionException } from '../http/identity-rejection';

/** Where passport leaves the profile, apart from `request.user`, which belongs to the access guard. */
export const GOOGLE_PROFILE_PROPERTY = 'googleProfile';

/**
 * Runs the Google strategy: on /auth/google it redirects to Google, on the
 * callback it checks state, exchanges the code and fetches the profile.
 * Failures become named rejections instead of passport's bare 401.
 */
@Injectable()
export class GoogleAuthGuard extends AuthGuard('google') {
  private readonly logger = new Logger(GoogleAuthGuard.name);

  constructor(@Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig) {
    super({ session: false, property: GOOGLE_PROFILE_PROPERTY });
  }

  override canActivate(context: ExecutionContext) {
    if (!this.config.google)
      throw new IdentityRejectionException(rejected('google_sign_in_not_configured'));
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, profile: T | false): T {
    if (error || !profile) {
      // The client only learns that it failed; operators need to know why (Google down, bad client secret).
      if (error)
        this.logger.warn(
          `Google sign-in failed: ${(error as Error).name}: ${(error as Error).message}`,
        );
      throw new IdentityRejectionException(rejected('google_sign_in_failed'));
    }
    return profile;
  }
}
