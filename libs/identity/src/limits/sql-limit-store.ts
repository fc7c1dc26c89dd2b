import { must } from '@ledger/invariant';
import type { SqlDatabase } from '@ledger/database';
import type { OnModuleDestroy } from '@nestjs/common';
import type { LimitStore, WindowCount } from './limit-store';

/** Stale request windows are deleted once every this many hits, so the table stays small. */
const PURGE_EVERY_HITS = 1000;

/** The limit store in the service's own database, for deployments without Redis. */
export class SqlLimitStore implements LimitStore, OnModuleDestroy {
  private hitsSincePurge = 0;

  constructor(private readonly db: SqlDatabase) {}

  async lockedSeconds(keys: readonly string[]): Promise<number> {
    const { rows } = await this.db.query<{ seconds: string | number | null }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now())) AS seconds
       FROM identity_attempt_limits WHERE key = ANY($1::text[]) AND locked_until > now()`,
      [keys],
    );
    return Math.max(0, Number(rows[0]?.seconds ?? 0));
  }

  async addFailure(key: string, quietSeconds: number): Promise<number> {
    const { rows } = await this.db.query<{ failures: number }>(
      `INSERT INTO identity_attempt_limits AS a (key, failures, last_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN a.last_failure_at < now() - make_interval(secs => $2) THEN 1 ELSE a.failures + 1 END,
         last_failure_at = now()
       RETURNING failures`,
      [key, quietSeconds],
    );
    return must(rows[0], 'failure count row').failures;
  }

  async lock(key: string, seconds: number): Promise<void> {
    await this.db.query(
      'UPDATE identity_attempt_limits SET locked_until = now() + make_interval(secs => $2) WHERE key = $1',
      [key, seconds],
    );
  }

  async clear(key: string): Promise<void> {
    await this.db.query('DELETE FROM identity_attempt_limits WHERE key = $1', [key]);
  }

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    await this.purgeNowAndThen();
    const { rows } = await this.db.query<{ hits: number; seconds: string | number }>(
      `INSERT INTO identity_rate_limits AS r (key, window_ends_at, hits)
         VALUES ($1, now() + make_interval(secs => $2), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END,
         window_ends_at = CASE WHEN r.window_ends_at <= now() THEN now() + make_interval(secs => $2) ELSE r.window_ends_at END
       RETURNING hits, ceil(extract(epoch FROM window_ends_at - now())) AS seconds`,
      [key, windowSeconds],
    );
    const row = must(rows[0], 'rate limit row');
    return { hits: row.hits, resetSeconds: Math.max(1, Number(row.seconds)) };
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    // The database belongs to the runtime, which closes it.
  }

  private async purgeNowAndThen(): Promise<void> {
    if (++this.hitsSincePurge < PURGE_EVERY_HITS) return;
    this.hitsSincePurge = 0;
    await this.db.query('DELETE FROM identity_rate_limits WHERE window_ends_at <= now()');
  }
}
