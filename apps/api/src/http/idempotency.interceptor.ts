import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Logger,
  SetMetadata,
  UseInterceptors,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { deriveId } from '@ledger/ledger';
import { IdempotencyStore } from './idempotency.store';
import { RejectionException } from './rejection';
import { requestFingerprint } from './request-fingerprint';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_REFUSALS = new Set([403, 404, 409, 422]);

export interface IdempotencyContext {
  readonly key: string;
  /** Derived from the caller and the key: a retried request issues the same command id. */
  readonly commandId: string;
  /**
   * Set by a route whose success status depends on the outcome (201 when a
   * transfer completed, 202 while it is pending), so the replay answers with it.
   */
  statusCode?: number;
}

type IdempotentRequest = FastifyRequest & {
  user?: { userId: string };
  idempotency?: IdempotencyContext;
};

/**
 * Makes a money-moving route idempotent by its `Idempotency-Key` header.
 * The first request with a key claims it for a lease and runs; its outcome
 * (success or refusal) is kept and replayed for every later request with
 * the same key and body. A different body under the same key is refused.
 *
 * While the claim's lease is live, another request with the key is told it
 * is in progress, with `Retry-After`. When the holder dies without an
 * outcome (a crash, a kill), the lease runs out and the next request takes
 * the key over and runs again: the command ids derive from the key, so the
 * re-run finds the movement the first run recorded and answers with it. An
 * unexpected error lets go of the key at once, since its outcome is unknown.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('idempotency');
  private readonly store: IdempotencyStore;

  constructor(@Inject(SQL_DATABASE) db: SqlDatabase, @Inject(APP_CONFIG) config: AppConfig) {
    this.store = new IdempotencyStore(db, config.idempotencyLeaseMs);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.run(context, next));
  }

  private async run(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<IdempotentRequest>();
    const response = http.getResponse<FastifyReply>();
    const key = headerOf(request, 'idempotency-key');
    if (!key || !KEY_PATTERN.test(key)) throw new RejectionException('idempotency_key_required');
    const scope = idempotencyScope(request);
    const claim = await this.store.claim(scope, key, requestFingerprint(request));
    if (claim.kind === 'reused') throw new RejectionException('idempotency_key_reused');
    if (claim.kind === 'in_progress') {
      response.header('Retry-After', String(claim.retryAfterSeconds));
      throw new RejectionException('idempotency_key_in_progress');
    }
    if (claim.kind === 'completed') return replay(claim.statusCode, claim.response, response);
    if (claim.takenOver)
      this.logger.warn('Took over an Idempotency-Key whose holder left no outcome');
    request.idempotency = { key, commandId: deriveId('idempotency', scope, key) };
    return this.runClaimed(scope, key, claim.token, request.idempotency, response, next);
  }

  private async runClaimed(
    scope: string,
    key: string,
    token: string,
    context: IdempotencyContext,
    response: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    // The route's status, read before the handler runs: should the request
    // pass its deadline, the 503 sent meanwhile is not this outcome.
    const statusCode = response.statusCode;
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // Refusals of the request's intent are outcomes and replay; malformed
      // input (400) is not, so the client may correct it under the same key,
      // nor is a second factor the route refused to spend: the retry brings a
      // fresh code (identity's refusals are not HttpExceptions, so never replay).
      if (error instanceof HttpException && REPLAYED_REFUSALS.has(error.getStatus())) {
        await this.settle(scope, key, token, error.getStatus(), { __error: error.getResponse() });
      } else {
        await this.store.release(scope, key, token);
      }
      throw error;
    }
    await this.settle(scope, key, token, context.statusCode ?? statusCode, body ?? null);
    return body;
  }

  private async settle(
    scope: string,
    key: string,
    token: string,
    statusCode: number,
    body: unknown,
  ): Promise<void> {
    if (!(await this.store.settle(scope, key, token, statusCode, body))) {
      // This request outlived its lease and another took the key over; that
      // one's outcome stands (the same command ids make it the same outcome).
      this.logger.warn('An Idempotency-Key was settled by the request that took it over');
    }
  }
}

function replay(statusCode: number, stored: unknown, response: FastifyReply): unknown {
  response.header('Idempotent-Replayed', 'true');
  if (stored && typeof stored === 'object' && '__error' in stored) {
    throw new HttpException(stored.__error as Record<string, unknown>, statusCode);
  }
  response.status(statusCode);
  return stored;
}

/** Keys are per caller and per route: the same key on another route or from another user is a different request. */
export function idempotencyScope(request: IdempotentRequest): string {
  return `${request.user?.userId ?? 'anonymous'} ${request.method} ${request.routeOptions.url ?? pathOf(request.url)}`;
}

/** A header sent once, as its value; one sent twice, as the first (as Express's `req.header` read it). */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export const IDEMPOTENT_KEY = 'ledger:idempotent';

/** Marks a route as money-moving: it requires an Idempotency-Key and replays outcomes. */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per intent; a retry with the same key and body replays the first outcome',
    }),
    UseInterceptors(IdempotencyInterceptor),
  );
