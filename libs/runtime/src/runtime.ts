import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@ledger/config';
import { migrate, PgDatabase, PgliteDatabase, type SqlDatabase } from '@ledger/database';
import { type EventStore } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';

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
  const store = config.store === 'esdb' ? await openEsdb(config) : new SqlEventStore(db);
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

/** Loaded only when configured, so a process on the SQL store never loads the EventStoreDB client. */
async function openEsdb(config: AppConfig): Promise<EventStore> {
  const { EsdbEventStore } = await import('@ledger/event-store/esdb');
  return EsdbEventStore.connect(config.eventStoreUrl!);
}

async function openDatabase(config: AppConfig): Promise<SqlDatabase> {
  if (config.databaseUrl)
    return new PgDatabase({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      preparedStatements: config.databasePreparedStatements,
    });
  const dir = join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return PgliteDatabase.open(dir);
}
