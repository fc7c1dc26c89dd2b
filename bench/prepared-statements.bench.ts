import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { migrate, PgDatabase } from '@ledger/database';
import { START, type Position } from '@ledger/event-store';
import {
  findCheckpoint,
  loadCheckpoint,
  lockCheckpoint,
  moveCheckpoint,
  SqlEventStore,
} from '@ledger/event-store/sql';
import { createDatabase, dropDatabase } from './bench-processes';

/**
 * What named prepared statements save per statement: one connection runs
 * the same statements with `preparedStatements` off and on, in alternating
 * rounds, and the bench prints the Postgres backend's CPU and this process's
 * CPU per statement for each round.
 *
 *   DATABASE_URL=postgres://… npm run bench:prepared-statements
 *
 * Two workloads, one statement each from the transfer path's hot list:
 *   checkpoint  a projector's round on its checkpoint: in a transaction the
 *               row's lock and its compare-and-set move, then a read of it
 *               (three parameterised statements, each touching one row)
 *   append      `appendMany` of one request with one event to a new stream
 *               (one `es_append_batch` call, which does far more work)
 *
 *   BENCH_ROUNDS (3 pairs), BENCH_SECONDS (3 per round and workload)
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const TICK_MS = 10;

interface Workload {
  readonly name: string;
  /** Runs one iteration; resolves to the statements it sent with parameters. */
  readonly run: (db: PgDatabase, store: SqlEventStore) => Promise<number>;
}

let position: Position = START;
const CHECKPOINT = 'bench:prepared-statements';

const WORKLOADS: readonly Workload[] = [
  {
    name: 'checkpoint',
    run: async (db) => {
      const from = position;
      const to = { commit: from.commit + 1n, prepare: from.prepare + 1n };
      await db.transaction(async (tx) => {
        await lockCheckpoint(tx, CHECKPOINT, from);
        await moveCheckpoint(tx, CHECKPOINT, from, to, new Date());
      });
      position = to;
      must(await findCheckpoint(db, CHECKPOINT), 'checkpoint');
      return 3;
    },
  },
  {
    name: 'append',
    run: async (_db, store) => {
      const [outcome] = await store.appendMany([
        {
          streamId: `bench-${randomUUID()}`,
          expected: 'no_stream',
          events: [{ id: randomUUID(), type: 'BenchEvent', data: { amount_minor: '100' } }],
        },
      ]);
      if (outcome instanceof Error) throw outcome;
      return 1;
    },
  },
];

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('Set DATABASE_URL (a scratch database is created and dropped)');
  const url = await createDatabase(baseUrl);
  try {
    const setup = new PgDatabase({ connectionString: url, max: 1 });
    await migrate(setup);
    position = (await loadCheckpoint(setup, CHECKPOINT)).position;
    await setup.close();
    const rows: Record<string, string | number>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const prepared of [false, true]) {
        for (const workload of WORKLOADS) {
          rows.push({
            round,
            prepared: String(prepared),
            ...(await measure(url, prepared, workload)),
          });
        }
      }
    }
    console.table(rows);
  } finally {
    await dropDatabase(baseUrl, url);
  }
}

async function measure(
  url: string,
  preparedStatements: boolean,
  workload: Workload,
): Promise<Record<string, string | number>> {
  const db = new PgDatabase({ connectionString: url, max: 1, preparedStatements });
  const store = new SqlEventStore(db);
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = must(rows[0], 'backend pid').pid;
    // Warm up: the connection's first statements, and Postgres's choice of plan.
    for (let i = 0; i < 20; i++) await workload.run(db, store);
    const backendBefore = backendCpuMs(pid);
    const selfBefore = process.cpuUsage();
    const deadline = performance.now() + SECONDS * 1000;
    let statements = 0;
    while (performance.now() < deadline) statements += await workload.run(db, store);
    const self = process.cpuUsage(selfBefore);
    const backendUs = ((backendCpuMs(pid) - backendBefore) * 1000) / statements;
    return {
      workload: workload.name,
      statements,
      backend_us_per_statement: Math.round(backendUs),
      client_us_per_statement: Math.round((self.user + self.system) / statements),
    };
  } finally {
    await db.close();
  }
}

/** The backend's user and system CPU from /proc (Postgres on this machine). */
function backendCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
