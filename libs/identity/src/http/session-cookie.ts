import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { readCookie } from '../google/cookie-state.store';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected, type Rejected } from '../identity.rejections';

export const REFRESH_COOKIE = 'ledger_refresh';
/** The only path the browser sends the cookie to: the cookie refresh route. */
export const REFRESH_COOKIE_PATH = '/auth/session';
/**
 * A browser client asks for the cookie with this header, and the cookie
 * routes require it. A cross-site form cannot set a header, and a
 * cross-site script that tries needs a CORS preflight the API refuses for
 * origins it does not list: that, with SameSite=Strict, is the CSRF defence.
 */
export const SESSION_HEADER = 'x-ledger-session';

export function wantsCookie(request: FastifyRequest): boolean {
  return request.headers[SESSION_HEADER] === 'cookie';
}

/**
 * Refuses a cookie request that is not plainly from this site: without the
 * header, or with an Origin whose host is not the one the request came to.
 */
export function checkCookieRequest(request: FastifyRequest): Rejected | undefined {
  if (!wantsCookie(request)) return rejected('cross_site_request');
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  try {
    if (new URL(origin).host !== request.headers.host) return rejected('cross_site_request');
  } catch {
    return rejected('cross_site_request');
  }
  return undefined;
}

export function refreshTokenFromCookie(request: FastifyRequest): string | undefined {
  const value = readCookie(request.headers.cookie, REFRESH_COOKIE);
  return value ? decodeURIComponent(value) : undefined;
}

export function clearRefreshCookie(response: FastifyReply, secure: boolean): void {
  response.header('Set-Cookie', cookie('', 0, secure));
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const flags = `Path=${REFRESH_COOKIE_PATH}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return `${REFRESH_COOKIE}=${encodeURIComponent(value)}; Max-Age=${maxAgeSeconds}; ${flags}`;
}

/**
 * On the auth routes: when the client asked for the cookie, a refresh token
 * in the answer goes into an HttpOnly cookie instead of the body, so no
 * script in the page can ever read it. Clients that did not ask get the
 * JSON answer as before.
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  constructor(@Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = http.getResponse<FastifyReply>();
    if (!wantsCookie(request)) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        if (!hasRefreshToken(body)) return body;
        const { refreshToken, ...rest } = body;
        // The session's own end is enforced by the server; the cookie may outlive it harmlessly.
        const maxAge = this.config.refreshTokenTtlSeconds;
        response.header(
          'Set-Cookie',
          cookie(refreshToken, maxAge, secureCookies(this.config, request)),
        );
        return rest;
      }),
    );
  }
}

/**
 * Secure in production and whenever the request itself came over TLS (or,
 * behind a trusted proxy, says it did with X-Forwarded-Proto).
 */
export function secureCookies(config: IdentityConfig, request: FastifyRequest): boolean {
  return config.production || request.protocol === 'https';
}

function hasRefreshToken(body: unknown): body is { refreshToken: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { refreshToken?: unknown }).refreshToken === 'string'
  );
}
