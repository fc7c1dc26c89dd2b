import { PgliteDatabase } from './pglite.database';

describe('PgliteDatabase', () => {
  let db: PgliteDatabase;
  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
  });
  afterAll(() => db.close());

  it('reports rowCount as pg does: rows returned by a SELECT, rows changed otherwise', async () => {
    expect((await db.query('INSERT INTO t VALUES (1), (2), (3)')).rowCount).toBe(3);
    expect((await db.query('SELECT id FROM t WHERE id > 1')).rowCount).toBe(2);
    expect((await db.query('SELECT id FROM t WHERE id > 9')).rowCount).toBe(0);
    expect((await db.query('UPDATE t SET id = id + 10 WHERE id < 3')).rowCount).toBe(2);
    const inTx = await db.transaction((tx) => tx.query('SELECT id FROM t'));
    expect(inTx.rowCount).toBe(3);
  });

  it('returns int8 as text, like pg', async () => {
    const { rows } = await db.query<{ n: unknown }>('SELECT 9223372036854775807::int8 AS n');
    expect(rows[0]?.n).toBe('9223372036854775807');
  });
});
