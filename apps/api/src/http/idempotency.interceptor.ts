import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
  UseInterceptors,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { from, lastValueFrom, of, type Observable } from 'rxjs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { deriveId } from '@ledger/ledger';
import { RejectionException } from './rejection';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_REFUSALS = new Set([403, 404, 409, 422]);

export interface IdempotencyContext {
  readonly key: string;
  /** Derived from the caller and the key: a retried request issues the same command id. */
  readonly commandId: string;
}

type IdempotentRequest = Request & { user?: { userId: string }; idempotency?: IdempotencyContext };

/**
 * Makes a money-moving route idempotent by its `Idempotency-Key` header.
 * The first request with a key runs; its outcome (success or refusal) is
 * kept and replayed for every later request with the same key and body. A
 * different body under the same key is refused. An unexpected error leaves
 * no record, since its outcome is unknown, and the client may retry; the
 * command ids derived from the key make that retry safe.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.run(context, next));
  }

  private async run(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<IdempotentRequest>();
    const response = http.getResponse<Response>();
    const key = request.header('idempotency-key');
    if (!key || !KEY_PATTERN.test(key)) throw new RejectionException('idempotency_key_required');
    const scope = idempotencyScope(request);
    const hash = requestHash(request);
    const claimed = await this.db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [scope, key, hash],
    );
    if (claimed.rowCount === 0) return this.replay(scope, key, hash, response);
    request.idempotency = { key, commandId: deriveId('idempotency', scope, key) };
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.record(scope, key, response.statusCode, body ?? null);
      return body;
    } catch (error) {
      // Refusals of the request's intent are outcomes and replay; malformed
      // input (400) is not, so the client may correct it under the same key.
      if (error instanceof HttpException && REPLAYED_REFUSALS.has(error.getStatus())) {
        await this.record(scope, key, error.getStatus(), { __error: error.getResponse() });
      } else {
        await this.db.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2', [
          scope,
          key,
        ]);
      }
      throw error;
    }
  }

  private async record(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status_code = $3, response = $4, completed_at = now() WHERE scope = $1 AND key = $2`,
      [scope, key, status, JSON.stringify(body)],
    );
  }

  private async replay(
    scope: string,
    key: string,
    hash: string,
    response: Response,
  ): Promise<unknown> {
    const { rows } = await this.db.query<{
      request_hash: string;
      status_code: number | null;
      response: unknown;
    }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    const row = rows[0];
    if (!row) throw new RejectionException('idempotency_key_in_progress');
    if (row.request_hash !== hash) throw new RejectionException('idempotency_key_reused');
    if (row.status_code === null) throw new RejectionException('idempotency_key_in_progress');
    const stored = typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
    response.setHeader('Idempotent-Replayed', 'true');
    if (stored && typeof stored === 'object' && '__error' in stored) {
      throw new HttpException(stored.__error as Record<string, unknown>, row.status_code);
    }
    response.status(row.status_code);
    return lastValueFrom(of(stored));
  }
}

/** Keys are per caller and per route: the same key on another route or from another user is a different request. */
export function idempotencyScope(request: IdempotentRequest): string {
  return `${request.user?.userId ?? 'anonymous'} ${request.method} ${request.route?.path ?? request.path}`;
}

function requestHash(request: Request): string {
  return createHash('sha256')
    .update(stableStringify({ params: request.params, body: request.body ?? null }))
    .digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
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
