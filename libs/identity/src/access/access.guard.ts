import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { rejected, type IdentityRejection } from '../identity.rejections';
import { IdentityRejectionException } from '../http/identity-rejection';
import { IS_PUBLIC_KEY, ROLES_KEY, type Principal, type Role } from '../principal';
import { LiveSessionCache } from '../sessions/live-session-cache';
import { TokenService } from '../sessions/token.service';
import { UserStore } from '../users/user.store';

/** The principal the guard puts on `request.user`; `sessionId` lets logout end this session. */
export interface SessionPrincipal extends Principal {
  readonly sessionId: string;
  /** Read with the session, so a verification takes effect on the next request. */
  readonly emailVerified: boolean;
}

/** Longer than any token this service issues; anything longer is not parsed. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * The one global guard. Every route needs a valid access token unless it is
 * marked `@Public()`; `@Roles(...)` then narrows it. Besides the signature
 * and expiry, the session is checked live and roles are read fresh, so a
 * logout, a detected token theft or a role change takes effect on the next
 * request rather than when the access token expires.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UserStore,
    private readonly sessions: LiveSessionCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Only HTTP is served; refusing anything else keeps a new transport closed until someone thinks about it.
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: SessionPrincipal }>();
    const principal = await this.authenticate(request.headers.authorization);
    request.user = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles?.length && !roles.some((role) => principal.roles.includes(role)))
      fail('role_required');
    return true;
  }

  private async authenticate(header: string | undefined): Promise<SessionPrincipal> {
    const token = bearerToken(header);
    if (!token) return fail('access_token_missing');
    const claims = await this.tokens.verifyAccess(token);
    if (typeof claims === 'string') return fail(claims);
    const live = await this.liveSession(claims.sessionId, claims.userId);
    if (!live) return fail('session_ended');
    return { ...live, roles: [...live.roles], sessionId: claims.sessionId };
  }

  /** The session's user if the session is live: from the cache of recent checks, else read. */
  private async liveSession(sessionId: string, userId: string) {
    const cached = this.sessions.get(sessionId, userId);
    if (cached) return cached;
    const token = this.sessions.begin();
    const user = await this.users.findBySession(sessionId, userId);
    if (!user) return undefined;
    const live = {
      userId: user.id,
      email: user.email,
      roles: user.roles,
      emailVerified: user.emailVerified,
    };
    this.sessions.set(sessionId, live, token);
    return live;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_TOKEN_LENGTH) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match?.[1];
}

function fail(rejection: IdentityRejection): never {
  throw new IdentityRejectionException(rejected(rejection));
}
