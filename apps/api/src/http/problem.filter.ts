import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';

/**
 * Every error leaves as `{ statusCode, error, message, details? }`, where
 * `error` is a stable snake_case code. Nothing internal (stack, SQL, driver
 * messages) reaches a client; unexpected errors are logged and answered 500.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): {
    statusCode: number;
    error: string;
    message: string;
    details?: unknown;
  } {
    const bodyParser = bodyParserProblem(exception);
    if (bodyParser) return bodyParser;
    if (!(exception instanceof HttpException)) {
      return { statusCode: 500, error: 'internal_error', message: 'An unexpected error occurred' };
    }
    const statusCode = exception.getStatus();
    const raw = exception.getResponse();
    if (
      typeof raw === 'object' &&
      raw !== null &&
      'error' in raw &&
      typeof raw.error === 'string' &&
      /^[a-z_]+$/.test(raw.error)
    ) {
      const { message, details } = raw as { message?: unknown; details?: unknown };
      return {
        statusCode,
        error: raw.error,
        message: String(message ?? raw.error),
        ...(details !== undefined && { details }),
      };
    }
    const message =
      typeof raw === 'string'
        ? raw
        : String((raw as { message?: unknown }).message ?? exception.message);
    return { statusCode, error: codeOf(statusCode), message };
  }
}

/**
 * Errors the body reader (raw-body, via express) raises before Nest sees the
 * request: http-errors with a 4xx status and a `type`. Anything else that is
 * not an HttpException is a bug and answers 500.
 */
function bodyParserProblem(exception: unknown) {
  if (exception instanceof HttpException) return undefined;
  const e = exception as { type?: unknown; status?: unknown; expose?: unknown };
  if (typeof e?.type !== 'string' || typeof e.status !== 'number') return undefined;
  if (e.type === 'entity.too.large') {
    return {
      statusCode: 413,
      error: 'payload_too_large',
      message: 'The request body exceeds the size limit',
    };
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return {
      statusCode: 415,
      error: 'unsupported_encoding',
      message: 'The request body encoding is not supported',
    };
  }
  if (e.status >= 400 && e.status < 500 && e.expose === true) {
    return {
      statusCode: 400,
      error: 'malformed_body',
      message: 'The request body could not be read as sent (length or framing)',
    };
  }
  return undefined;
}

function codeOf(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name.toLowerCase() : 'error';
}
