import { must } from '@ledger/invariant';
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fundedUser } from './bench-funding';
import { createDatabase, dropDatabase, startChild, stop } from './bench-processes';
import { createNaiveSchema, seedNaiveWallets } from './naive-wallet.server';
import { meterBetween, perTransfer, readMeter, type MeterReading } from './load-meter';
import { runTransferLoad } from './transfer-load';
import { countNaiveTransfers, waitForNotifications, waitForSagas } from './transfer-outcomes';

/**
 * `npm run bench:transfers`: P2P transfers over HTTP against the production
 * shape on this machine: the service (API and worker in one process) on
 * Postgres (DATABASE_URL) with jobs on Redis (REDIS_URL). autocannon posts
 * transfers between the wallets of one funded user, each with its own
 * Idempotency-Key; then the bench waits until the saga of every transfer the
 * service took is terminal and the read models have applied its last event.
 *
 * In the same run, on the same Postgres server (its own database), the same
 * load drives the naive CRUD wallet of naive-wallet.server.ts, and the bench
 * prints the ratio of the two completed rates.
 *
 *   accepted/s                 2xx answers per second during the load
 *   completed-and-projected/s  ledger: sagas finished and projected, per
 *                              second from the start of the load to the last
 *                              one; naive: committed transfers per second
 *
 *   BENCH_SECONDS (10), BENCH_CONNECTIONS (32,128), BENCH_WALLETS (200),
 *   BENCH_PORT (3917; the naive server listens on BENCH_PORT + 10),
 *   BENCH_NODE_ARGS (extra node flags for the service),
 *   BENCH_PROFILE_DIR (write a CPU profile of the service during each load)
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '32,128').split(',').map(Number);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const NAIVE_PORT = PORT + 10;
const BASE = `http://127.0.0.1:${PORT}`;
const NAIVE_BASE = `http://127.0.0.1:${NAIVE_PORT}`;
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Where the servers' meters (meter.preload.ts) write their readings. */
const METER_DIR = mkdtempSync(join(tmpdir(), 'bench-meter-'));
const METER = ['-r', join(__dirname, 'meter.preload.js')];

interface Figures {
  server: 'ledger' | 'naive';
  connections: number;
  accepted: number;
  accepted_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  completed: number;
  failed: number;
  completed_and_projected_per_s: number;
  /** Server CPU, Postgres backends' CPU and round trips, per completed transfer. */
  [perTransfer: string]: number | string | null;
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!baseUrl || !redisUrl)
    throw new Error('DATABASE_URL and REDIS_URL must be set (the Postgres + Redis shape)');
  const ledger: Figures[] = [];
  const naive: Figures[] = [];
  for (const connections of CONNECTIONS) {
    ledger.push(await measureLedger(baseUrl, redisUrl, connections));
    console.error(`  ledger ${connections} connections: ${JSON.stringify(ledger.at(-1))}`);
    naive.push(await measureNaive(baseUrl, connections));
    console.error(`  naive ${connections} connections: ${JSON.stringify(naive.at(-1))}`);
  }
  const ratio = ledger.map((l, i) => ({
    connections: l.connections,
    ledger_over_naive: ratioOf(
      l.completed_and_projected_per_s,
      must(naive[i], 'naive figures').completed_and_projected_per_s,
    ),
  }));
  console.log(
    JSON.stringify(
      { benchmark: 'transfers-http', seconds: SECONDS, wallets: WALLETS, ledger, naive, ratio },
      null,
      2,
    ),
  );
  const rows = [...ledger, ...naive];
  console.table(
    rows.map(({ server, connections, ...rest }) => ({ server, connections, ...pick(rest, false) })),
  );
  console.table(
    rows.map(({ server, connections, ...rest }) => ({ server, connections, ...pick(rest, true) })),
  );
  console.table(ratio);
}

async function measureLedger(
  baseUrl: string,
  redisUrl: string,
  connections: number,
): Promise<Figures> {
  const databaseUrl = await createDatabase(baseUrl);
  const jobs = { redisUrl, prefix: `bench-${randomBytes(4).toString('hex')}` };
  try {
    return await withChild(await startService(databaseUrl, jobs), (server) =>
      loadLedger(server, databaseUrl, jobs, connections),
    );
  } finally {
    await dropDatabase(baseUrl, databaseUrl);
  }
}

async function loadLedger(
  server: ChildProcess,
  databaseUrl: string,
  jobs: Jobs,
  connections: number,
): Promise<Figures> {
  const auth = await fundedUser(BASE, WALLETS, { databaseUrl, dataDir: dataDirOf(server) });
  if (PROFILE_DIR) server.kill('SIGWINCH');
  const before = await readMeter(server, METER_DIR, databaseUrl);
  const started = performance.now();
  const load = await runTransferLoad({
    baseUrl: BASE,
    connections,
    seconds: SECONDS,
    wallets: auth.wallets,
    currency: 'EUR',
    headers: { authorization: `Bearer ${auth.token}` },
  });
  const done = await waitForSagas(databaseUrl, load.ok);
  await waitForNotifications(jobs.redisUrl, jobs.prefix);
  const after = await readMeter(server, METER_DIR, databaseUrl);
  if (PROFILE_DIR) await writeProfile(server);
  return {
    server: 'ledger',
    connections,
    accepted: load.ok,
    accepted_per_s: Math.round(load.ok / SECONDS),
    p50_ms: load.p50_ms,
    p99_ms: load.p99_ms,
    non_2xx: load.non_2xx,
    completed: done.completed,
    failed: done.failed,
    completed_and_projected_per_s: Math.round(done.completed / ((done.at - started) / 1000)),
    ...costs(before, after, done.completed),
  };
}

/**
 * The naive server answers only once its transaction committed, so a
 * transfer is complete and readable when its row is there; counting rows
 * includes those answered after autocannon stopped counting, as for the ledger.
 */
async function measureNaive(baseUrl: string, connections: number): Promise<Figures> {
  const databaseUrl = await createDatabase(baseUrl);
  try {
    await createNaiveSchema(databaseUrl);
    const wallets = await seedNaiveWallets(databaseUrl, WALLETS, 'EUR', 100_000_000n);
    const server = await startChild(join(__dirname, 'naive-wallet.server.js'), METER, NAIVE_BASE, {
      PORT: String(NAIVE_PORT),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '16',
      BENCH_METER_DIR: METER_DIR,
    });
    return await withChild(server, () => loadNaive(server, databaseUrl, wallets, connections));
  } finally {
    await dropDatabase(baseUrl, databaseUrl);
  }
}

async function loadNaive(
  server: ChildProcess,
  databaseUrl: string,
  wallets: string[],
  connections: number,
): Promise<Figures> {
  const before = await readMeter(server, METER_DIR, databaseUrl);
  const started = performance.now();
  const load = await runTransferLoad({
    baseUrl: NAIVE_BASE,
    connections,
    seconds: SECONDS,
    wallets,
    currency: 'EUR',
  });
  const elapsed_s = (performance.now() - started) / 1000;
  const completed = await countNaiveTransfers(databaseUrl);
  const after = await readMeter(server, METER_DIR, databaseUrl);
  return {
    server: 'naive',
    connections,
    accepted: load.ok,
    accepted_per_s: Math.round(load.ok / SECONDS),
    p50_ms: load.p50_ms,
    p99_ms: load.p99_ms,
    non_2xx: load.non_2xx,
    completed,
    failed: 0,
    completed_and_projected_per_s: Math.round(completed / elapsed_s),
    ...costs(before, after, completed),
  };
}

/** Runs `fn` with a started child process and stops the child whatever `fn` did. */
async function withChild<T>(child: ChildProcess, fn: (child: ChildProcess) => Promise<T>) {
  try {
    return await fn(child);
  } finally {
    await stop(child);
  }
}

/** Each service's data directory (development secrets), which the operator CLI must share. */
const dataDirs = new WeakMap<ChildProcess, string>();

function dataDirOf(server: ChildProcess): string {
  const dir = dataDirs.get(server);
  if (!dir) throw new Error('Not a service started by this benchmark');
  return dir;
}

/** Where the service's jobs are: its Redis and its own key prefix. */
interface Jobs {
  readonly redisUrl: string;
  readonly prefix: string;
}

async function startService(databaseUrl: string, jobs: Jobs): Promise<ChildProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const nodeArgs = [...METER, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  if (PROFILE_DIR) nodeArgs.push('-r', join(__dirname, 'cpu-profile.preload.js'));
  const server = await startChild(join(__dirname, '../apps/api/src/main.js'), nodeArgs, BASE, {
    PORT: String(PORT),
    DATABASE_URL: databaseUrl,
    REDIS_URL: jobs.redisUrl,
    JOBS_PREFIX: jobs.prefix,
    LEDGER_DATA_DIR: dataDir,
    BENCH_METER_DIR: METER_DIR,
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    // The funding adjustments are one operator's; no second finance user approves them.
    FINANCE_APPROVAL_THRESHOLD_MINOR: '1000000000000',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '16',
  });
  dataDirs.set(server, dataDir);
  return server;
}

/** Stops the service's profiler (the second SIGWINCH) and waits for the file to appear. */
async function writeProfile(service: ChildProcess): Promise<void> {
  const file = join(PROFILE_DIR!, `service-${service.pid}.cpuprofile`);
  service.kill('SIGWINCH');
  for (let polls = 0; polls < 600; polls++) {
    if (existsSync(file)) return console.error(`  cpu profile: ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No CPU profile at ${file} within 60 s`);
}

const costs = (before: MeterReading, after: MeterReading, completed: number) =>
  perTransfer(meterBetween(before, after), completed);

/** The per-transfer costs (`true`) or the rates and latencies (`false`) of a row. */
const pick = (row: Record<string, unknown>, perTransferCosts: boolean) =>
  Object.fromEntries(
    Object.entries(row).filter(([name]) => name.endsWith('_per_transfer') === perTransferCosts),
  );

const ratioOf = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
