import { Store, storage } from 'nestjs-pino/storage';

/**
 * The correlation id in the log context: the request's `reqId` while a
 * request is served, the job's `correlationId` while a job runs. Work run
 * with `run` logs every line (Nest loggers included) with `correlationId`.
 * It has the shape of the jobs library's `JobCorrelation`.
 */
export const logCorrelation = {
  current(): string | undefined {
    const bindings = storage.getStore()?.logger.bindings();
    const id: unknown = bindings?.correlationId ?? bindings?.reqId;
    return typeof id === 'string' ? id : undefined;
  },

  run<T>(correlationId: string, work: () => Promise<T>): Promise<T> {
    const parent = storage.getStore()?.logger ?? rootLogger;
    if (!parent) return work();
    return storage.run(new Store(parent.child({ correlationId })), work);
  },
};

let rootLogger: Store['logger'] | undefined;

/** The logger work outside any request logs through; set once the root logger is made. */
export function setCorrelationRootLogger(logger: Store['logger']): void {
  rootLogger = logger;
}
