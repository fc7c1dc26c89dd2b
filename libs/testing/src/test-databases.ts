import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgDatabase, PgliteDatabase, migrate, type SqlDatabase } from '@ledger/database';

/**
 * Databases for tests. Every Postgres test gets its own database, created and
 * dropped here, so parallel runs and parallel workers never collide.
 *
 * A test that needs a server says which: Postgres legs run when DATABASE_URL
 * is set. In CI (CI=true) a missing or unreachable server fails the run
 * instead of quietly skipping the leg.
 */
export interface TestDatabase {
  readonly name: string;
  readonly db: SqlDatabase;
  /** Connection string of the per-test database (Postgres only). */
  readonly url?: string;
  drop(): Promise<void>;
}

export function postgresUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but DATABASE_URL is not set: the Postgres legs are required in CI');
  }
  return url || undefined;
}

export async function createPgliteDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const db = await PgliteDatabase.open();
  if (options.migrate !== false) await migrate(db);
  return { name: 'pglite', db, drop: () => db.close() };
}

export async function createPostgresDatabase(
  baseUrl: string,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<TestDatabase> {
  const dbName = `ledger_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(baseUrl, dbName);
  const db = new PgDatabase({ connectionString: url, max: options.poolSize ?? 10 });
  if (options.migrate !== false) await migrate(db);
  return {
    name: 'postgres',
    db,
    url,
    drop: async () => {
      await db.close();
      const cleanup = new Client({ connectionString: baseUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface DatabaseFactory {
  readonly name: 'pglite' | 'postgres';
  create(options?: { migrate?: boolean; poolSize?: number }): Promise<TestDatabase>;
}

/** Every database adapter reachable here: PGlite always, Postgres when DATABASE_URL is set. */
export function databaseFactories(): [DatabaseFactory, ...DatabaseFactory[]] {
  const factories: [DatabaseFactory, ...DatabaseFactory[]] = [
    { name: 'pglite', create: (o) => createPgliteDatabase(o) },
  ];
  const url = postgresUrl();
  if (url) factories.push({ name: 'postgres', create: (o) => createPostgresDatabase(url, o) });
  return factories;
}
