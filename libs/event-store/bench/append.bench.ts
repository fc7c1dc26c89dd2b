/**
 * Append throughput of SqlEventStore against a real Postgres:
 *   DATABASE_URL=postgres://… npm run bench:append
 * Concurrent callers each own their streams and append one event per request
 * with the exact expected revision, through `append()`, through
 * `appendMany()` batches and through `appendGroups()` calls of groups of
 * three streams. Prints appends per second and call latency.
 * Tunables: BENCH_CALLERS (32), BENCH_POOL (16), BENCH_SECONDS (5).
 */
import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { createPostgresDatabase } from '@ledger/testing';
import { SqlEventStore } from '@ledger/event-store/sql';
import type { AppendRequest, AppendResult, EventStore } from '@ledger/event-store';

const callers = intFromEnv('BENCH_CALLERS', 32);
const poolSize = intFromEnv('BENCH_POOL', 16);
const seconds = intFromEnv('BENCH_SECONDS', 5);

interface Scenario {
  readonly name: string;
  /** Requests per call; 0 means `append()` instead of `appendMany()`. */
  readonly batch: number;
  /** Requests per group: the call is `appendGroups()` of `batch / group` groups. */
  readonly group?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'append()', batch: 0 },
  { name: 'appendMany() x1', batch: 1 },
  { name: 'appendMany() x16', batch: 16 },
  { name: 'appendMany() x64', batch: 64 },
  { name: 'appendGroups() 1x3', batch: 3, group: 3 },
  { name: 'appendGroups() 16x3', batch: 48, group: 3 },
];

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl)
    throw new Error(
      'Set DATABASE_URL to a Postgres server (a scratch database is created and dropped)',
    );
  const database = await createPostgresDatabase(baseUrl, { poolSize });
  const store = new SqlEventStore(database.db);
  try {
    console.log(`${callers} callers, pool ${poolSize}, ${seconds} s per scenario`);
    for (const scenario of SCENARIOS) await run(store, scenario);
  } finally {
    await database.drop();
  }
}

async function run(store: EventStore, scenario: Scenario): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  const latenciesMs: number[] = [];
  let appends = 0;
  const caller = async (callerIndex: number) => {
    const slots = Math.max(1, scenario.batch);
    const streams = Array.from(
      { length: slots },
      (_, i) => `bench-${randomUUID()}-${callerIndex}-${i}`,
    );
    const revisions = new Array<bigint | 'no_stream'>(slots).fill('no_stream');
    while (Date.now() < deadline) {
      const requests: AppendRequest[] = streams.map((streamId, i) => ({
        streamId,
        expected: must(revisions[i], 'revision'),
        events: [
          {
            id: randomUUID(),
            type: 'BenchEvent',
            data: { amount_minor: '100', caller: callerIndex },
          },
        ],
      }));
      const [single] = requests;
      const started = performance.now();
      const outcomes =
        scenario.batch === 0 && single
          ? [await store.append(single.streamId, single.events, single.expected)]
          : scenario.group
            ? await appendInGroups(store, requests, scenario.group)
            : await store.appendMany(requests);
      latenciesMs.push(performance.now() - started);
      outcomes.forEach((outcome, i) => {
        if (outcome instanceof Error) throw outcome;
        revisions[i] = outcome.nextRevision;
      });
      appends += outcomes.length;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: callers }, (_, i) => caller(i)));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latenciesMs.sort((a, b) => a - b);
  const pct = (p: number) =>
    must(
      latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))],
      'latency',
    ).toFixed(1);
  console.log(
    `${scenario.name.padEnd(18)} ${Math.round(appends / elapsedSeconds)
      .toString()
      .padStart(7)} appends/s ` + `(1 event each)  call p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms`,
  );
}

/** The requests in groups of `size`, each group's results in request order again. */
async function appendInGroups(
  store: EventStore,
  requests: readonly AppendRequest[],
  size: number,
): Promise<Array<AppendResult | Error>> {
  const appendGroups = must(store.appendGroups, 'appendGroups').bind(store);
  const groups = Array.from({ length: Math.ceil(requests.length / size) }, (_, i) =>
    requests.slice(i * size, (i + 1) * size),
  );
  const outcomes = await appendGroups(groups);
  return outcomes.flatMap((outcome, i): Array<AppendResult | Error> =>
    Array.isArray(outcome) ? outcome : must(groups[i], 'group').map(() => outcome),
  );
}

function intFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${name} must be a positive integer`);
  return parsed;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
