import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { migrate, PgDatabase, PgliteDatabase, type SqlDatabase } from '@ledger/database';
import { SqlEventStore, type EventStore } from '@ledger/event-store';

/** What the read-model commands need from the environment. */
export interface CliConfig {
  readonly store: 'pglite' | 'postgres';
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

export class CliConfigError extends Error {
  override readonly name = 'CliConfigError';
}

/**
 * LEDGER_STORE=pglite|postgres (default pglite), DATABASE_URL for postgres,
 * LEDGER_DATA_DIR (default .data; PGlite keeps its files in <dir>/pglite).
 */
export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const store = env.LEDGER_STORE ?? 'pglite';
  if (store !== 'pglite' && store !== 'postgres') {
    throw new CliConfigError(
      `LEDGER_STORE must be pglite or postgres, got ${JSON.stringify(store)}`,
    );
  }
  if (store === 'postgres' && !env.DATABASE_URL)
    throw new CliConfigError('LEDGER_STORE=postgres needs DATABASE_URL');
  return { store, databaseUrl: env.DATABASE_URL, dataDir: env.LEDGER_DATA_DIR ?? '.data' };
}

export interface CliRuntime {
  readonly db: SqlDatabase;
  readonly store: EventStore;
  close(): Promise<void>;
}

/** The database (migrated) and the SQL event store over it. */
export async function openCliRuntime(config: CliConfig): Promise<CliRuntime> {
  const db =
    config.store === 'postgres'
      ? new PgDatabase({ connectionString: config.databaseUrl!, max: 4 })
      : await openPglite(config.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const store = new SqlEventStore(db);
  return { db, store, close: () => db.close() };
}

async function openPglite(dataDir: string): Promise<SqlDatabase> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return PgliteDatabase.open(dir);
}

/** Runs a command's body with a runtime, mapping the outcome to an exit status. */
export async function runCli(
  body: (runtime: CliRuntime, args: readonly string[]) => Promise<number>,
): Promise<void> {
  let runtime: CliRuntime | undefined;
  try {
    runtime = await openCliRuntime(readCliConfig());
    process.exitCode = await body(runtime, process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exitCode = 2;
  } finally {
    await runtime?.close().catch(() => undefined);
  }
}
