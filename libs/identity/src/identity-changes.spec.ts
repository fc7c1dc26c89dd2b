import type { ListenHandlers, SqlDatabase } from '@ledger/database';
import { IDENTITY_CHANGED_CHANNEL, listenForIdentityChanges } from './identity-changes';

/** A database whose listening connections the test drives by hand. */
function fakeDatabase(fail = false) {
  const opened: Array<{ channel: string; handlers: ListenHandlers; closed: boolean }> = [];
  let attempts = 0;
  const db = {
    listen: async (channel: string, handlers: ListenHandlers) => {
      attempts++;
      await Promise.resolve();
      if (fail) throw new Error('LISTEN refused');
      const connection = { channel, handlers, closed: false };
      opened.push(connection);
      handlers.onListening?.(true);
      return {
        close: async () => {
          connection.closed = true;
          return Promise.resolve();
        },
      };
    },
  } as unknown as SqlDatabase;
  return { db, opened, attempts: () => attempts };
}

function recorder() {
  const heard: string[] = [];
  const handlers: ListenHandlers = {
    onNotify: (userId) => heard.push(`changed ${userId}`),
    onListening: (listening) => heard.push(listening ? 'listening' : 'not listening'),
  };
  return { heard, handlers };
}

describe('identity changes', () => {
  it('reach every subscriber of a database over one listening connection', async () => {
    const { db, opened } = fakeDatabase();
    const sessions = recorder();
    const contacts = recorder();
    await Promise.all([
      listenForIdentityChanges(db, sessions.handlers),
      listenForIdentityChanges(db, contacts.handlers),
    ]);
    expect(opened.map((c) => c.channel)).toEqual([IDENTITY_CHANGED_CHANNEL]);
    const connection = opened[0]!;
    connection.handlers.onNotify('u-ada');
    connection.handlers.onListening?.(false);
    connection.handlers.onListening?.(true);
    for (const heard of [sessions.heard, contacts.heard])
      expect(heard).toEqual(['listening', 'changed u-ada', 'not listening', 'listening']);
  });

  it('tell a late subscriber that the connection listens already, or not while it is down', async () => {
    const { db, opened } = fakeDatabase();
    await listenForIdentityChanges(db, recorder().handlers);
    const late = recorder();
    await listenForIdentityChanges(db, late.handlers);
    expect(late.heard).toEqual(['listening']);
    opened[0]!.handlers.onListening?.(false);
    const whileDown = recorder();
    await listenForIdentityChanges(db, whileDown.handlers);
    expect(whileDown.heard).toEqual([]);
    expect(opened).toHaveLength(1);
  });

  it('keep the connection until the last subscription closes, then open a new one on demand', async () => {
    const { db, opened } = fakeDatabase();
    const first = recorder();
    const a = await listenForIdentityChanges(db, first.handlers);
    const b = await listenForIdentityChanges(db, recorder().handlers);
    await a.close();
    opened[0]!.handlers.onNotify('u-bob');
    expect(first.heard).toEqual(['listening']);
    expect(opened[0]!.closed).toBe(false);
    await b.close();
    expect(opened[0]!.closed).toBe(true);
    await listenForIdentityChanges(db, recorder().handlers);
    expect(opened).toHaveLength(2);
  });

  it('reject when the connection cannot listen, and try again for the next subscriber', async () => {
    const failing = fakeDatabase(true);
    await expect(listenForIdentityChanges(failing.db, recorder().handlers)).rejects.toThrow(
      'LISTEN refused',
    );
    await expect(listenForIdentityChanges(failing.db, recorder().handlers)).rejects.toThrow(
      'LISTEN refused',
    );
    expect(failing.attempts()).toBe(2);
  });

  it('are per database: another database has its own connection', async () => {
    const one = fakeDatabase();
    const other = fakeDatabase();
    await listenForIdentityChanges(one.db, recorder().handlers);
    await listenForIdentityChanges(other.db, recorder().handlers);
    expect([one.opened.length, other.opened.length]).toEqual([1, 1]);
  });
});
