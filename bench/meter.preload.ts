import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Preloaded into each server `npm run bench:transfers` drives
 * (`node -r .../meter.preload.js`, with BENCH_METER_DIR set). It counts the
 * round trips the process makes: every `pg` query (one request and its
 * answer on a connection) and every Redis command ioredis sends (pipelined
 * ones counted one by one, so it is an upper bound for Redis). On SIGURG,
 * which a process ignores by default, it writes `meter-<pid>.json` with
 * those counts and the process's own CPU time, so the bench can take the
 * difference over a load without the server knowing it is measured.
 */
const dir = process.env.BENCH_METER_DIR;
if (dir) {
  const counts = { pg_queries: 0, redis_commands: 0 };
  /** With BENCH_METER_QUERIES=1, queries are also counted by their text's start. */
  const byText: Record<string, number> = {};
  const byQueryText = process.env.BENCH_METER_QUERIES === '1';
  countCalls(
    'pg',
    (pg: any) => pg.Client.prototype,
    'query',
    (query) => {
      counts.pg_queries++;
      if (!byQueryText) return;
      const start = queryStart(query);
      byText[start] = (byText[start] ?? 0) + 1;
    },
  );
  countCalls(
    'ioredis',
    (redis: any) => redis.prototype,
    'sendCommand',
    () => counts.redis_commands++,
  );
  process.on('SIGURG', () => {
    const { user, system } = process.cpuUsage();
    const file = join(dir, `meter-${process.pid}.json`);
    const figures = {
      ...counts,
      cpu_ms: (user + system) / 1000,
      rss: process.memoryUsage().rss,
      ...(byQueryText && { queries_by_text: byText }),
    };
    // Written aside and renamed, so the bench never reads half a file.
    writeFileSync(`${file}.partial`, JSON.stringify(figures));
    renameSync(`${file}.partial`, file);
  });
}

/** Wraps `owner(module)[method]` to call `count` first; a module the process lacks is skipped. */
function countCalls(
  name: string,
  owner: (module: any) => Record<string, unknown>,
  method: string,
  count: (first: unknown) => void,
): void {
  let target: Record<string, unknown>;
  try {
    target = owner(require(name));
  } catch {
    return;
  }
  const original = target[method] as (...args: unknown[]) => unknown;
  target[method] = function counted(this: unknown, ...args: unknown[]) {
    count(args[0]);
    return original.apply(this, args);
  };
}

/** A query's first 80 characters, whitespace collapsed (the text or a `{ text }` config). */
function queryStart(query: unknown): string {
  const text = typeof query === 'string' ? query : (query as { text?: string })?.text;
  return String(text ?? '(no text)')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}
