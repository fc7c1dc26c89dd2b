/* eslint-disable max-lines -- one benchmark run end to end: both shapes, the naive server, the
   meters and the report, in the order a run takes them. */
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
import { meterBetween, perTransfer, readMeter, type Meter, type MeterReading } from './load-meter';
import { runTransferLoad } from './transfer-load';
import { countNaiveTransfers, waitForNotifications, waitForSagas } from './transfer-outcomes';

/**
 * `npm run bench:transfers`: P2P transfers over HTTP against the service on
 * Postgres (DATABASE_URL) with jobs on Redis (REDIS_URL), in two shapes: API
 * and worker in one process (`LEDGER_ROLE=all`), and apart, as
 * docker-compose runs them (`LEDGER_ROLE=api` and `worker`, each process
 * with its own pool). autocannon posts transfers between the wallets of one
 * funded user, each with its own Idempotency-Key; then the bench waits until
 * the saga of every transfer the service took is terminal and the read
 * models have applied its last event.
 *
 * In the same run, on the same Postgres server (its own database), the same
 * load drives the naive CRUD wallet of naive-wallet.server.ts, and the bench
 * prints the ratio of each shape's completed rate to the naive one.
 *
 *   accepted/s                 2xx answers per second during the load
 *   completed-and-projected/s  ledger: sagas finished and projected, per
 *                              second from the start of the load to the last
 *                              one; naive: committed transfers per second
 *
 *   BENCH_SECONDS (10), BENCH_CONNECTIONS (32,128), BENCH_WALLETS (200),
 *   BENCH_SHAPES (one,split: the shapes to run, in that order),
 *   BENCH_PORT (3917; the worker's health port is BENCH_PORT + 1 and the
 *   naive server listens on BENCH_PORT + 10),
 *   BENCH_NODE_ARGS (extra node flags for the service),
 *   BENCH_PROFILE_DIR (write a CPU profile of each service process during each load)
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '32,128').split(',').map(Number);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const WORKER_PORT = PORT + 1;
const NAIVE_PORT = PORT + 10;
const BASE = `http://127.0.0.1:${PORT}`;
const WORKER_BASE = `http://127.0.0.1:${WORKER_PORT}`;
const NAIVE_BASE = `http://127.0.0.1:${NAIVE_PORT}`;
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Where the servers' meters (meter.preload.ts) write their readings. */
const METER_DIR = mkdtempSync(join(tmpdir(), 'bench-meter-'));
const METER = ['-r', join(__dirname, 'meter.preload.js')];

/** How the ledger runs: API and worker in one process, or apart as in production. */
type Shape = 'one process' | 'api + worker';
const SHAPE_NAMES: Record<string, Shape> = { one: 'one process', split: 'api + worker' };
const SHAPES = (process.env.BENCH_SHAPES ?? 'one,split').split(',').map((name) => {
  const shape = SHAPE_NAMES[name.trim()];
  if (!shape) throw new Error(`BENCH_SHAPES: "${name}" is neither one nor split`);
  return shape;
});

interface Figures {
  server: 'ledger' | 'naive';
  /** The ledger's shape; empty for the naive server. */
  shape: Shape | '';
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
    for (const shape of SHAPES) {
      ledger.push(await measureLedger(baseUrl, redisUrl, shape, connections));
      console.error(
        `  ledger (${shape}) ${connections} connections: ${JSON.stringify(ledger.at(-1))}`,
      );
    }
    naive.push(await measureNaive(baseUrl, connections));
    console.error(`  naive ${connections} connections: ${JSON.stringify(naive.at(-1))}`);
  }
  const ratio = ledger.map((l) => ({
    connections: l.connections,
    shape: l.shape,
    ledger_over_naive: ratioOf(
      l.completed_and_projected_per_s,
      must(
        naive.find((n) => n.connections === l.connections),
        'naive figures',
      ).completed_and_projected_per_s,
    ),
  }));
  console.log(
    JSON.stringify(
      {
        benchmark: 'transfers-http',
        seconds: SECONDS,
        wallets: WALLETS,
        shapes: SHAPES,
        ledger,
        naive,
        ratio,
      },
      null,
      2,
    ),
  );
  const rows = [...ledger, ...naive];
  const table = (perTransferCosts: boolean) =>
    console.table(
      rows.map(({ server, shape, connections, ...rest }) => ({
        server,
        shape,
        connections,
        ...pick(rest, perTransferCosts),
      })),
    );
  table(false);
  table(true);
  console.table(ratio);
}

async function measureLedger(
  baseUrl: string,
  redisUrl: string,
  shape: Shape,
  connections: number,
): Promise<Figures> {
  const databaseUrl = await createDatabase(baseUrl);
  const jobs = { redisUrl, prefix: `bench-${randomBytes(4).toString('hex')}` };
  try {
    const service = await startService(databaseUrl, jobs, shape);
    try {
      return await loadLedger(service, databaseUrl, jobs, connections);
    } finally {
      // The API first, so that nothing new reaches the worker while it stops.
      for (const { child } of service.processes) await stop(child);
    }
  } finally {
    await dropDatabase(baseUrl, databaseUrl);
  }
}

async function loadLedger(
  service: Service,
  databaseUrl: string,
  jobs: Jobs,
  connections: number,
): Promise<Figures> {
  const auth = await fundedUser(BASE, WALLETS, { databaseUrl, dataDir: service.dataDir });
  // The funding's projection and jobs are not the load's: let them finish first.
  await waitForSagas(databaseUrl, 0);
  await waitForNotifications(jobs.redisUrl, jobs.prefix);
  const children = service.processes.map(({ child }) => child);
  if (PROFILE_DIR) for (const child of children) child.kill('SIGWINCH');
  const before = await readMeter(children, METER_DIR, databaseUrl);
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
  const after = await readMeter(children, METER_DIR, databaseUrl);
  if (PROFILE_DIR)
    await Promise.all(service.processes.map(({ name, child }) => writeProfile(name, child)));
  const meter = meterBetween(before, after);
  return {
    server: 'ledger',
    shape: service.shape,
    connections,
    accepted: load.ok,
    accepted_per_s: Math.round(load.ok / SECONDS),
    p50_ms: load.p50_ms,
    p99_ms: load.p99_ms,
    non_2xx: load.non_2xx,
    completed: done.completed,
    failed: done.failed,
    completed_and_projected_per_s: Math.round(done.completed / ((done.at - started) / 1000)),
    ...perTransfer(meter, done.completed),
    ...(service.shape === 'api + worker' && processCosts(meter, done.completed)),
  };
}

/** Apart, what each process spent: which of them sets the rate. */
function processCosts(meter: Meter, completed: number): Record<string, number | null> {
  const [api = 0, worker = 0] = meter.server_cpu_ms_by_process;
  const per = (ms: number) => (completed === 0 ? null : Math.round((ms / completed) * 100) / 100);
  return {
    api_cpu_ms_per_transfer: per(api),
    worker_cpu_ms_per_transfer: per(worker),
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
    try {
      return await loadNaive(server, databaseUrl, wallets, connections);
    } finally {
      await stop(server);
    }
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
  const before = await readMeter([server], METER_DIR, databaseUrl);
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
  const after = await readMeter([server], METER_DIR, databaseUrl);
  return {
    server: 'naive',
    shape: '',
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

/** Where the service's jobs are: its Redis and its own key prefix. */
interface Jobs {
  readonly redisUrl: string;
  readonly prefix: string;
}

/**
 * The service's processes, the API first, each with the name of its profile
 * and meter rows, and the data directory (development secrets) they share
 * with the operator CLI.
 */
interface Service {
  readonly shape: Shape;
  readonly processes: readonly {
    readonly name: 'service' | 'api' | 'worker';
    readonly child: ChildProcess;
  }[];
  readonly dataDir: string;
}

async function startService(databaseUrl: string, jobs: Jobs, shape: Shape): Promise<Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const nodeArgs = [...METER, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  if (PROFILE_DIR) nodeArgs.push('-r', join(__dirname, 'cpu-profile.preload.js'));
  const env = {
    PORT: String(PORT),
    WORKER_HTTP_PORT: String(WORKER_PORT),
    DATABASE_URL: databaseUrl,
    REDIS_URL: jobs.redisUrl,
    JOBS_PREFIX: jobs.prefix,
    LEDGER_DATA_DIR: dataDir,
    BENCH_METER_DIR: METER_DIR,
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    // The funding adjustments are one operator's; no second finance user approves them.
    FINANCE_APPROVAL_THRESHOLD_MINOR: '1000000000000',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '16',
  };
  const apiMain = join(__dirname, '../apps/api/src/main.js');
  if (shape === 'one process') {
    const service = await startChild(apiMain, nodeArgs, BASE, {
      ...env,
      LEDGER_ROLE: 'all',
      BENCH_PROFILE_NAME: 'service',
    });
    return { shape, processes: [{ name: 'service', child: service }], dataDir };
  }
  // The API first: it migrates the database and writes the development secrets the worker reads.
  const api = await startChild(apiMain, nodeArgs, BASE, {
    ...env,
    LEDGER_ROLE: 'api',
    BENCH_PROFILE_NAME: 'api',
  });
  try {
    const worker = await startChild(
      join(__dirname, '../apps/worker/src/main.js'),
      nodeArgs,
      WORKER_BASE,
      { ...env, LEDGER_ROLE: 'worker', BENCH_PROFILE_NAME: 'worker' },
      '/health/live',
    );
    return {
      shape,
      processes: [
        { name: 'api', child: api },
        { name: 'worker', child: worker },
      ],
      dataDir,
    };
  } catch (error) {
    await stop(api);
    throw error;
  }
}

/** Stops a service process's profiler (the second SIGWINCH) and waits for its file to appear. */
async function writeProfile(name: string, service: ChildProcess): Promise<void> {
  const file = join(PROFILE_DIR!, `${name}-${service.pid}.cpuprofile`);
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
