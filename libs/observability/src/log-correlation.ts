import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bindings, Logger } from 'pino';
import { storage, type Store } from 'nestjs-pino/storage';

/**
 * What nestjs-pino's loggers read while a request is served or a job runs:
 * the logger whose lines carry the correlation id. It is made on the first
 * line only, since most requests log nothing but their access line.
 */
class LogContext implements Store {
  readonly responseLogger = undefined;
  private made?: Logger;

  constructor(
    readonly correlationId: string,
    private readonly bindings: Bindings,
    private readonly parent: { readonly logger: Logger },
  ) {}

  get logger(): Logger {
    return (this.made ??= this.parent.logger.child(this.bindings));
  }

  /** `PinoLogger.assign` adds fields to the request's lines by replacing its logger. */
  set logger(logger: Logger) {
    this.made = logger;
  }
}

/**
 * The correlation id in the log context: the request's `reqId` while a
 * request is served, the job's `correlationId` while a job runs. Work run
 * with `run` logs every line (Nest loggers included) with `correlationId`.
 * It has the shape of the jobs library's `JobCorrelation`.
 */
export const logCorrelation = {
  current(): string | undefined {
    const context = storage.getStore();
    return context instanceof LogContext ? context.correlationId : undefined;
  },

  run<T>(correlationId: string, work: () => Promise<T>): Promise<T> {
    const parent = storage.getStore() ?? root;
    if (!parent) return work();
    return storage.run(new LogContext(correlationId, { correlationId }, parent), work);
  },
};

/**
 * Serves the rest of a request in its log context, so that Nest's loggers
 * carry its `reqId` (set by the access log's middleware). It runs after body
 * parsing, which reads the body in the socket's context, not this one.
 */
export function bindRequestLog(
  req: IncomingMessage & { id?: unknown },
  _res: ServerResponse,
  next: () => void,
): void {
  const reqId = req.id;
  if (!root || typeof reqId !== 'string') return next();
  storage.run(new LogContext(reqId, { reqId }, root), next);
}

/** The logger work outside any request logs through. */
let root: { readonly logger: Logger } | undefined;

/** Sets the root logger, once it is made. */
export function setCorrelationRootLogger(logger: Logger): void {
  root = { logger };
}
