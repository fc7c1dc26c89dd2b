import { Inject, Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { replyWithStateCookie } from './cookie-state.store';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected } from '../identity.rejections';
import { IdentityRejectionException } from '../http/identity-rejection';

/** What passport's redirect uses of a response. */
interface PassportResponse {
  statusCode: number;
  setHeader(name: string, value: string | number): void;
  end(body?: string): void;
}

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
    const http = context.switchToHttp();
    replyWithStateCookie(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
    return super.canActivate(context);
  }

  /**
   * Passport answers the redirect to Google itself, as on a Node response;
   * it is sent through the reply, so that the state cookie and every header
   * the reply carries go with it.
   */
  getResponse(context: ExecutionContext): PassportResponse {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return {
      get statusCode() {
        return reply.statusCode;
      },
      set statusCode(code: number) {
        void reply.code(code);
      },
      setHeader: (name, value) => void reply.header(name, value),
      end: (body) => void reply.send(body),
    };
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
