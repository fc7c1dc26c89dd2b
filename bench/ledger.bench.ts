import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { SqlEventStore } from '@ledger/event-store/sql';
import {
  AppendBatcher,
  CommandProcessor,
  deriveId,
  StateCache,
  walletAggregate,
  walletStream,
  type Wallet,
  type WalletCommand,
} from '@ledger/ledger';
import { readStateCacheOptions } from '@ledger/ledger/nest';
import { createPostgresDatabase, type TestDatabase } from '@ledger/testing';

/**
 * `npm run bench:ledger`: command throughput of the ledger's write path
 * against a real Postgres (DATABASE_URL), through the same command processor
 * and group commit the API uses. Each scenario runs RUNS times for
 * BENCH_SECONDS; the figures reported are medians.
 *
 *   distinct wallets: each client moves money on its own wallet
 *   hot wallet:       every client moves money on one wallet
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = [1, 8, 32];

interface Figures {
  scenario: string;
  clients: number;
  entries_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      'DATABASE_URL must point at a Postgres server (e.g. postgres://postgres@127.0.0.1:5432/test)',
    );
  const results: Figures[] = [];
  for (const scenario of ['distinct', 'hot'] as const) {
    for (const clients of CLIENTS) {
      const runs: Figures[] = [];
      for (let run = 0; run < RUNS; run++) runs.push(await measure(url, scenario, clients));
      results.push(median(runs));
      console.error(`  ${scenario} x${clients}: ${results.at(-1)?.entries_per_s ?? 0} entries/s`);
    }
  }
  console.log(
    JSON.stringify(
      { benchmark: 'ledger-commands', runs: RUNS, seconds: SECONDS, results },
      null,
      2,
    ),
  );
  console.table(results);
}

async function measure(
  url: string,
  scenario: 'distinct' | 'hot',
  clients: number,
): Promise<Figures> {
  const database: TestDatabase = await createPostgresDatabase(url, { poolSize: 8 });
  try {
    const store = new SqlEventStore(database.db);
    const processor = new CommandProcessor(
      walletAggregate,
      store,
      new AppendBatcher(store, batcherOptions()),
      { cache: new StateCache<Wallet>(readStateCacheOptions(process.env)) },
    );
    const walletIds = Array.from({ length: scenario === 'hot' ? 1 : clients }, (_, i) =>
      deriveId('bench-wallet', String(i)),
    );
    for (const walletId of walletIds) await open(processor, walletId);
    const latencies: number[] = [];
    let entries = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const walletId = walletIds[scenario === 'hot' ? 0 : client];
        if (walletId === undefined) throw new Error(`No wallet for client ${client}`);
        for (let n = 0; performance.now() < deadline; n++) {
          const t0 = performance.now();
          const outcome = await processor.execute(walletStream(walletId), credit(`${client}-${n}`));
          latencies.push(performance.now() - t0);
          if (!outcome.ok) throw new Error(`Command refused: ${outcome.rejection}`);
          entries++;
        }
      }),
    );
    const elapsed_s = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      scenario: scenario === 'hot' ? 'hot wallet' : 'distinct wallets',
      clients,
      entries_per_s: Math.round(entries / elapsed_s),
      p50_ms: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0),
      p99_ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
    };
  } finally {
    await database.drop();
  }
}

async function open(processor: CommandProcessor<any, WalletCommand, any, any>, walletId: string) {
  const at = new Date().toISOString();
  await processor.execute(walletStream(walletId), {
    type: 'OpenWallet',
    commandId: `open-${walletId}`,
    at,
    walletId,
    ownerId: 'bench',
    currency: 'USD',
  });
}

function credit(id: string): WalletCommand {
  return {
    type: 'Credit',
    commandId: deriveId('bench', id),
    entryId: deriveId('bench-entry', id),
    at: new Date().toISOString(),
    amountMinor: 100n,
    currency: 'USD',
    contra: 'system:card_clearing',
    kind: 'top_up',
  };
}

function median(runs: Figures[]): Figures {
  const sorted = [...runs].sort((a, b) => a.entries_per_s - b.entries_per_s);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('No runs measured');
  return middle;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/** BENCH_IN_FLIGHT overrides the group commit's concurrency, for tuning. */
function batcherOptions() {
  const inFlight = process.env.BENCH_IN_FLIGHT;
  return inFlight ? { maxInFlight: Number(inFlight) } : {};
}
