import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../auth/auth.service';
import type { SessionPrincipal } from '../access/access.guard';

/** A correlation id the client may send, kept only when it is a plain, bounded token. */
const CORRELATION_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's IP and correlation id, for per-IP limits and audit metadata. */
export const Origin = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestOrigin => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['x-correlation-id'];
  const correlationId =
    typeof header === 'string' && CORRELATION_PATTERN.test(header) ? header : undefined;
  return { ip: request.ip ?? request.socket.remoteAddress ?? 'unknown', correlationId };
});

/** The caller with their session id; only on routes behind the global guard. */
export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SessionPrincipal => {
    const request = ctx.switchToHttp().getRequest<{ user?: SessionPrincipal }>();
    if (!request.user) throw new Error('CurrentSession used on a route without authentication');
    return request.user;
  },
);
