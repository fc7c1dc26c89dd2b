import type { ListenHandlers, SqlDatabase } from '@ledger/database';
import { IDENTITY_CHANGED_CHANNEL } from '../identity-changes';
import { LiveSessionCache, type LiveSession } from './live-session-cache';

const ada: LiveSession = {
  userId: 'u-ada',
  email: 'ada@example.com',
  roles: ['customer'],
  emailVerified: true,
};
const bob: LiveSession = { ...ada, userId: 'u-bob', email: 'bob@example.com' };

/** A database whose listener the test drives by hand. */
function fakeDatabase() {
  let handlers: ListenHandlers | undefined;
  const channels: string[] = [];
  const db = {
    listen: async (channel: string, h: ListenHandlers) => {
      channels.push(channel);
      handlers = h;
      h.onListening?.(true);
      return { close: async () => undefined };
    },
  } as unknown as SqlDatabase;
  return { db, channels, handlers: () => handlers! };
}

async function listeningCache(now = () => 1_000) {
  const fake = fakeDatabase();
  const cache = new LiveSessionCache(fake.db, { ttlMs: 5_000, now });
  await cache.onApplicationBootstrap();
  return { cache, ...fake };
}

describe('LiveSessionCache', () => {
  it('listens on the channel of migration 041 and serves what was set, for its session and user only', async () => {
    const { cache, channels } = await listeningCache();
    expect(channels).toEqual([IDENTITY_CHANGED_CHANNEL]);
    cache.set('s1', ada, cache.begin());
    expect(cache.get('s1', 'u-ada')).toEqual(ada);
    expect(cache.get('s1', 'u-bob')).toBeUndefined();
    expect(cache.get('s2', 'u-ada')).toBeUndefined();
  });

  it('trusts an entry for ttlMs only', async () => {
    let time = 1_000;
    const { cache } = await listeningCache(() => time);
    cache.set('s1', ada, cache.begin());
    time += 4_999;
    expect(cache.get('s1', 'u-ada')).toEqual(ada);
    time += 1;
    expect(cache.get('s1', 'u-ada')).toBeUndefined();
  });

  it("drops a user's sessions on a notification or a local change, and no one else's", async () => {
    const { cache, handlers } = await listeningCache();
    cache.set('s1', ada, cache.begin());
    cache.set('s2', ada, cache.begin());
    cache.set('s3', bob, cache.begin());
    handlers().onNotify('u-ada');
    expect([cache.get('s1', 'u-ada'), cache.get('s2', 'u-ada')]).toEqual([undefined, undefined]);
    expect(cache.get('s3', 'u-bob')).toEqual(bob);
    cache.forgetSession('s3');
    expect(cache.get('s3', 'u-bob')).toBeUndefined();
  });

  it('does not cache a read that began before a change was forgotten', async () => {
    const { cache } = await listeningCache();
    const token = cache.begin();
    // The session is read; meanwhile a revocation commits and is forgotten.
    cache.forgetUser('u-ada');
    cache.set('s1', ada, token);
    expect(cache.get('s1', 'u-ada')).toBeUndefined();
  });

  it('caches nothing while not listening, and forgets everything when the listener is lost', async () => {
    const idle = new LiveSessionCache(undefined, { ttlMs: 5_000 });
    await idle.onApplicationBootstrap();
    idle.set('s1', ada, idle.begin());
    expect(idle.get('s1', 'u-ada')).toBeUndefined();

    const { cache, handlers } = await listeningCache();
    cache.set('s1', ada, cache.begin());
    handlers().onListening?.(false);
    expect(cache.get('s1', 'u-ada')).toBeUndefined();
    cache.set('s1', ada, cache.begin());
    expect(cache.get('s1', 'u-ada')).toBeUndefined();
    handlers().onListening?.(true);
    cache.set('s1', ada, cache.begin());
    expect(cache.get('s1', 'u-ada')).toEqual(ada);
  });

  it('stays within maxEntries, dropping the oldest first', async () => {
    const fake = fakeDatabase();
    const cache = new LiveSessionCache(fake.db, { ttlMs: 5_000, maxEntries: 2 });
    await cache.onApplicationBootstrap();
    for (const id of ['s1', 's2', 's3']) cache.set(id, ada, cache.begin());
    expect(cache.get('s1', 'u-ada')).toBeUndefined();
    expect(cache.get('s3', 'u-ada')).toEqual(ada);
  });
});
