/**
 * The relational database that holds the read models, identities and job
 * bookkeeping (and, with the Postgres or PGlite event store, the events too).
 * Two adapters run the same SQL: `pg` against a Postgres server and PGlite in
 * process.
 *
 * int8 columns always arrive as strings from both adapters; convert them with
 * `toBigInt` from `@ledger/ledger` (money) or `BigInt()` here, never `Number()`.
 */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction on one connection: commit when it resolves,
   * roll back when it throws. Writes that can fail on a business rule belong
   * here, so that a failure does not cost the pool a connection.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Takes a session-level advisory lock on a dedicated connection and keeps it
   * until `release` is called or the process dies. Returns undefined when
   * another session holds it. Used for "one active instance per projector".
   */
  tryLock(name: string): Promise<{ release(): Promise<void> } | undefined>;
  /**
   * `LISTEN channel` on a connection of its own: `onNotify` receives the
   * payload of every `NOTIFY` on the channel, from any connection, once the
   * notifying transaction has committed. Notifications sent while not
   * listening are lost, so `onListening(false)` says the connection was lost
   * (the adapter reconnects by itself) and `onListening(true)` that it
   * listens (again); a caller that caches on the strength of notifications
   * must drop its cache on either. Resolves once listening. `channel` is a
   * lowercase SQL identifier.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(payload: string): void;
  onListening?(listening: boolean): void;
}

export interface Listener {
  /** Stops listening and closes the listening connection. */
  close(): Promise<void>;
}

/** A channel name is spliced into `LISTEN`, so only plain identifiers are accepted. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel))
    throw new RangeError(`Not a plain channel name: ${channel}`);
  return channel;
}
