import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 CPU profile (.cpuprofile, as written by
 * cpu-profile.preload.ts or `node --cpu-prof`) of the service:
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top]
 *
 * Prints, as JSON and tables, the share of samples by layer counting every
 * layer on the sampled stack (inclusive: shares overlap, since the driver's
 * work runs through the event store), the self time by module (the frame
 * that was on CPU), the top self-time functions, and which of the
 * project's files the pg driver's samples were called from (the nearest one
 * above the driver on the stack).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

/**
 * Layers of a transfer's path, recognised by `<file>#<function>` of a frame;
 * V8's builtins have no file, so JSON.parse is `#parse`.
 */
const LAYERS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'HTTP stack (Fastify, Nest router, body parsing, helmet)',
    /node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request|fast-querystring|fast-json-stringify|safe-regex2|secure-json-parse|toad-cache|process-warning|abstract-logging|helmet|on-finished|@nestjs\/(core|platform-fastify))\/|apps\/api\/src\/http\/(body-parsers|json-number-scan|problem\.filter)/,
  ],
  [
    'request validation (class-validator/transformer)',
    /node_modules\/class-(validator|transformer)\/|apps\/api\/src\/http\/validation/,
  ],
  [
    'auth and session check',
    /libs\/identity\/src\/(access|sessions)\/|node_modules\/(@nestjs\/jwt|jsonwebtoken|jws|passport)/,
  ],
  ['idempotency record', /apps\/api\/src\/http\/(idempotency\.interceptor|completed-replay)/],
  [
    'recipient lookup',
    /apps\/api\/src\/transfers\/recipient\.resolver|libs\/identity\/src\/(recipients|contacts)\//,
  ],
  ['transfer handler', /apps\/api\/src\/transfers\//],
  [
    'saga record (saga stream command path)',
    /libs\/ledger\/src\/movements\/nest\/movement-streams/,
  ],
  ['wallet and saga command path', /libs\/ledger\/src\/command-path\//],
  ['saga driver (worker)', /apps\/worker\/src\/sagas\//],
  ['projector (read models)', /libs\/read-models\/src\//],
  ['event store adapter', /libs\/event-store\/src\//],
  ['pg driver', /node_modules\/pg(-protocol|-pool|-types)?\//],
  ['jobs (BullMQ, ioredis)', /node_modules\/(bullmq|ioredis)\/|libs\/jobs\//],
  [
    'notifications (messages, nodemailer)',
    /node_modules\/nodemailer\/|libs\/notifications\/|apps\/worker\/src\/notifications\//,
  ],
  ['JSON.parse (rows, events, bodies)', /^#parse$/],
];

const PG = /node_modules\/pg(-protocol|-pool)?\//;
const OWN = /dist\/(apps|libs)\//;

export function summarise(profile: Profile, top = 25) {
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node);
  }
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const inclusive = new Map<string, number>();
  const selfByModule = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const pgByCaller = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    add(selfByModule, moduleOf(node.callFrame.url, node.callFrame.functionName), hits);
    add(selfByFunction, frameName(node), hits);
    const seen = new Set<string>();
    let inPg = false;
    let caller: string | undefined;
    // A stack is as deep as the profile has nodes, so the walk ends within that.
    for (
      let n: ProfileNode | undefined = node, depth = 0;
      n && depth < profile.nodes.length;
      n = parent.get(n.id), depth++
    ) {
      const frame = `${n.callFrame.url}#${n.callFrame.functionName}`;
      for (const [layer, pattern] of LAYERS) if (pattern.test(frame)) seen.add(layer);
      if (PG.test(n.callFrame.url)) inPg = true;
      else if (inPg && caller === undefined && OWN.test(n.callFrame.url))
        caller = moduleOf(n.callFrame.url, n.callFrame.functionName);
    }
    for (const layer of seen) add(inclusive, layer, hits);
    if (inPg)
      add(
        pgByCaller,
        caller ??
          '(no project file on the stack: sent once a pooled connection was free, or a reply read)',
        hits,
      );
  }
  const share = (map: Map<string, number>, limit: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, hits]) => ({ name, percent: Math.round((hits / total) * 1000) / 10 }));
  return {
    samples: total,
    profiled_s: Math.round((profile.endTime - profile.startTime) / 1e4) / 100,
    inclusive_by_layer: share(inclusive, LAYERS.length),
    self_by_module: share(selfByModule, top),
    self_by_function: share(selfByFunction, top),
    pg_driver_by_caller: share(pgByCaller, top),
  };
}

/** The package (node_modules), the project file (dist/...), node's internals, or V8's own entries. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(V8 builtins and native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1]) return pkg[1];
  const own = /dist\/((?:apps|libs)\/[^/]+\/src\/.*)\.js$/.exec(url);
  if (own?.[1]) return own[1];
  if (url.startsWith('node:'))
    return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0] ?? url;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${moduleOf(url, functionName)}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
}

function add(map: Map<string, number>, key: string, hits: number): void {
  map.set(key, (map.get(key) ?? 0) + hits);
}

if (require.main === module) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')), Number(topArg ?? 25));
  console.log(JSON.stringify(summary, null, 2));
  console.table(summary.inclusive_by_layer);
  console.table(summary.self_by_module);
  console.table(summary.self_by_function);
  console.table(summary.pg_driver_by_caller);
}
