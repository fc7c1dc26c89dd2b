import { randomBytes, randomUUID } from 'node:crypto';
import type { ListenHandlers } from '@ledger/database';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { FieldCipher } from '../crypto/field-cipher';
import { IDENTITY_CHANGED_CHANNEL } from '../identity-changes';
import { LiveSessionCache } from '../sessions/live-session-cache';
import { UserStore } from '../users/user.store';
import { ContactDirectory } from './contact-directory';

describe.each(databaseFactories())('contact directory cache on $name', (factory) => {
  let database: TestDatabase;
  const dataKey = randomBytes(32);
  const cipher = new FieldCipher(dataKey);
  const ada = { id: randomUUID(), email: 'ada@example.com', name: 'Ada', phone: '+447700900456' };

  beforeAll(async () => {
    database = await factory.create();
    const conflict = await new UserStore(database.db, cipher).create({
      ...ada,
      emailVerified: true,
      passwordHash: null,
      googleSubject: null,
      defaultCurrency: 'USD',
      roles: ['customer'],
    });
    expect(conflict).toBeUndefined();
  });
  afterAll(async () => {
    await database.drop();
  });

  /** The database, counting the queries that read a user. */
  function counting() {
    let reads = 0;
    const db = new Proxy(database.db, {
      get(target, key, receiver) {
        if (key === 'query')
          return (sql: string, params?: unknown[]) => {
            if (sql.includes('identity_users')) reads++;
            return target.query(sql, params);
          };
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { db, reads: () => reads };
  }

  /** Sets the user's e-mail as any writer would (plain SQL); migration 041 notifies on commit. */
  async function setEmail(email: string): Promise<void> {
    await database.db.query('UPDATE identity_users SET email_ciphertext = $2 WHERE id = $1', [
      ada.id,
      cipher.encrypt(email, `email:${ada.id}`),
    ]);
  }

  it('serves a contact read once from memory while listening, and reads a changed e-mail next time', async () => {
    const { db, reads } = counting();
    const contacts = new ContactDirectory(db, dataKey);
    await contacts.onApplicationBootstrap();
    try {
      expect(await contacts.contactOf(ada.id)).toEqual({
        email: ada.email,
        phone: ada.phone,
        name: ada.name,
      });
      expect(await contacts.contactOf(ada.id.toUpperCase())).toMatchObject({ email: ada.email });
      expect(reads()).toBe(1);

      await setEmail('ada.new@example.com');
      // The NOTIFY arrives on the listening connection shortly after the commit.
      let email: string | undefined;
      for (let round = 0; round < 200 && email !== 'ada.new@example.com'; round++) {
        email = (await contacts.contactOf(ada.id))?.email;
        if (email !== 'ada.new@example.com') await new Promise((r) => setTimeout(r, 10));
      }
      expect(email).toBe('ada.new@example.com');
      const readsAfterChange = reads();
      expect(await contacts.contactOf(ada.id)).toMatchObject({ email: 'ada.new@example.com' });
      expect(reads()).toBe(readsAfterChange);
    } finally {
      await contacts.onApplicationShutdown();
      await setEmail(ada.email);
    }
  });

  it('caches nothing before it listens, nor while the listener is down', async () => {
    const { db, reads } = counting();
    const notStarted = new ContactDirectory(db, dataKey);
    await notStarted.contactOf(ada.id);
    await notStarted.contactOf(ada.id);
    expect(reads()).toBe(2);

    let handlers: ListenHandlers | undefined;
    const channels: string[] = [];
    const driven = new Proxy(db, {
      get(target, key, receiver) {
        if (key === 'listen')
          return async (channel: string, h: ListenHandlers) => {
            channels.push(channel);
            handlers = h;
            h.onListening?.(true);
            return { close: async () => undefined };
          };
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const contacts = new ContactDirectory(driven, dataKey);
    await contacts.onApplicationBootstrap();
    expect(channels).toEqual([IDENTITY_CHANGED_CHANNEL]);
    await contacts.contactOf(ada.id);
    await contacts.contactOf(ada.id);
    expect(reads()).toBe(3);
    handlers?.onListening?.(false);
    await contacts.contactOf(ada.id);
    await contacts.contactOf(ada.id);
    expect(reads()).toBe(5);
    // Back up: what was read while down was not kept, so the first read asks again.
    handlers?.onListening?.(true);
    await contacts.contactOf(ada.id);
    await contacts.contactOf(ada.id);
    expect(reads()).toBe(6);
    // A notification for the user drops the entry.
    handlers?.onNotify(ada.id);
    await contacts.contactOf(ada.id);
    expect(reads()).toBe(7);
    await contacts.onApplicationShutdown();
  });

  it('shares one listening connection with the session cache, and a change reaches both', async () => {
    const { db, reads } = counting();
    let listens = 0;
    const shared = new Proxy(db, {
      get(target, key, receiver) {
        if (key === 'listen') listens++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const contacts = new ContactDirectory(shared, dataKey);
    const sessions = new LiveSessionCache(shared, { ttlMs: 60_000 });
    await Promise.all([contacts.onApplicationBootstrap(), sessions.onApplicationBootstrap()]);
    try {
      expect(listens).toBe(1);
      const session = {
        userId: ada.id,
        email: ada.email,
        roles: ['customer'] as const,
        emailVerified: true,
      };
      sessions.set('s-ada', session, sessions.begin());
      await contacts.contactOf(ada.id);
      expect([sessions.get('s-ada', ada.id), reads()]).toEqual([session, 1]);

      await setEmail('ada.both@example.com');
      for (let round = 0; round < 200 && sessions.get('s-ada', ada.id); round++)
        await new Promise((r) => setTimeout(r, 10));
      expect(sessions.get('s-ada', ada.id)).toBeUndefined();
      expect(await contacts.contactOf(ada.id)).toMatchObject({ email: 'ada.both@example.com' });
      expect(reads()).toBe(2);

      // One cache shutting down leaves the other listening.
      await sessions.onApplicationShutdown();
      await setEmail(ada.email);
      let email: string | undefined;
      for (let round = 0; round < 200 && email !== ada.email; round++) {
        email = (await contacts.contactOf(ada.id))?.email;
        if (email !== ada.email) await new Promise((r) => setTimeout(r, 10));
      }
      expect(email).toBe(ada.email);
    } finally {
      await sessions.onApplicationShutdown();
      await contacts.onApplicationShutdown();
      await setEmail(ada.email);
    }
  });

  it('never caches a user not found: creating one notifies nothing', async () => {
    const { db, reads } = counting();
    const contacts = new ContactDirectory(db, dataKey);
    await contacts.onApplicationBootstrap();
    try {
      const id = randomUUID();
      expect(await contacts.contactOf(id)).toBeUndefined();
      expect(await contacts.contactOf(id)).toBeUndefined();
      expect(reads()).toBe(2);
      expect(await contacts.contactOf('system:adjustments')).toBeUndefined();
      expect(reads()).toBe(2);
    } finally {
      await contacts.onApplicationShutdown();
    }
  });
});
