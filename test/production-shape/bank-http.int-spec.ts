import { randomBytes } from 'node:crypto';
import { postgresUrl, createPostgresDatabase, type TestDatabase } from '@ledger/testing';
import { LedgerClient } from './bank-client';
import { readBooks } from './bank-books';
import { enrolCustomer, enrolStaff, fund, type Customer } from './bank-users';
import {
  inParallel,
  mulberry32,
  planOperations,
  PROVIDER_DOWN_MINOR,
  runOperation,
  type Outcome,
} from './bank-workload';
import { Chaos } from './chaos';
import { FX_FRACTIONS, serviceEnv, untilQuiet } from './bank-settling';
import {
  apiReady,
  buildService,
  hasRedisServer,
  ownRedis,
  ProcessLog,
  runCli,
  ServiceProcess,
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
/**
 * Long enough for a payout whose provider stays down to spend its attempts
 * (about a minute) once more after its job is re-created, and for stalled
 * jobs to be retaken. A healthy run is quiet well before; only a stuck one waits it out.
 */
const QUIET_TIMEOUT_MS = 120_000;
const VERIFY_TIMEOUT_MS = 120_000;
/** Held this long with the provider down, a payout job is waiting out a retry delay in Redis, not running. */
const PAYOUT_BACKING_OFF_S = 5;

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
  const counts = new Map<string, number>();
  const count = (key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);
  let passed = false;

  beforeAll(async () => {
    buildService();
    database = await createPostgresDatabase(databaseUrl!, { poolSize: 2 });
    env = serviceEnv(database.url!, run, { api: API_PORT, redis: REDIS_PORT });
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
    // Also after a timeout: what was counted so far and what the processes said.
    if (!passed) console.log(`${summary(counts, [])}\nprocesses' log (tail):\n${log.tail()}`);
    for (const child of [api, worker, redis]) await child?.kill();
    await database?.drop();
  }, 60_000);

  it('balances after concurrent movements, provider faults, kills and an empty Redis', async () => {
    const random = mulberry32(SEED);
    const client = new LedgerClient(`http://127.0.0.1:${API_PORT}`, count);
    const began = Date.now();
    const lap = (phase: string) => {
      count(`seconds: ${phase}`, Math.round((Date.now() - began) / 1000));
      log.note(`bank test: ${phase}`);
    };
    const customers = await setUp(client, run, env);
    lap('set-up done');
    const funded = new Map<string, bigint>();
    for (const c of customers)
      funded.set(c.currency, (funded.get(c.currency) ?? 0n) + OPENING_BALANCE_MINOR);

    const operations = planOperations(random, SIZE);
    const payoutsOutstanding = async () =>
      (
        await database.db.query(
          `SELECT 1 FROM movements WHERE kind = 'withdrawal' AND phase = 'held' AND amount_minor = $1
           AND updated_at < now() - interval '${PAYOUT_BACKING_OFF_S} seconds' LIMIT 1`,
          [PROVIDER_DOWN_MINOR.toString()],
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
    const quiet = await untilQuiet(database, accepted, QUIET_TIMEOUT_MS);
    violations.push(...quiet);
    lap('quiet');
    const books = await readBooks(database.db, {
      walletCurrency: new Map(customers.map((c) => [c.walletId, c.currency])),
      funded,
      rates: FX_FRACTIONS,
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
    passed = violations.length === 0;
    expect(violations).toEqual([]);
  }, 600_000);
});

/** Customers in both currencies, each funded; the operator who funds them. */
async function setUp(
  client: LedgerClient,
  run: string,
  env: NodeJS.ProcessEnv,
): Promise<Customer[]> {
  const staff = await enrolStaff(client, env);
  const customers: Customer[] = [];
  for (let i = 0; i < SIZE.customers; i++)
    customers.push(await enrolCustomer(client, i, i % 2 === 0 ? 'EUR' : 'USD', run, env));
  for (const c of customers) await fund(client, staff, c, OPENING_BALANCE_MINOR);
  return customers;
}

/** What the clients saw that should not happen: answers other than 201, 202 or an overdraft refused, keys stuck, one key with two movements. */
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
