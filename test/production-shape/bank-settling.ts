import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastCommittedPosition, type TestDatabase } from '@ledger/testing';
import { sleep } from './service-processes';

/** The FX table both processes are configured with, and the same rates as fractions for the books. */
export const FX_RATES = 'USD/EUR=0.92,EUR/USD=1.08';
export const FX_FRACTIONS = new Map<string, readonly [bigint, bigint]>([
  ['USD/EUR', [92n, 100n]],
  ['EUR/USD', [108n, 100n]],
]);
const QUIET_POLL_MS = 500;

/**
 * Waits until every movement is terminal and the projector and the saga
 * driver have read the last committed event; bounded. Whatever is still
 * outstanding at the deadline is left for the books to name.
 */
export async function untilQuiet(
  database: TestDatabase,
  accepted: ReadonlySet<string>,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let missing: string[] = [];
  while (Date.now() < deadline) {
    const { rows } = await database.db.query<{ movement_id: string; status: string }>(
      'SELECT movement_id, status FROM movements',
    );
    const known = new Set(rows.map((r) => r.movement_id));
    missing = [...accepted].filter((id) => !known.has(id));
    const pending = rows.filter((r) => r.status === 'pending').length;
    if (missing.length === 0 && pending === 0 && (await caughtUp(database))) return [];
    await sleep(QUIET_POLL_MS);
  }
  return missing.length > 0
    ? [
        `accepted movements the saga driver never recorded (${missing.length}): ${missing.slice(0, 10).join('; ')}`,
      ]
    : [];
}

async function caughtUp(database: TestDatabase): Promise<boolean> {
  const last = await lastCommittedPosition(database.db);
  if (!last) return true;
  const { rows } = await database.db.query<{ commit_pos: string; prepare_pos: string }>(
    'SELECT commit_pos::text, prepare_pos::text FROM projection_checkpoints UNION ALL SELECT commit_pos::text, prepare_pos::text FROM saga_checkpoints',
  );
  return (
    rows.length > 0 &&
    rows.every(
      (r) =>
        BigInt(r.commit_pos) > last.commit ||
        (BigInt(r.commit_pos) === last.commit && BigInt(r.prepare_pos) >= last.prepare),
    )
  );
}

/** Both processes' configuration, secrets included, as an operator would set it. */
export function serviceEnv(
  url: string,
  run: string,
  ports: { api: number; redis: number },
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(ports.api),
    DATABASE_URL: url,
    LEDGER_STORE: 'postgres',
    DATABASE_POOL_SIZE: '8',
    REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
    JOBS_PREFIX: `bank-http-${run}`,
    PAYMENT_GATEWAY: 'sandbox',
    SANDBOX_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    LEDGER_JWT_SECRET: randomBytes(32).toString('hex'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_CHECKPOINT_SIGNING_KEY: randomBytes(32).toString('base64'),
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-bank-http-data-')),
    LEDGER_FX_RATES: FX_RATES,
    // Every client of the test comes from one address; the per-IP limit is for the internet.
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    // Re-create lost jobs every 5 s instead of every minute, so the run after
    // Redis comes back empty waits seconds, not a minute, for its payouts.
    SAGA_RECONCILE_INTERVAL_MS: '5000',
    // Ask the sandbox about a payout 5 s after it was made if no report came: a
    // worker killed before the sandbox in it reported a payout took the report with it.
    SAGA_PAYOUT_CHECK_AFTER_MS: '5000',
  };
}
