import {
  MAX_READ_COUNT,
  type EventStore,
  type Position,
  type RecordedEvent,
} from './event-store.port';

/**
 * Receives events in global order, one batch at a time. It persists its own
 * checkpoint (the last event's position), ideally in the same transaction as
 * its effects; a batch whose handler failed is delivered again.
 */
export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface CatchUpOptions {
  /** Deliver events strictly after this position: the handler's stored checkpoint, or START. */
  readonly from: Position;
  /** Most events per batch; at most MAX_READ_COUNT. */
  readonly batchSize?: number;
  /** Wait between reads once caught up. */
  readonly idlePollMs?: number;
  /** Attempts per batch (and per read) before the subscription stops and reports the error. */
  readonly maxAttempts?: number;
  /** First retry delay; it doubles on each further attempt, up to retryMaxMs. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Told of every failed attempt, for logs and metrics; the subscription keeps retrying up to maxAttempts. */
  readonly onError?: (error: unknown, attempt: number) => void;
}

export type SubscriptionOutcome =
  | { readonly status: 'stopped'; readonly position: Position }
  | { readonly status: 'failed'; readonly position: Position; readonly error: unknown };

const DEFAULTS = {
  batchSize: 500,
  idlePollMs: 200,
  maxAttempts: 5,
  retryBaseMs: 100,
  retryMaxMs: 5_000,
};
/** A poll interval or a retry delay above this is a configuration mistake, not a wish. */
const MAX_DELAY_MS = 60_000;
const MAX_ATTEMPTS = 100;

/**
 * A catch-up subscription over `readAll` that works with every adapter:
 * it reads from a stored position, hands batches to the handler in order, and
 * polls once it has caught up. Delivery is at least once: after a crash the
 * handler's own checkpoint decides where the next subscription starts.
 */
export class CatchUpSubscription {
  /** Resolves (never rejects) when the subscription ends: stopped on request, or failed after its retries. */
  readonly finished: Promise<SubscriptionOutcome>;
  private readonly settings: Required<Omit<CatchUpOptions, 'from' | 'onError'>>;
  private current: Position;
  private stopping = false;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly store: EventStore,
    private readonly handler: BatchHandler,
    private readonly options: CatchUpOptions,
  ) {
    this.settings = validated({
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      idlePollMs: options.idlePollMs ?? DEFAULTS.idlePollMs,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
    });
    this.current = options.from;
    this.finished = this.run().catch((error: unknown) => ({
      status: 'failed',
      position: this.current,
      error,
    }));
  }

  static start(
    store: EventStore,
    handler: BatchHandler,
    options: CatchUpOptions,
  ): CatchUpSubscription {
    return new CatchUpSubscription(store, handler, options);
  }

  /** The position of the last event the handler accepted. */
  get position(): Position {
    return this.current;
  }

  /** Lets a batch in progress finish, then ends the subscription. */
  stop(): Promise<SubscriptionOutcome> {
    this.stopping = true;
    this.wake?.();
    return this.finished;
  }

  private async run(): Promise<SubscriptionOutcome> {
    while (!this.stopping) {
      const read = await this.withRetries(() =>
        this.store.readAll({ after: this.current, maxCount: this.settings.batchSize }),
      );
      if (!read.ok) return this.end(read.error);
      const batch = read.value;
      const last = batch.at(-1);
      if (!last) {
        await this.pause(this.settings.idlePollMs);
        continue;
      }
      const handled = await this.withRetries(() => this.handler(batch));
      if (!handled.ok) return this.end(handled.error);
      this.current = last.position;
    }
    return this.end();
  }

  /** A stop during retries ends the subscription as stopped: the batch was not delivered, and will be next time. */
  private end(error?: unknown): SubscriptionOutcome {
    if (this.stopping || error === undefined) return { status: 'stopped', position: this.current };
    return { status: 'failed', position: this.current, error };
  }

  private async withRetries<T>(
    action: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await action() };
      } catch (error) {
        this.options.onError?.(error, attempt);
        if (attempt >= this.settings.maxAttempts || this.stopping) return { ok: false, error };
        const { retryBaseMs, retryMaxMs } = this.settings;
        await this.pause(Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1)));
        if (this.stopping) return { ok: false, error };
      }
    }
  }

  /** Sleeps, but wakes at once when stop() is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // `done` is a named function so it can clear its own timer; it reaches the subscription through `self`.
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

function validated(s: typeof DEFAULTS): typeof DEFAULTS {
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `CatchUpSubscription: ${name} must be a whole number from ${min} to ${max}, got ${value}`,
      );
    }
  };
  check('batchSize', s.batchSize, 1, MAX_READ_COUNT);
  check('idlePollMs', s.idlePollMs, 1, MAX_DELAY_MS);
  check('maxAttempts', s.maxAttempts, 1, MAX_ATTEMPTS);
  check('retryBaseMs', s.retryBaseMs, 0, MAX_DELAY_MS);
  check('retryMaxMs', s.retryMaxMs, s.retryBaseMs, MAX_DELAY_MS);
  return s;
}
