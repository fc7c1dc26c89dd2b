import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, postgresUrl, type TestDatabase } from '@ledger/testing';
import { migrate } from './migrator';
import { PgDatabase } from './pg.database';

const url = postgresUrl();

/**
 * The statement timeout is Postgres's own: PGlite runs in one thread with no
 * timer to interrupt a statement, so these tests have a Postgres leg only.
 */
(url ? describe : describe.skip)('PgDatabase statement timeout (needs DATABASE_URL)', () => {
  let database: TestDatabase;
  let db: PgDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase(url!, { migrate: false });
    db = new PgDatabase({ connectionString: database.url!, max: 2, statementTimeoutMs: 300 });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('cancels a statement that runs past the timeout, and the pool goes on serving', async () => {
    await expect(db.query('SELECT pg_sleep(3)')).rejects.toMatchObject({ code: '57014' });
    const { rows } = await db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('300ms');
  });

  it('cancels a statement inside a transaction and rolls the transaction back', async () => {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await tx.query('SELECT pg_sleep(3)');
      }),
    ).rejects.toMatchObject({ code: '57014' });
    expect((await db.query('SELECT id FROM t')).rowCount).toBe(0);
  });

  it('lifts the timeout for migrations, whose statements may take longer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '001_slow.sql'), 'SELECT pg_sleep(0.6);\n');
    await expect(migrate(db, dir)).resolves.toEqual(['001_slow.sql']);
  });

  it('with 0 leaves the server default', async () => {
    const plain = new PgDatabase({
      connectionString: database.url!,
      max: 1,
      statementTimeoutMs: 0,
    });
    try {
      const { rows } = await plain.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows[0]?.statement_timeout).toBe('0');
    } finally {
      await plain.close();
    }
  });
});
