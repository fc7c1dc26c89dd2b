import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Module,
  Optional,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { ObservabilityConfig } from './observability.config';
import { REDACT_PATHS, scrub, scrubUrl } from './redaction';
import { bindRequestLog, setCorrelationRootLogger } from './log-correlation';
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

type AccessLogMiddleware = (
  req: IncomingMessage & { id?: unknown },
  res: ServerResponse,
  next: () => void,
) => void;

/**
 * One access line per request, when its response is done (or the client
 * left): the request id every other line of the request carries, method,
 * path, status and latency. No logger is made for the request: the lines
 * logged while it is served get theirs from the log context
 * (`LoggingModule`), on their first.
 *
 * What a caller controls is made safe before it is written: the path is
 * scrubbed, the query string dropped, and the id checked by `requestId`.
 */
export function createHttpLogger(logger: Logger): AccessLogMiddleware {
  // Nothing on the line is named as personal data (the paths of `redact`), and the
  // path's free text is scrubbed: redacting by path would only cost each line a copy.
  const lines = logger.child({}, { redact: { paths: [] } });
  return (req, res, next) => {
    const started = Date.now();
    const id = requestId(req, res);
    req.id = id;
    const done = (error?: unknown) => {
      res.off('close', done);
      res.off('error', done);
      logAccess(lines, req, res, id, Date.now() - started, error);
    };
    res.on('close', done);
    res.on('error', done);
    next();
  };
}

/**
 * The access log as the first `onRequest` hook of a Fastify server: the id is
 * the one Fastify chose for the request (its `genReqId` is
 * `chooseRequestId`), left on the Node request for the log context.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: Logger): void {
  const access = createHttpLogger(logger);
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw: IncomingMessage & { id?: unknown } = request.raw;
    raw.id = request.id;
    access(raw, reply.raw, () => done());
  });
}

function logAccess(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  responseTime: number,
  error: unknown,
): void {
  const { statusCode } = res;
  const url = scrubUrl(req.url);
  const fields = {
    reqId: id,
    req: { id, method: req.method, url },
    res: { statusCode },
    responseTime,
  };
  const said = `${req.method} ${url} ${statusCode}`;
  if (error || statusCode >= 500) {
    const err = error ?? { message: `failed with status code ${statusCode}` };
    logger.error({ ...fields, err }, said);
    return;
  }
  const level = statusCode >= 400 ? 'warn' : QUIET_PATHS.test(req.url ?? '') ? 'debug' : 'info';
  logger[level](fields, `${said} ${responseTime}ms`);
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
 * carry its `reqId`. The access log runs as the first request hook of the app
 * (see `registerAccessLog`), ahead of body parsing, so that even a request
 * rejected there gets its id and access line; this module's middleware,
 * after body parsing, opens the request's log context with that id. On
 * Fastify that is a `preHandler` hook: Nest's middleware runs there before
 * the body is read, and reading it would leave the context behind.
 */
@Module({})
export class LoggingModule implements NestModule {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  static forRoot(logger: Logger): DynamicModule {
    setCorrelationRootLogger(logger);
    return {
      module: LoggingModule,
      // nestjs-pino's own middleware would make a logger per request; bindRequestLog replaces it.
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] })],
      exports: [LoggerModule],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() === 'fastify') {
      adapter
        .getInstance<FastifyInstance>()
        .addHook('preHandler', (request, reply, done) =>
          bindRequestLog(request.raw, reply.raw, () => done()),
        );
      return;
    }
    consumer.apply(bindRequestLog).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
