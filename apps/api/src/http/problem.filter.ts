import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IdentityRejectionException } from '@ledger/identity';
import {
  codeOfStatus,
  fieldErrorsOf,
  PROBLEM_CONTENT_TYPE,
  toProblem,
  type Problem,
} from './problem';
import { messageOf, statusOf, type ApiRejection } from './rejection';

/**
 * Every error leaves as `application/problem+json` (RFC 9457, see
 * `problem.ts`). Nothing internal (stack, SQL, driver messages) reaches a
 * client; unexpected errors are logged and answered 500.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    if (problem.status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    if (response.sent || response.raw.headersSent) return;
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined) response.header('Retry-After', String(retryAfter));
    void response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof IdentityRejectionException) {
      const code = exception.rejection.rejected;
      const details =
        exception.rejection.retryAfterSeconds === undefined
          ? undefined
          : { retryAfterSeconds: exception.rejection.retryAfterSeconds };
      return toProblem({ status: statusOf(code), code, detail: exception.detail, details });
    }
    const bodyParser = bodyParserProblem(exception);
    if (bodyParser) return bodyParser;
    if (!(exception instanceof HttpException)) {
      return toProblem({
        status: 500,
        code: 'internal_error',
        detail: messageOf('internal_error'),
      });
    }
    const status = exception.getStatus();
    const raw = exception.getResponse();
    if (
      typeof raw === 'object' &&
      raw !== null &&
      'error' in raw &&
      typeof raw.error === 'string' &&
      /^[a-z_]+$/.test(raw.error)
    ) {
      const { message, details, errors } = raw as {
        message?: unknown;
        details?: unknown;
        errors?: unknown;
      };
      return toProblem({
        status,
        code: raw.error,
        detail: String(message ?? raw.error),
        errors: fieldErrorsOf(errors ?? details, 'invalid'),
        details,
      });
    }
    const message =
      typeof raw === 'string'
        ? raw
        : String((raw as { message?: unknown }).message ?? exception.message);
    return toProblem({ status, code: codeOfStatus(status), detail: message });
  }
}

/**
 * What Fastify refuses before routing, a path that is not valid
 * percent-encoding above all (`/wallets/%FF`): a 400 problem, as every
 * other error, with the words Express used for it.
 */
export function answerFrameworkError(error: { statusCode?: number }, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
  const problem = toProblem({
    status,
    code: codeOfStatus(status),
    detail: 'Failed to decode the request path',
  });
  void reply.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Rate-limit refusals say when trying again can succeed. */
function retryAfterOf(exception: unknown): number | undefined {
  return exception instanceof IdentityRejectionException
    ? exception.rejection.retryAfterSeconds
    : undefined;
}

/**
 * Errors Fastify raises before Nest sees the request, while it reads the
 * body (a body too large, shorter or longer than its Content-Length) or the
 * path. Nest hands them over as a bare `HttpException` of Fastify's message
 * and status, the only HttpException this service ever makes with a plain
 * string; they are answered with this API's own codes and words.
 */
function bodyParserProblem(exception: unknown): Problem | undefined {
  if (!(exception instanceof HttpException) || exception.constructor !== HttpException)
    return undefined;
  if (typeof exception.getResponse() !== 'string') return undefined;
  const status = exception.getStatus();
  if (status === 413) return known(413, 'payload_too_large');
  if (status === 415) return known(415, 'unsupported_media_type');
  if (status >= 400 && status < 500) return known(400, 'malformed_body');
  return undefined;
}

function known(status: number, code: ApiRejection): Problem {
  return toProblem({ status, code, detail: messageOf(code) });
}
