import { PGlite, types, type Results, type Transaction } from '@electric-sql/pglite';
import {
  checkChannel,
  type ListenHandlers,
  type Listener,
  type QueryResult,
  type SqlDatabase,
  type SqlExecutor,
} from './sql-database.port';

/**
 * PGlite adapter: Postgres compiled to WebAssembly, in process. It is
 * single-connection, so transactions are serialised by PGlite itself and
 * advisory locks are trivially held by this process.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  private readonly locks = new Set<string>();

  private constructor(readonly db: PGlite) {}

  /** `dataDir` undefined means in memory (tests). */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = await PGlite.create({
      dataDir,
      // int8 as text, as `pg` does, so that one parser serves both adapters.
      parsers: { [types.INT8]: (value: string) => value },
    });
    return new PgliteDatabase(db);
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return toQueryResult(await this.db.query<R>(sql, params as unknown[]));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(transactionExecutor(tx)));
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async tryLock(name: string): Promise<{ release(): Promise<void> } | undefined> {
    if (this.locks.has(name)) return undefined;
    this.locks.add(name);
    return { release: async () => void this.locks.delete(name) };
  }

  /** PGlite is in process: its one connection cannot be lost, so it listens until closed. */
  async listen(channel: string, handlers: ListenHandlers): Promise<Listener> {
    const unlisten = await this.db.listen(checkChannel(channel), (payload) =>
      handlers.onNotify(payload),
    );
    handlers.onListening?.(true);
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        if (!this.db.closed) await unlisten();
      },
    };
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

function transactionExecutor(tx: Transaction): SqlExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      return toQueryResult(await tx.query<R>(sql, params as unknown[]));
    },
  };
}

/**
 * `rowCount` as `pg` reports it: the rows returned by a statement that returns
 * rows (PGlite reports 0 affected rows for a SELECT), otherwise the rows the
 * statement changed.
 */
function toQueryResult<R>(result: Results<R>): QueryResult<R> {
  const returnsRows = result.fields.length > 0;
  return {
    rows: result.rows,
    rowCount: returnsRows ? result.rows.length : (result.affectedRows ?? 0),
  };
}
