import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@ledger/config';
import { migrate, PgDatabase, PgliteDatabase, type SqlDatabase } from '@ledger/database';
import { EsdbEventStore, SqlEventStore, type EventStore } from '@ledger/event-store';

/**
 * The infrastructure one process runs on, chosen by configuration: the SQL
 * database (PGlite in the data directory, or Postgres) with its migrations
 * applied, and the event store adapter.
 */
export interface Runtime {
  readonly config: AppConfig;
  readonly db: SqlDatabase;
  readonly store: EventStore;
  close(): Promise<void>;
}

export async function openRuntime(config: AppConfig): Promise<Runtime> {
  const db = await openDatabase(config);
  await migrate(db);
  const store =
    config.store === 'esdb' ? EsdbEventStore.connect(config.eventStoreUrl!) : new SqlEventStore(db);
  return {
    config,
    db,
    store,
    async close() {
      await store.close();
      await db.close();
    },
  };
}

async function openDatabase(config: AppConfig): Promise<SqlDatabase> {
  if (config.databaseUrl)
    return new PgDatabase({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    });
  const dir = join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return PgliteDatabase.open(dir);
}
