import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exportLines,
  signingKeyFromSeed,
  verifyExportFile,
  verifyWithAudit,
  writeCheckpoint,
} from '@ledger/audit';
import { SqlEventStore } from '@ledger/event-store/sql';
import { ProjectionRunner, ReadModelsProjector } from '@ledger/read-models';
import { createPostgresDatabase } from '@ledger/testing';
import { seedSyntheticLog } from '../libs/read-models/src/bench/synthetic.ledger';

/**
 * `npm run bench:audit`: against Postgres (DATABASE_URL), seeds BENCH_EVENTS
 * valid, hash-chained wallet events (default 1,000,000) into a fresh
 * database, signs a checkpoint over them, projects the read models, then
 * measures what an auditor waits for:
 *
 *   verify          `ledger:verify` on the store: every chain, the checkpoint,
 *                   every wallet refolded and compared with the read models
 *   export          `ledger:export` of the whole log to an NDJSON file
 *   offline verify  `ledger:verify --file` of that export, no database
 *
 *   BENCH_EVENTS   events to seed (default 1000000)
 *   BENCH_WALLETS  wallets they spread over (default events / 40)
 */
const SEED_CHUNK = 10_000;

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('bench:audit needs DATABASE_URL (a Postgres server)');
  const events = positiveInt('BENCH_EVENTS', 1_000_000);
  const wallets = positiveInt('BENCH_WALLETS', Math.max(1, Math.floor(events / 40)));
  const t = await createPostgresDatabase(url, { poolSize: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-bench-'));
  try {
    const key = signingKeyFromSeed(randomBytes(32));
    const store = new SqlEventStore(t.db);
    const seed_ms = await timed(() =>
      seedSyntheticLog(t.db, { events, wallets, chunk: SEED_CHUNK, hashChain: true }),
    );
    await t.db.exec('VACUUM ANALYZE');
    const checkpoint_ms = await timed(() => writeCheckpoint(t.db, store, key));
    const runner = new ProjectionRunner(t.db, store, new ReadModelsProjector(), {
      batchSize: 2_000,
    });
    let applied = 0;
    const project_ms = await timed(async () => {
      for (let pass = 0; applied < events && pass < 1_000; pass++)
        applied += await runner.catchUp();
    });
    let verify_clean = false;
    const verify_ms = await timed(async () => {
      verify_clean = (await verifyWithAudit(t.db, store, key.publicKey)).clean;
    });
    const file = join(dir, 'export.ndjson');
    const export_ms = await timed(async () => {
      const out = createWriteStream(file, { flags: 'wx' });
      for await (const chunk of exportLines(t.db, store, key))
        if (!out.write(chunk)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
    });
    const export_bytes = statSync(file).size;
    let offline_clean = false;
    const offline_verify_ms = await timed(async () => {
      offline_clean = (await verifyExportFile(file, key.publicKeyBase64)).clean;
    });
    const rate = (ms: number) => Math.round((events / Math.max(ms, 1)) * 1000);
    const figures = {
      events,
      wallets,
      seed_ms,
      checkpoint_ms,
      project_ms,
      verify_ms,
      verify_events_per_s: rate(verify_ms),
      verify_clean,
      export_ms,
      export_events_per_s: rate(export_ms),
      export_mb: Math.round(export_bytes / 1e6),
      offline_verify_ms,
      offline_verify_events_per_s: rate(offline_verify_ms),
      offline_clean,
      rss_mb: Math.round(process.memoryUsage().rss / 1e6),
    };
    console.log(JSON.stringify(figures));
    console.table(figures);
    if (!verify_clean || !offline_clean) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.drop();
  }
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
