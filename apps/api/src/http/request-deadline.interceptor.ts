import {
  HttpException,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IdentityRejectionException } from '@ledger/identity';
import { Observable } from 'rxjs';
import { RejectionException } from './rejection';

/** How soon a client that met the deadline is invited to retry. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The server-side deadline of every request's handler. When it passes, the
 * client gets `503 request_deadline_exceeded` with `Retry-After`, and the
 * handler is left to finish: it is never cut off halfway, so what it started
 * completes (or its saga compensates), and on an idempotent route the
 * outcome is still recorded under the Idempotency-Key, for the retry to
 * replay. Only one response ever leaves: a late result is dropped, and a
 * late unexpected error is logged.
 *
 * It is the outermost interceptor, so the deadline covers the idempotency
 * claim and the handler; guards (authentication, second factor) run before
 * it and bound their own work.
 */
export class RequestDeadlineInterceptor implements NestInterceptor {
  private readonly logger = new Logger('http');

  constructor(private readonly timeoutMs: number) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const response = context.switchToHttp().getResponse<FastifyReply>();
    return new Observable((subscriber) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        if (!response.sent) response.header('Retry-After', String(RETRY_AFTER_SECONDS));
        subscriber.error(
          new RejectionException(
            'request_deadline_exceeded',
            `The request did not finish within its ${this.timeoutMs} ms deadline; its work goes on: retry with the same Idempotency-Key`,
          ),
        );
      }, this.timeoutMs);
      const source = next.handle().subscribe({
        next: (value) => {
          clearTimeout(timer);
          if (!late) subscriber.next(value);
        },
        error: (error: unknown) => {
          clearTimeout(timer);
          if (!late) subscriber.error(error);
          else if (!isRefusal(error)) this.logLate(error);
        },
        complete: () => {
          clearTimeout(timer);
          if (!late) subscriber.complete();
        },
      });
      return () => {
        clearTimeout(timer);
        // Past the deadline the handler's work is still wanted: stay subscribed until it ends.
        if (!late) source.unsubscribe();
      };
    });
  }

  private logLate(error: unknown): void {
    this.logger.error(
      `After its deadline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

/** A refusal that came too late to answer is expected, not worth a log line. */
function isRefusal(error: unknown): boolean {
  return error instanceof HttpException || error instanceof IdentityRejectionException;
}
