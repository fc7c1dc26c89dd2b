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
  close(): Promise<void>;
}
