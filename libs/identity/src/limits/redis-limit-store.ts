import Redis from 'ioredis';
import type { OnModuleDestroy } from '@nestjs/common';
import type { LimitStore, WindowCount } from './limit-store';

/** Counts and sets the key's lifetime in one step, so no key is left without an expiry. */
const ADD_FAILURE = `local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n`;
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}`;

/** A command that cannot reach Redis fails after this instead of holding the request. */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The limit store in Redis, under its own key prefix. Every key carries an
 * expiry (the quiet period, the lock or the window), so Redis holds no
 * counter longer than the limit it enforces.
 */
export class RedisLimitStore implements LimitStore, OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      lazyConnect: true,
    });
    // Each failed command rejects with its error; the event copy would only be logged as unhandled.
    this.redis.on('error', () => undefined);
  }

  async lockedSeconds(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const ttls = await Promise.all(keys.map((k) => this.redis.pttl(this.name('lock', k))));
    return Math.ceil(Math.max(0, ...ttls) / 1000);
  }

  async addFailure(key: string, quietSeconds: number): Promise<number> {
    return Number(await this.redis.eval(ADD_FAILURE, 1, this.name('failures', key), quietSeconds));
  }

  async lock(key: string, seconds: number): Promise<void> {
    await this.redis.set(this.name('lock', key), '1', 'EX', seconds);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.name('failures', key), this.name('lock', key));
  }

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const [hits, ttl] = (await this.redis.eval(
      HIT,
      1,
      this.name('window', key),
      windowSeconds,
    )) as [number, number];
    return { hits: Number(hits), resetSeconds: Math.max(1, Number(ttl)) };
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    // A client that never connected has nothing to say goodbye to, and QUIT would connect it first.
    if (this.redis.status === 'wait') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private name(kind: string, key: string): string {
    return `${this.prefix}:${kind}:${key}`;
  }
}
