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

/** Named prepared statements are a `pg` protocol matter: Postgres leg only. */
(url ? describe : describe.skip)('PgDatabase prepared statements (needs DATABASE_URL)', () => {
  let database: TestDatabase;
  const opened: PgDatabase[] = [];
  /** One connection, so that every query sees the statements the previous ones prepared. */
  const open = (
    options: { preparedStatements?: boolean; preparedStatementLimit?: number } = {},
  ) => {
    const db = new PgDatabase({ connectionString: database.url!, max: 1, ...options });
    opened.push(db);
    return db;
  };
  /** The connection's prepared statements, read with a statement that has no parameters. */
  const prepared = async (db: PgDatabase) =>
    (
      await db.query<{ name: string; statement: string; runs: number }>(
        'SELECT name, statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements ORDER BY name',
      )
    ).rows;

  beforeAll(async () => {
    database = await createPostgresDatabase(url!, { migrate: false });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await database.db.exec('DROP SCHEMA IF EXISTS s CASCADE; DROP SCHEMA IF EXISTS s_next CASCADE');
    await database.db.exec('DROP SCHEMA IF EXISTS s_old CASCADE');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('prepares a parameterised statement once per connection and reuses it', async () => {
    const db = open();
    const sql = 'SELECT $1::int + 1 AS n';
    for (const n of [1, 2, 3]) {
      expect((await db.query<{ n: number }>(sql, [n])).rows).toEqual([{ n: n + 1 }]);
    }
    await db.query('SELECT 1 AS plain');
    await db.query('SELECT 2 AS empty', []);
    expect(await prepared(db)).toEqual([
      { name: expect.stringMatching(/^p[0-9a-f]{16}$/), statement: sql, runs: 3 },
    ]);
  });

  it('names the same text alike in transactions and outside', async () => {
    const db = open();
    const sql = 'SELECT $1::text AS t';
    await db.query(sql, ['a']);
    await db.transaction(async (tx) => {
      expect((await tx.query(sql, ['b'])).rows).toEqual([{ t: 'b' }]);
    });
    expect(await prepared(db)).toEqual([expect.objectContaining({ statement: sql, runs: 2 })]);
  });

  it('names at most the limit of distinct texts and sends the others unnamed', async () => {
    const db = open({ preparedStatementLimit: 2 });
    for (const column of ['a', 'b', 'c', 'd']) {
      const { rows } = await db.query(`SELECT $1::int AS ${column}`, [7]);
      expect(rows).toEqual([{ [column]: 7 }]);
    }
    await db.query('SELECT $1::int AS a', [8]);
    expect((await prepared(db)).map((s) => [s.statement, s.runs])).toEqual(
      expect.arrayContaining([
        ['SELECT $1::int AS a', 2],
        ['SELECT $1::int AS b', 1],
      ]),
    );
    expect(await prepared(db)).toHaveLength(2);
    expect(db.statementNames?.size).toBe(2);
  });

  it('with preparedStatements false sends every statement unnamed', async () => {
    const db = open({ preparedStatements: false });
    await db.query('SELECT $1::int AS n', [1]);
    await db.transaction((tx) => tx.query('SELECT $1::int AS n', [2]));
    expect(db.statementNames).toBeUndefined();
    expect(await prepared(db)).toEqual([]);
    const { rows } = await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
    expect(rows[0]?.plan_cache_mode).toBe('auto');
  });

  it('plans every execution of a named statement for its values, never a generic plan', async () => {
    const db = open();
    const { rows } = await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
    expect(rows[0]?.plan_cache_mode).toBe('force_custom_plan');
    const sql = 'SELECT count(*)::int AS n FROM generate_series(1, $1::int)';
    for (let run = 1; run <= 8; run++) await db.query(sql, [run]);
    const plans = await db.query<{ generic_plans: number; custom_plans: number }>(
      'SELECT generic_plans::int, custom_plans::int FROM pg_prepared_statements',
    );
    expect(plans.rows).toEqual([{ generic_plans: 0, custom_plans: 8 }]);
  });

  it('retries once unnamed when a column changed its type under the statement, and renames it', async () => {
    const db = open();
    await db.exec('CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY, v int)');
    await db.query('INSERT INTO s.t VALUES ($1, $2)', [1, 5]);
    const sql = 'SELECT * FROM s.t WHERE id = $1';
    expect((await db.query(sql, [1])).rows).toEqual([{ id: 1, v: 5 }]);
    const [before] = (await prepared(db)).filter((s) => s.statement === sql);
    expect(before?.name).toMatch(/^p[0-9a-f]{16}$/);

    await db.exec('ALTER TABLE s.t ALTER COLUMN v TYPE text');
    // The statement prepared before fails with 0A000 at Bind; the answer is the unnamed retry's.
    expect((await db.query(sql, [1])).rows).toEqual([{ id: 1, v: '5' }]);
    expect((await db.query(sql, [1])).rows).toEqual([{ id: 1, v: '5' }]);
    expect((await db.query(sql, [1])).rows).toEqual([{ id: 1, v: '5' }]);
    // The pool closes a connection whose query failed, so the old statement went with it.
    expect((await prepared(db)).filter((s) => s.statement === sql)).toEqual([
      { name: `${before!.name}_1`, statement: sql, runs: 2 },
    ]);
  });

  it('inside a transaction propagates the stale statement and rolls back; the next transaction succeeds', async () => {
    const db = open();
    await db.exec('CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY, v int)');
    const sql = 'SELECT * FROM s.t WHERE id = $1';
    const insert = 'INSERT INTO s.t (id, v) VALUES ($1, $2)';
    await db.exec("INSERT INTO s.t VALUES (1, '5')");
    await db.query(sql, [1]);
    await db.exec('ALTER TABLE s.t ALTER COLUMN v TYPE text');

    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [2, 'six']);
        await tx.query(sql, [1]);
      }),
    ).rejects.toMatchObject({ code: '0A000' });
    expect((await db.query('SELECT id FROM s.t ORDER BY id')).rows).toEqual([{ id: 1 }]);

    const rows = await db.transaction(async (tx) => {
      await tx.query(insert, [2, 'six']);
      return (await tx.query(sql, [2])).rows;
    });
    expect(rows).toEqual([{ id: 2, v: 'six' }]);
    expect((await db.query('SELECT id FROM s.t ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('retries unnamed when the connection lost its statements (DISCARD ALL)', async () => {
    const db = open();
    const sql = 'SELECT $1::int * 2 AS n';
    await db.query(sql, [2]);
    await db.exec('DISCARD ALL');
    expect((await db.query(sql, [3])).rows).toEqual([{ n: 6 }]);
    expect((await db.query(sql, [4])).rows).toEqual([{ n: 8 }]);
    expect(await prepared(db)).toEqual([
      { name: expect.stringMatching(/^p[0-9a-f]{16}_1$/), statement: sql, runs: 1 },
    ]);
  });

  it('sends a text unnamed for good after it went stale more than three times', async () => {
    const db = open();
    const sql = 'SELECT $1::int AS n';
    for (let round = 0; round < 4; round++) {
      await db.query(sql, [round]);
      await db.exec('DISCARD ALL');
      // Stale: renamed, and answered unnamed.
      expect((await db.query(sql, [round])).rows).toEqual([{ n: round }]);
    }
    expect((await db.query(sql, [9])).rows).toEqual([{ n: 9 }]);
    expect((await db.query(sql, [10])).rows).toEqual([{ n: 10 }]);
    expect(await prepared(db)).toEqual([]);
  });

  it('follows a swap of schemas by renaming, as the read models rebuild does', async () => {
    const db = open();
    await db.exec(`CREATE SCHEMA s; CREATE TABLE s.t (id int, v text); INSERT INTO s.t VALUES (1, 'old');
      CREATE SCHEMA s_next; CREATE TABLE s_next.t (id int, v text); INSERT INTO s_next.t VALUES (1, 'new')`);
    const sql = 'SELECT v FROM s.t WHERE id = $1';
    // Past the executions after which Postgres may keep a generic plan.
    for (let i = 0; i < 8; i++) expect((await db.query(sql, [1])).rows).toEqual([{ v: 'old' }]);
    await database.db.transaction(async (tx) => {
      await tx.query('ALTER SCHEMA s RENAME TO s_old');
      await tx.query('ALTER SCHEMA s_next RENAME TO s');
    });
    expect((await db.query(sql, [1])).rows).toEqual([{ v: 'new' }]);
    await db.query('INSERT INTO s.t VALUES ($1, $2)', [2, 'added']);
    expect((await database.db.query('SELECT v FROM s.t ORDER BY id')).rows).toEqual([
      { v: 'new' },
      { v: 'added' },
    ]);
  });

  it('a statement that fails for itself is not retried and keeps its name', async () => {
    const db = open();
    await db.exec('CREATE SCHEMA s; CREATE TABLE s.t (id int PRIMARY KEY)');
    const sql = 'INSERT INTO s.t VALUES ($1)';
    await db.query(sql, [1]);
    const [first] = await prepared(db);
    await expect(db.query(sql, [1])).rejects.toMatchObject({ code: '23505' });
    await db.query(sql, [2]);
    expect(await prepared(db)).toEqual([{ name: first!.name, statement: sql, runs: 1 }]);
    expect((await db.query('SELECT count(*)::int AS n FROM s.t')).rows).toEqual([{ n: 2 }]);
  });
});
