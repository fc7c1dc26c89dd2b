import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  lastCommittedPosition,
  postgresUrl,
  createPostgresDatabase,
  type TestDatabase,
} from '@ledger/testing';
import { LedgerClient } from './bank-client';
import { readBooks } from './bank-books';
import { enrolCustomer, enrolStaff, fund, STAFF_EMAIL, type Customer } from './bank-users';
import {
  inParallel,
  mulberry32,
  planOperations,
  runOperation,
  type Outcome,
} from './bank-workload';
import { Chaos } from './chaos';
import {
  apiReady,
  buildService,
  hasRedisServer,
  ownRedis,
  ProcessLog,
  runCli,
  ServiceProcess,
  sleep,
  workerReady,
} from './service-processes';

/**
 * THE BANK TEST OVER HTTP, ON THE PRODUCTION SHAPE. The built service runs
 * as it does in production: the API and the worker as separate processes on
 * Postgres, jobs on a Redis of the test's own. Customers sign up, turn on
 * 2FA and link a bank account over HTTP; then clients move money concurrently
 * (bank-workload.ts) while the worker is SIGKILLed and restarted three times,
 * the API once with requests in flight, and Redis is restarted empty
 * (chaos.ts). Clients retry under the same Idempotency-Key, as real ones do.
 * Afterwards the books (bank-books.ts) must show: money conserved per
 * currency, no wallet negative at any revision, every movement terminal and
 * compensated, no key stuck in progress, and `ledger:verify` clean.
 *
 * Needs DATABASE_URL and REDIS_URL (the Redis legs) and a redis-server binary
 * for the test's own Redis; skipped without them, failed with CI=true.
 */
const API_PORT = 3107;
const REDIS_PORT = 6395;
const SIZE = { customers: 12, transfers: 100, topUps: 24, withdrawals: 24 };
const CLIENTS = 8;
const SEED = 20_261_201;
const OPENING_BALANCE_MINOR = 20_000n;
const FX_RATES = 'USD/EUR=0.92,EUR/USD=1.08';
/** Long enough for a payout whose provider stays down to spend its attempts, and for stalled jobs to be retaken. */
const QUIET_TIMEOUT_MS = 75_000;
const QUIET_POLL_MS = 500;
const VERIFY_TIMEOUT_MS = 120_000;

const databaseUrl = postgresUrl();
const redisLeg = redisAvailable();
const describeLeg = databaseUrl && redisLeg ? describe : describe.skip;
if (!databaseUrl || !redisLeg)
  console.log(
    'bank test over HTTP skipped: it needs DATABASE_URL, REDIS_URL and a redis-server binary',
  );

describeLeg('the bank over HTTP, API and worker apart, with kills', () => {
  const log = new ProcessLog();
  const run = randomBytes(4).toString('hex');
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let redis: ServiceProcess;
  let worker: ServiceProcess;
  let api: ServiceProcess;

  beforeAll(async () => {
    buildService();
    database = await createPostgresDatabase(databaseUrl!, { poolSize: 2 });
    env = serviceEnv(database.url!, run);
    redis = ownRedis(REDIS_PORT, log);
    worker = new ServiceProcess(
      'worker',
      'node',
      ['dist/apps/worker/src/main.js'],
      { ...env, LEDGER_ROLE: 'worker' },
      log,
      workerReady(log, () => worker),
    );
    api = new ServiceProcess(
      'api',
      'node',
      ['dist/apps/api/src/main.js'],
      { ...env, LEDGER_ROLE: 'api' },
      log,
      apiReady(`http://127.0.0.1:${API_PORT}`),
    );
    await redis.start();
    await Promise.all([worker.start(), api.start()]);
  }, 180_000);

  afterAll(async () => {
    for (const child of [api, worker, redis]) await child?.kill();
    await database?.drop();
  }, 60_000);

  it('balances after concurrent movements, provider faults, kills and an empty Redis', async () => {
    const counts = new Map<string, number>();
    const count = (key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);
    const random = mulberry32(SEED);
    const client = new LedgerClient(`http://127.0.0.1:${API_PORT}`, count);
    const began = Date.now();
    const lap = (phase: string) =>
      count(`seconds: ${phase}`, Math.round((Date.now() - began) / 1000));
    try {
      const customers = await setUp(client, run);
      lap('set-up done');
      const funded = new Map<string, bigint>();
      for (const c of customers)
        funded.set(c.currency, (funded.get(c.currency) ?? 0n) + OPENING_BALANCE_MINOR);

      const operations = planOperations(random, SIZE);
      const payoutsOutstanding = async () =>
        (
          await database.db.query(
            "SELECT 1 FROM movements WHERE kind = 'withdrawal' AND status = 'pending' AND phase = 'held' LIMIT 1",
          )
        ).rows.length > 0;
      const chaos = new Chaos(
        { api, worker, redis, client, payoutsOutstanding },
        random,
        count,
        operations.length,
      );
      chaos.start();
      const outcomes: Outcome[] = [];
      await inParallel(operations, CLIENTS, async (op, index) => {
        await chaos.reached(index);
        outcomes.push(await runOperation(client, customers, op, random, count));
      });
      await chaos.finished();
      lap('workload done');

      const violations = clientViolations(outcomes);
      const accepted = new Set(outcomes.flatMap((o) => o.movementIds));
      const quiet = await untilQuiet(database, accepted);
      violations.push(...quiet);
      lap('quiet');
      const books = await readBooks(database.db, {
        walletCurrency: new Map(customers.map((c) => [c.walletId, c.currency])),
        funded,
        rates: new Map([
          ['USD/EUR', [92n, 100n]],
          ['EUR/USD', [108n, 100n]],
        ] as const),
      });
      violations.push(...books.violations);
      const verify = runCli('dist/libs/read-models/src/cli/verify.js', env, VERIFY_TIMEOUT_MS);
      if (verify.status !== 0)
        violations.push(`ledger:verify exited ${verify.status}: ${verify.output.slice(-2_000)}`);
      lap('books and verify done');
      for (const [k, v] of books.figures) count(k, v);
      count('restarts: worker', worker.starts - 1);
      count('restarts: API', api.starts - 1);
      count('restarts: Redis', redis.starts - 1);
      count('violations', violations.length);
      console.log(summary(counts, violations));
      if (violations.length > 0) console.log(`processes' log (tail):\n${log.tail()}`);
      expect(violations).toEqual([]);
    } catch (error) {
      console.log(`${summary(counts, [])}\nprocesses' log (tail):\n${log.tail()}`);
      throw error;
    }
  }, 420_000);
});

/** Customers in both currencies, each funded; the operator who funds them. */
async function setUp(client: LedgerClient, run: string): Promise<Customer[]> {
  const staff = await enrolStaff(client);
  const customers: Customer[] = [];
  for (let i = 0; i < SIZE.customers; i++)
    customers.push(await enrolCustomer(client, i, i % 2 === 0 ? 'EUR' : 'USD', run));
  for (const c of customers) await fund(client, staff, c, OPENING_BALANCE_MINOR);
  return customers;
}

/** What the clients saw that should not happen: answers other than 202, keys stuck, one key with two movements. */
function clientViolations(outcomes: readonly Outcome[]): string[] {
  const violations: string[] = [];
  const unexpected = outcomes.flatMap((o) => o.unexpected);
  if (unexpected.length > 0)
    violations.push(
      `unexpected answers (${unexpected.length}): ${unexpected.slice(0, 10).join('; ')}`,
    );
  const stuck = outcomes.filter((o) => o.stuck);
  if (stuck.length > 0)
    violations.push(
      `requests whose key stayed in progress after every retry (${stuck.length}): ${stuck
        .map((o) => `${o.kind} ${o.key}`)
        .slice(0, 10)
        .join('; ')}`,
    );
  const split = outcomes.filter((o) => new Set(o.movementIds).size > 1);
  if (split.length > 0)
    violations.push(
      `one key, several movements (${split.length}): ${split.map((o) => o.movementIds.join(' ≠ ')).join('; ')}`,
    );
  return violations;
}

/**
 * Waits until every movement is terminal and the projector and the saga
 * driver have read the last committed event; bounded. Whatever is still
 * outstanding at the deadline is left for the books to name.
 */
async function untilQuiet(
  database: TestDatabase,
  accepted: ReadonlySet<string>,
): Promise<string[]> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
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
function serviceEnv(url: string, run: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(API_PORT),
    DATABASE_URL: url,
    LEDGER_STORE: 'postgres',
    DATABASE_POOL_SIZE: '8',
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    JOBS_PREFIX: `bank-http-${run}`,
    PAYMENT_GATEWAY: 'sandbox',
    SANDBOX_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    LEDGER_JWT_SECRET: randomBytes(32).toString('hex'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-bank-http-data-')),
    LEDGER_FX_RATES: FX_RATES,
    LEDGER_ADMIN_EMAILS: STAFF_EMAIL,
    // Every client of the test comes from one address; the per-IP limit is for the internet.
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
  };
}

function redisAvailable(): boolean {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but REDIS_URL is not set: the Redis legs are required in CI');
  if (!url) return false;
  if (hasRedisServer()) return true;
  if (process.env.CI === 'true')
    throw new Error(
      'CI=true but redis-server is not installed: the bank test over HTTP needs its own Redis',
    );
  return false;
}

function summary(counts: ReadonlyMap<string, number>, violations: readonly string[]): string {
  const lines = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k}: ${v}`);
  const broken = violations.map((v) => `  ✗ ${v}`);
  return `bank test over HTTP (production shape):\n${lines.join('\n')}${broken.length ? `\nviolations:\n${broken.join('\n')}` : ''}`;
}
