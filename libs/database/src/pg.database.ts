import { must } from '@ledger/invariant';
import { Client, Pool, type PoolClient, type QueryResult as PgQueryResult } from 'pg';
import {
  checkChannel,
  type ListenHandlers,
  type Listener,
  type QueryResult,
  type SqlDatabase,
  type SqlExecutor,
} from './sql-database.port';
import { lockKey } from './lock-key';
import { isStaleStatement, StatementNames } from './statement-names';

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
  /**
   * Parameterised statements go as named prepared statements, parsed once
   * per connection (true by default). Off for a pooler that hands each
   * transaction another backend without keeping prepared statements
   * (PgBouncer's transaction mode before 1.21 or without
   * `max_prepared_statements`).
   */
  readonly preparedStatements?: boolean;
  /** Distinct texts named at most; any further text goes unnamed (500 by default). */
  readonly preparedStatementLimit?: number;
}

/** The statement timeout when the caller names none: long enough for any planned statement. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** `pg` adapter. int8 stays a string, as `pg` returns it by default. */
export class PgDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  readonly pool: Pool;
  private readonly connectionString: string;
  /** Undefined when prepared statements are off: every statement goes unnamed. */
  readonly statementNames: StatementNames | undefined;

  constructor(options: PgDatabaseOptions) {
    this.connectionString = options.connectionString;
    this.statementNames =
      options.preparedStatements === false
        ? undefined
        : new StatementNames(options.preparedStatementLimit);
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      ...(statementTimeoutMs > 0 && { statement_timeout: statementTimeoutMs }),
    });
    // An idle client that errors (server restart) must not crash the process;
    // the pool drops it and the next query opens a fresh connection.
    this.pool.on('error', () => undefined);
    if (this.statementNames) {
      // A named statement keeps its parsed form, but is planned for its values
      // each time: after five runs Postgres may otherwise settle on a generic
      // plan, which for the batch statements (one JSON array of rows as the
      // parameter) guesses the rows and slowed projection catch-up by a fifth
      // and more. The SET is queued on the new connection before any query.
      this.pool.on('connect', (client) => {
        client.query('SET plan_cache_mode = force_custom_plan').catch(() => undefined);
      });
    }
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await send(this.pool, this.statementNames, sql, params, 'retry');
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(clientExecutor(client, this.statementNames));
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
    if (!must(rows[0], 'pg_try_advisory_lock row').locked) {
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

  /**
   * Listens on a client outside the pool (a pooled connection would be
   * handed to queries). A lost connection is reported and replaced, with a
   * pause growing from 100 ms to 10 s between attempts.
   */
  async listen(channel: string, handlers: ListenHandlers): Promise<Listener> {
    const sql = `LISTEN ${checkChannel(channel)}`;
    let closed = false;
    let client: Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let delayMs = 100;
    const connect = async (): Promise<void> => {
      const next = new Client({ connectionString: this.connectionString });
      next.on('notification', (message) => {
        if (message.channel === channel) handlers.onNotify(message.payload ?? '');
      });
      next.on('error', () => lost(next));
      next.on('end', () => lost(next));
      await next.connect();
      try {
        await next.query(sql);
      } catch (error) {
        await next.end().catch(() => undefined);
        throw error;
      }
      if (closed) return void (await next.end().catch(() => undefined));
      client = next;
      delayMs = 100;
      handlers.onListening?.(true);
    };
    const lost = (which: Client): void => {
      if (client !== which) return;
      client = undefined;
      handlers.onListening?.(false);
      void which.end().catch(() => undefined);
      schedule();
    };
    const schedule = (): void => {
      if (closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        connect().catch(() => {
          delayMs = Math.min(delayMs * 2, 10_000);
          schedule();
        });
      }, delayMs);
      retry.unref();
    };
    await connect();
    return {
      close: async () => {
        closed = true;
        if (retry) clearTimeout(retry);
        const current = client;
        client = undefined;
        await current?.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The statements of one transaction, on its connection. */
function clientExecutor(client: PoolClient, names: StatementNames | undefined): SqlExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await send(client, names, sql, params, 'propagate');
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * Sends one statement, named when `names` gives it a name. When the named
 * statement has gone stale (`isStaleStatement`), the text gets a fresh name
 * for its next call, and then:
 * - `retry` (a statement of its own, outside any transaction): it is sent
 *   again unnamed. The failure came at Parse or Bind, before it ran.
 * - `propagate` (inside a transaction): the error is thrown. Postgres has
 *   aborted the transaction, so nothing more can run in it; the caller's
 *   transaction rolls back as for any other error, and the next attempt
 *   uses the fresh name.
 */
async function send(
  target: Pool | PoolClient,
  names: StatementNames | undefined,
  text: string,
  params: readonly unknown[] | undefined,
  onStale: 'retry' | 'propagate',
): Promise<PgQueryResult> {
  const values = params as unknown[] | undefined;
  const name = names?.nameOf(text, values);
  if (!names || name === undefined) return target.query(text, values);
  try {
    return await target.query({ name, text, values });
  } catch (error) {
    if (!isStaleStatement(error)) throw error;
    names.retire(text, name);
    if (onStale === 'propagate') throw error;
    return target.query(text, values);
  }
}
