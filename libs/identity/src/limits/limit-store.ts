/**
 * Where failure counters, locks and request windows live: SQL by default,
 * Redis when REDIS_URL is configured. Either way every API process reads and
 * writes the same counters, so a limit cannot be dodged by landing on another
 * instance, and a restart does not reset it. Keys arrive already hashed.
 */
export interface LimitStore {
  /** Whole seconds the longest-locked of these keys stays locked; 0 when none is. */
  lockedSeconds(keys: readonly string[]): Promise<number>;
  /**
   * Counts one failure and returns how many there have been in a row. A key
   * left alone for `quietSeconds` starts again from one.
   */
  addFailure(key: string, quietSeconds: number): Promise<number>;
  lock(key: string, seconds: number): Promise<void>;
  /** Forgets a key's failures and lock. */
  clear(key: string): Promise<void>;
  /** Counts one request in the key's current fixed window of `windowSeconds`. */
  hit(key: string, windowSeconds: number): Promise<WindowCount>;
  close(): Promise<void>;
}

export interface WindowCount {
  /** Requests in the window, this one included. */
  readonly hits: number;
  /** Whole seconds until the window ends and the count starts again. */
  readonly resetSeconds: number;
}

export const LIMIT_STORE = Symbol('LIMIT_STORE');
