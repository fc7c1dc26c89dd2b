import { databaseFactories, type TestDatabase } from '@ledger/testing';
import type { Listener } from './sql-database.port';

const USER = '00000000-0000-4000-8000-0000000000a1';

/** Waits for the next notification on `received` (bounded: a missing one fails the test). */
async function next(received: string[], count: number): Promise<string[]> {
  for (let polls = 0; polls < 500 && received.length < count; polls++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return received;
}

describe.each(databaseFactories())('SqlDatabase.listen on $name', (factory) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await factory.create();
  });
  afterAll(() => database?.drop());

  it('delivers NOTIFY payloads once their transaction committed, none of a rolled-back one', async () => {
    const received: string[] = [];
    const states: boolean[] = [];
    const listener: Listener = await database.db.listen('test_channel', {
      onNotify: (payload) => received.push(payload),
      onListening: (listening) => states.push(listening),
    });
    expect(states).toEqual([true]);
    await database.db
      .transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('test_channel', 'rolled back')`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await database.db.transaction((tx) => tx.query(`SELECT pg_notify('test_channel', 'first')`));
    await database.db.query(`SELECT pg_notify('other_channel', 'elsewhere')`);
    await database.db.query(`SELECT pg_notify('test_channel', 'second')`);
    expect(await next(received, 2)).toEqual(['first', 'second']);
    await listener.close();
    await database.db.query(`SELECT pg_notify('test_channel', 'after close')`);
    await database.db.query(`SELECT 1`);
    expect(received).toEqual(['first', 'second']);
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    await expect(
      database.db.listen('x; DROP TABLE t', { onNotify: () => undefined }),
    ).rejects.toThrow(RangeError);
  });

  it("notifies identity_changed with the user's id for every change the access guard reads (migration 041)", async () => {
    const received: string[] = [];
    const listener = await database.db.listen('identity_changed', {
      onNotify: (payload) => received.push(payload),
    });
    try {
      await database.db.query(
        `INSERT INTO identity_users (id, email_hash, email_ciphertext, default_currency) VALUES ($1, 'h', 'c', 'EUR')`,
        [USER],
      );
      await database.db.query(
        `INSERT INTO identity_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
        ['00000000-0000-4000-8000-0000000000b1', USER],
      );
      // A new user or session needs no notice: nothing can have cached it.
      await database.db.query(
        `INSERT INTO identity_user_roles (user_id, role) VALUES ($1, 'customer')`,
        [USER],
      );
      await database.db.query(
        `UPDATE identity_sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE user_id = $1`,
        [USER],
      );
      await database.db.query(`UPDATE identity_users SET email_verified_at = now() WHERE id = $1`, [
        USER,
      ]);
      await database.db.query(`DELETE FROM identity_user_roles WHERE user_id = $1`, [USER]);
      expect(await next(received, 4)).toEqual([USER, USER, USER, USER]);
    } finally {
      await listener.close();
    }
  });
});
