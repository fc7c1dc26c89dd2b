/**
 * `npm run bench:projections`: against Postgres (DATABASE_URL), seeds
 * BENCH_EVENTS valid wallet events (default 200,000) into a fresh database,
 * then measures what an operator waits for: projection catch-up from zero,
 * a full rebuild with swap, and a full verify. Nothing is extrapolated: for
 * the 1M verify figure, run with BENCH_EVENTS=1000000.
 *
 *   BENCH_EVENTS     events to seed (default 200000)
 *   BENCH_WALLETS    wallets they spread over (default events / 40)
 *   BENCH_BATCH      projector batch size (default 2000)
 *   BENCH_KEEP=1     keep the database (its URL is printed)
 */
import { SqlEventStore } from '@ledger/event-store/sql';
import { createPostgresDatabase, type TestDatabase } from '@ledger/testing';
import { ProjectionRunner } from '../projector';
import { ReadModelsProjector } from '../read-models.projector';
import { rebuildReadModels } from '../rebuild/read-models.rebuild';
import { verifyLedger } from '../verify/ledger-verifier';
import { seedSyntheticLog } from './synthetic.ledger';

const SEED_CHUNK = 10_000;

interface Figures {
  events: number;
  wallets: number;
  batch_size: number;
  seed_ms: number;
  catch_up_ms: number;
  catch_up_events_per_s: number;
  rebuild_ms: number;
  rebuild_events_per_s: number;
  verify_ms: number;
  verify_events_per_s: number;
  verify_clean: boolean;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('bench:projections needs DATABASE_URL (a Postgres server)');
  const events = positiveInt('BENCH_EVENTS', 200_000);
  const wallets = positiveInt('BENCH_WALLETS', Math.max(1, Math.floor(events / 40)));
  const batchSize = positiveInt('BENCH_BATCH', 2_000);
  const t = await createPostgresDatabase(url, { poolSize: 4 });
  try {
    const figures = await measure(t, events, wallets, batchSize);
    console.log(JSON.stringify(figures));
    console.table(figures);
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${t.url}`);
    if (!figures.verify_clean) process.exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP !== '1') await t.drop();
    else await t.db.close();
  }
}

async function measure(
  t: TestDatabase,
  events: number,
  wallets: number,
  batchSize: number,
): Promise<Figures> {
  const seed_ms = await timed(() =>
    seedSyntheticLog(t.db, { events, wallets, chunk: SEED_CHUNK, hashChain: true }),
  );
  await t.db.exec('VACUUM ANALYZE');
  const store = new SqlEventStore(t.db);
  const runner = new ProjectionRunner(t.db, store, new ReadModelsProjector(), { batchSize });
  let applied = 0;
  // Another session's open transaction on the server can hide the newest
  // events for a moment (SqlEventStore.readAll), so catch up until all are in.
  const catch_up_ms = await timed(async () => {
    for (let pass = 0; applied < events && pass < 1_000; pass++) applied += await runner.catchUp();
  });
  if (applied !== events) throw new Error(`Projected ${applied} events, seeded ${events}`);
  const rebuild_ms = await timed(() => rebuildReadModels(t.db, store, { batchSize }));
  let verify_clean = false;
  const verify_ms = await timed(
    async () => void (verify_clean = (await verifyLedger(t.db, store)).clean),
  );
  const rate = (ms: number) => Math.round((events / ms) * 1000);
  return {
    events,
    wallets,
    batch_size: batchSize,
    seed_ms,
    catch_up_ms,
    catch_up_events_per_s: rate(catch_up_ms),
    rebuild_ms,
    rebuild_events_per_s: rate(rebuild_ms),
    verify_ms,
    verify_events_per_s: rate(verify_ms),
    verify_clean,
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number((process.hrtime.bigint() - started) / 1_000_000n);
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
