import { Pool, type PoolClient } from 'pg';
import type { QueryResult, SqlDatabase, SqlExecutor } from './sql-database.port';
import { lockKey } from './lock-key';

export interface PgDatabaseOptions {
  readonly connectionString: string;
  /** Pool size; each pooled connection is one Postgres backend. */
  readonly max?: number;
  /**
   * `statement_timeout` of every pooled connection, so that no statement
   * (a lock wait included) holds a request or a worker loop without end.
   * 0 leaves the server's setting. Migrations lift it for their own
   * transaction; idle sessions (advisory-lock holders) are not affected.
   */
  readonly statementTimeoutMs?: number;
}

/** The statement timeout when the caller names none: long enough for any planned statement. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** `pg` adapter. int8 stays a string, as `pg` returns it by default. */
export class PgDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  readonly pool: Pool;

  constructor(options: PgDatabaseOptions) {
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      ...(statementTimeoutMs > 0 && { statement_timeout: statementTimeoutMs }),
    });
    // An idle client that errors (server restart) must not crash the process;
    // the pool drops it and the next query opens a fresh connection.
    this.pool.on('error', () => undefined);
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await this.pool.query(sql, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(clientExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async tryLock(name: string): Promise<{ release(): Promise<void> } | undefined> {
    const client = await this.pool.connect();
    const key = lockKey(name);
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [key],
    );
    if (!rows[0].locked) {
      client.release();
      return undefined;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
        client.release();
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function clientExecutor(client: PoolClient): SqlExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
  };
}
