import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { purgeIdempotencyKeys } from './idempotency-keys.purge';

describe.each(databaseFactories())('Idempotency-Key purge on $name', (factory) => {
  let database: TestDatabase;
  let db: SqlDatabase;
  beforeAll(async () => {
    database = await factory.create();
    db = database.db;
  });
  afterAll(() => database?.drop());
  beforeEach(() => db.query('DELETE FROM idempotency_keys'));

  /** A key first used `ageDays` ago; `live` keeps its holder's lease running. */
  async function key(ageDays: number, state: 'completed' | 'stranded' | 'live'): Promise<string> {
    const name = randomUUID();
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at, completed_at, locked_until)
       VALUES ('u POST /transfers', $1, 'h', $2, $3, now() - $4 * interval '1 day',
               CASE WHEN $2::int IS NULL THEN NULL ELSE now() - $4 * interval '1 day' END,
               CASE WHEN $5 THEN now() + interval '1 minute' ELSE now() - $4 * interval '1 day' END)`,
      [
        name,
        state === 'completed' ? 202 : null,
        state === 'completed' ? '{"id":"transfer-1"}' : null,
        ageDays,
        state === 'live',
      ],
    );
    return name;
  }

  const remaining = async () =>
    (await db.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')).rows
      .map((r) => r.key)
      .sort();

  it('removes only keys past retention, and never one whose lease is live', async () => {
    await key(31, 'completed');
    await key(45, 'stranded');
    const live = await key(31, 'live');
    const recent = await key(29, 'completed');
    const recentStranded = await key(1, 'stranded');

    expect(await purgeIdempotencyKeys(db, 30)).toBe(2);
    expect(await remaining()).toEqual([live, recent, recentStranded].sort());
    expect(await purgeIdempotencyKeys(db, 30)).toBe(0);
  });

  it('works in bounded batches, oldest first, and leaves the rest for the next run', async () => {
    await key(50, 'completed');
    await key(40, 'completed');
    const old = await key(35, 'completed');
    expect(await purgeIdempotencyKeys(db, 30, { batchSize: 1, maxBatches: 2 })).toBe(2);
    expect(await remaining()).toEqual([old]);
    expect(await purgeIdempotencyKeys(db, 30, { batchSize: 2, maxBatches: 5 })).toBe(1);
    expect(await remaining()).toEqual([]);
  });

  it('several workers purging at once delete every key once between them', async () => {
    const kept = await key(2, 'completed');
    for (let i = 0; i < 40; i++) await key(60, i % 2 ? 'completed' : 'stranded');
    const counts = await Promise.all(
      [1, 2, 3].map(() => purgeIdempotencyKeys(db, 30, { batchSize: 5, maxBatches: 20 })),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await remaining()).toEqual([kept]);
  });
});
