import { must } from '@ledger/invariant';
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { PgDatabase } from '@ledger/database';
import { SqlEventStore } from '@ledger/event-store/sql';
import {
  AppendBatcher,
  CommandProcessor,
  StateCache,
  deriveId,
  walletAggregate,
  walletStream,
  type Wallet,
  type WalletCommand,
} from '@ledger/ledger';
import { readStateCacheOptions } from '@ledger/ledger/nest';
import { ProjectionRunner, ReadModelsProjector, verifyLedger } from '@ledger/read-models';
import { createPostgresDatabase } from '@ledger/testing';
import { insertEvents, SyntheticLedger } from '../libs/read-models/src/bench/synthetic.ledger';

/**
 * `npm run bench:scale`: the ledger at a million wallets, against Postgres
 * (DATABASE_URL). Seeds BENCH_WALLETS wallets and BENCH_EVENTS valid wallet
 * events straight into the event store's tables (not through HTTP), then
 * measures, each phase in a process of its own so each peak RSS is that
 * phase's alone:
 *
 *   commands   BENCH_CLIENTS clients crediting wallets picked at random from
 *              BENCH_SAMPLE seeded ones for BENCH_SECONDS, through the
 *              command processor and state cache the API uses, so most
 *              commands find their wallet not cached; then projection
 *              catch-up from zero over the whole log, in the same process,
 *              as the API and worker share one process
 *   verify     `ledger:verify`'s check of the whole log against the read models
 *
 *   BENCH_WALLETS (1,000,000), BENCH_EVENTS (10,000,000), BENCH_CLIENTS (32),
 *   BENCH_SECONDS (10), BENCH_SAMPLE (100,000), BENCH_BATCH (2000),
 *   LEDGER_STATE_CACHE_ENTRIES / LEDGER_STATE_CACHE_COMMAND_IDS as for the API
 */
const SEED_CHUNK = 10_000;
const MAX_CATCH_UP_PASSES = 10_000;
const MAX_PHASE_OUTPUT = 64 * 1024;
const PHASES: readonly string[] = ['seed', 'commands', 'verify'];

type Phase = 'seed' | 'commands' | 'verify';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('bench:scale needs DATABASE_URL (a Postgres server)');
  const wallets = positiveInt('BENCH_WALLETS', 1_000_000);
  const events = positiveInt('BENCH_EVENTS', 10_000_000);
  if (events < wallets) throw new Error('BENCH_EVENTS must be at least BENCH_WALLETS');
  const database = await createPostgresDatabase(url, { poolSize: 1 });
  try {
    const seed = await phase('seed', database.url!);
    console.error(`  seed: ${JSON.stringify(seed)}`);
    const commands = await phase('commands', database.url!);
    console.error(`  commands: ${JSON.stringify(commands)}`);
    const verify = await phase('verify', database.url!);
    console.error(`  verify: ${JSON.stringify(verify)}`);
    const figures = { benchmark: 'ledger-scale', wallets, events, seed, commands, verify };
    console.log(JSON.stringify(figures, null, 2));
    console.table({ seed, commands, verify });
    if (verify.verify_clean !== true) process.exitCode = 1;
  } finally {
    await database.drop();
  }
}

/** Runs one phase in a child process of this script and returns the figures it printed. */
async function phase(name: Phase, url: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [__filename, name, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    // One line of figures is all a phase prints; more is a runaway, not data.
    if (stdout.length < MAX_PHASE_OUTPUT) stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`The ${name} phase failed (exit ${code})`);
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

async function runPhase(name: Phase, url: string): Promise<Record<string, unknown>> {
  const db = new PgDatabase({
    connectionString: url,
    max: positiveInt('DATABASE_POOL_SIZE', 16),
  });
  try {
    const figures =
      name === 'seed'
        ? await seed(db)
        : name === 'commands'
          ? await commands(db)
          : await verify(db);
    return { ...figures, peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    await db.close();
  }
}

async function seed(db: PgDatabase) {
  const wallets = positiveInt('BENCH_WALLETS', 1_000_000);
  const events = positiveInt('BENCH_EVENTS', 10_000_000);
  const ledger = new SyntheticLedger(wallets);
  const seed_ms = await timed(async () => {
    for (let done = 0; done < events; done += SEED_CHUNK) {
      await insertEvents(db, ledger.take(Math.min(SEED_CHUNK, events - done)));
    }
  });
  const vacuum_ms = await timed(() => db.exec('VACUUM ANALYZE'));
  return { seed_ms, seed_events_per_s: rate(events, seed_ms), vacuum_ms };
}

async function commands(db: PgDatabase) {
  const clients = positiveInt('BENCH_CLIENTS', 32);
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const { rows } = await db.query<{ id: string }>(
    `SELECT substr(stream_id, 8) AS id FROM streams WHERE stream_id LIKE 'wallet-%'
      ORDER BY random() LIMIT $1`,
    [positiveInt('BENCH_SAMPLE', 100_000)],
  );
  const walletIds = rows.map((r) => r.id);
  const store = new SqlEventStore(db);
  const cache = new StateCache<Wallet>(readStateCacheOptions(process.env));
  const processor = new CommandProcessor(walletAggregate, store, new AppendBatcher(store), {
    cache,
  });
  const latencies: number[] = [];
  const touched = new Set<string>();
  // Round trips of the command path: every statement the store sends goes through db.query.
  let queries = 0;
  const query = db.query.bind(db);
  db.query = (sql: string, params?: readonly unknown[]) => {
    queries++;
    return query(sql, params);
  };
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const walletId = must(walletIds[Math.floor(Math.random() * walletIds.length)], 'wallet');
        touched.add(walletId);
        const t0 = performance.now();
        const outcome = await processor.execute(walletStream(walletId), credit(`${client}-${n}`));
        latencies.push(performance.now() - t0);
        if (!outcome.ok) throw new Error(`Command refused: ${outcome.rejection}`);
      }
    }),
  );
  const elapsed_ms = performance.now() - started;
  db.query = query;
  latencies.sort((a, b) => a - b);
  const command_figures = {
    clients,
    entries_per_s: rate(latencies.length, elapsed_ms),
    p50_ms: round(must(latencies[Math.floor(latencies.length * 0.5)], 'latency')),
    p99_ms: round(must(latencies[Math.floor(latencies.length * 0.99)], 'latency')),
    queries_per_command: round(queries / latencies.length),
    distinct_wallets: touched.size,
    cached_wallets: cache.size,
    cache_evictions: cache.evictions,
  };
  return { ...command_figures, ...(await catchUp(db, store)) };
}

/** Projection from position zero over the whole log, until the head as it was at the start. */
async function catchUp(db: PgDatabase, store: SqlEventStore) {
  const runner = new ProjectionRunner(db, store, new ReadModelsProjector(), {
    batchSize: positiveInt('BENCH_BATCH', 2_000),
  });
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM events');
  const total = Number(must(rows[0], 'count row').n);
  let applied = 0;
  // Another session's open transaction can hide the newest events for a
  // moment (SqlEventStore.readAll), so catch up until all are in.
  const catch_up_ms = await timed(async () => {
    for (let pass = 0; applied < total && pass < MAX_CATCH_UP_PASSES; pass++)
      applied += await runner.catchUp();
  });
  if (applied !== total) throw new Error(`Projected ${applied} events of ${total}`);
  return { catch_up_events: total, catch_up_ms, catch_up_events_per_s: rate(total, catch_up_ms) };
}

async function verify(db: PgDatabase) {
  let verify_clean = false;
  const verify_ms = await timed(
    async () => void (verify_clean = (await verifyLedger(db, new SqlEventStore(db))).clean),
  );
  return { verify_ms, verify_clean };
}

function credit(id: string): WalletCommand {
  return {
    type: 'Credit',
    commandId: deriveId('scale-bench', id),
    entryId: deriveId('scale-bench-entry', id),
    at: new Date().toISOString(),
    amountMinor: 100n,
    currency: 'USD',
    contra: 'system:card_clearing',
    kind: 'top_up',
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return Math.round(performance.now() - started);
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
const round = (ms: number) => Math.round(ms * 100) / 100;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const [, , phaseArg, urlArg] = process.argv;
if (phaseArg !== undefined && (!PHASES.includes(phaseArg) || !urlArg))
  throw new Error(`usage: scale.bench.js [${PHASES.join('|')} <database url>]`);
const run =
  phaseArg === undefined
    ? main()
    : runPhase(phaseArg as Phase, must(urlArg, 'database url')).then((figures) =>
        console.log(JSON.stringify(figures)),
      );
run.catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
