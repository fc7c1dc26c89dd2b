import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { rejected } from '../identity.rejections';
import { RateLimiter, type RateBucket } from '../limits/rate-limiter';
import { IdentityRejectionException } from './identity-rejection';

const RATE_BUCKET_KEY = 'ledger:rateBucket';

/** Counts the route's requests per IP in the named bucket (see RateLimiter). */
export const RateLimited = (bucket: RateBucket): MethodDecorator =>
  SetMetadata(RATE_BUCKET_KEY, bucket);

/**
 * Refuses a route's request with `429 too_many_attempts` and `Retry-After`
 * once its IP is over the bucket's limit. Routes without `@RateLimited` pass
 * uncounted. The IP is `request.ip`, which is only the client's with
 * Express's `trust proxy` set to match the deployment.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.get<RateBucket | undefined>(
      RATE_BUCKET_KEY,
      context.getHandler(),
    );
    if (!bucket) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const ip = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const wait = await this.limiter.hit(`${bucket}:ip:${ip}`, this.limiter.perIp(bucket));
    if (wait !== undefined)
      throw new IdentityRejectionException(rejected('too_many_requests', wait));
    return true;
  }
}
