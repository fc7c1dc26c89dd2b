import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * What a load cost, per completed transfer, measured from outside the
 * server: its own CPU time and round trips (from meter.preload.ts) and the
 * CPU time of the Postgres backends serving its database (from /proc, so
 * only when Postgres runs on this machine). These are the figures to
 * compare before and after a change on a shared machine: unlike rates,
 * they hardly move when other work takes the cores.
 */
export interface Meter {
  /** All the server's processes together. */
  readonly server_cpu_ms: number;
  /** Each process's share, in the order their meters were read. */
  readonly server_cpu_ms_by_process: readonly number[];
  readonly postgres_cpu_ms: number | null;
  readonly pg_queries: number;
  readonly redis_commands: number;
  /** The benchmark process itself (the load generator), to show it was not the bottleneck. */
  readonly load_generator_cpu_ms: number;
}

/** What one server process's meter (meter.preload.ts) wrote. */
interface ProcessReading {
  cpu_ms: number;
  pg_queries: number;
  redis_commands: number;
  queries_by_text?: Record<string, number>;
}

export interface MeterReading {
  /** The server's processes together (the API and the worker, when they run apart). */
  readonly server: ProcessReading;
  /** Each process's own CPU milliseconds, in the order they were read. */
  readonly cpu_ms_by_process: readonly number[];
  readonly backends: Map<number, number> | null;
  readonly self_cpu_ms: number;
}

const TICK_MS = 10; // Linux's USER_HZ is 100 on every supported architecture

/**
 * Reads the meters of the server's processes (SIGURG, then their files), summed,
 * and the CPU of the database's backends, which all of them share.
 */
export async function readMeter(
  servers: readonly ChildProcess[],
  dir: string,
  databaseUrl: string,
): Promise<MeterReading> {
  const readings = await Promise.all(servers.map((server) => readProcessMeter(server, dir)));
  const { user, system } = process.cpuUsage();
  return {
    server: readings.reduce(sumReadings),
    cpu_ms_by_process: readings.map((reading) => reading.cpu_ms),
    backends: await backendsCpu(databaseUrl),
    self_cpu_ms: (user + system) / 1000,
  };
}

async function readProcessMeter(server: ChildProcess, dir: string): Promise<ProcessReading> {
  const file = join(dir, `meter-${server.pid}.json`);
  rmSync(file, { force: true });
  server.kill('SIGURG');
  for (let polls = 0; !existsSync(file); polls++) {
    if (polls > 200) throw new Error(`No meter at ${file} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ProcessReading;
}

function sumReadings(a: ProcessReading, b: ProcessReading): ProcessReading {
  const sum = {
    cpu_ms: a.cpu_ms + b.cpu_ms,
    pg_queries: a.pg_queries + b.pg_queries,
    redis_commands: a.redis_commands + b.redis_commands,
  };
  if (!a.queries_by_text && !b.queries_by_text) return sum;
  const byText = { ...a.queries_by_text };
  for (const [query, n] of Object.entries(b.queries_by_text ?? {}))
    byText[query] = (byText[query] ?? 0) + n;
  return { ...sum, queries_by_text: byText };
}

/** The difference between two readings; a backend that started in between counts from zero. */
export function meterBetween(before: MeterReading, after: MeterReading): Meter {
  if (after.server.queries_by_text) printQueries(before, after);
  let postgres: number | null = null;
  if (before.backends && after.backends) {
    postgres = 0;
    for (const [pid, ms] of after.backends) postgres += ms - (before.backends.get(pid) ?? 0);
  }
  return {
    server_cpu_ms: Math.round(after.server.cpu_ms - before.server.cpu_ms),
    server_cpu_ms_by_process: after.cpu_ms_by_process.map((ms, i) =>
      Math.round(ms - (before.cpu_ms_by_process[i] ?? 0)),
    ),
    postgres_cpu_ms: postgres,
    pg_queries: after.server.pg_queries - before.server.pg_queries,
    redis_commands: after.server.redis_commands - before.server.redis_commands,
    load_generator_cpu_ms: Math.round(after.self_cpu_ms - before.self_cpu_ms),
  };
}

/** A meter divided by the transfers completed under it, to two decimals. */
export function perTransfer(meter: Meter, completed: number): Record<string, number | null> {
  const per = (value: number | null) =>
    value === null || completed === 0 ? null : Math.round((value / completed) * 100) / 100;
  return {
    server_cpu_ms_per_transfer: per(meter.server_cpu_ms),
    postgres_cpu_ms_per_transfer: per(meter.postgres_cpu_ms),
    pg_round_trips_per_transfer: per(meter.pg_queries),
    redis_commands_per_transfer: per(meter.redis_commands),
    load_generator_cpu_ms_per_transfer: per(meter.load_generator_cpu_ms),
  };
}

/** CPU milliseconds of each backend connected to the database, or null without /proc access to them. */
async function backendsCpu(databaseUrl: string): Promise<Map<number, number> | null> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms === undefined) return null;
      cpu.set(pid, ms);
    }
    return cpu;
  } finally {
    await client.end();
  }
}

function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** The queries sent between two readings, most frequent first, on stderr. */
function printQueries(before: MeterReading, after: MeterReading): void {
  const rows = Object.entries(after.server.queries_by_text ?? {})
    .map(([query, n]) => ({ query, n: n - (before.server.queries_by_text?.[query] ?? 0) }))
    .filter((row) => row.n > 0)
    .sort((a, b) => b.n - a.n);
  console.error(JSON.stringify(rows.slice(0, 30), null, 1));
}
