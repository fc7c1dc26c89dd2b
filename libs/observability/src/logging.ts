import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { ObservabilityConfig } from './observability.config';
import { REDACT_PATHS, scrub, scrubUrl } from './redaction';
import { setCorrelationRootLogger } from './log-correlation';
import { requestId } from './request-id';

/** Probes and scrapes come every few seconds; their successes are logged at debug only. */
const QUIET_PATHS = /^\/(health(\/live|\/ready)?|metrics)(\?|$)/;

export interface LoggingOptions {
  /** Where lines go; stdout by default. Tests pass a stream they read. */
  readonly destination?: DestinationStream;
  /** Overrides the configured level, e.g. `silent` in tests that do not read logs. */
  readonly level?: ObservabilityConfig['logLevel'];
}

/** The process's root logger: JSON lines, PII redacted, pretty only where configured. */
export function createRootLogger(
  config: ObservabilityConfig,
  options: LoggingOptions = {},
): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // Messages are free text: scrub every string argument before pino formats it.
      // A lone error would otherwise lend its unscrubbed message to `msg`.
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        const named =
          first instanceof Error && typeof second !== 'string'
            ? [{ err: first }, first.message, ...args.slice(1)]
            : args;
        const clean = named.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg));
        return method.apply(this, clean as Parameters<typeof method>);
      },
    },
    serializers: { err: serializeError },
  };
  if (options.destination) return pino(base, options.destination);
  if (config.logPretty)
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(base);
}

/** One access line per request, with the request id every other line of the request carries. */
export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req, res) => requestId(req, res),
    // Lines logged while a request is served carry just `reqId`, not the whole request.
    quietReqLogger: true,
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return QUIET_PATHS.test(req.url ?? '') ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, responseTime) =>
      `${req.method} ${scrubUrl(req.url)} ${res.statusCode} ${Math.round(responseTime)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${scrubUrl(req.url)} ${res.statusCode}`,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: scrubUrl(req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  });
}

/** Name and scrubbed message only: driver errors can quote connection strings and addresses. */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    const message = (error as { message?: unknown } | null)?.message;
    return { message: scrub(typeof message === 'string' ? message : 'non-error thrown') };
  }
  return {
    type: error.name,
    message: scrub(error.message),
    ...(error.stack && { stack: scrub(error.stack) }),
  };
}

/**
 * Nest's loggers through pino: `Logger` calls made while a request is served
 * carry its `reqId`. The HTTP logger itself runs as the first middleware of
 * the app (see `createHttpLogger`), ahead of body parsing, so that even a
 * request rejected there gets its id and access line; this module reuses it.
 */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    setCorrelationRootLogger(logger);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
      exports: [LoggerModule],
    };
  }
}
