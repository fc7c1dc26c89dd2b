import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, postgresUrl, type TestDatabase } from '@ledger/testing';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import {
  apiReady,
  ProcessLog,
  REPO_ROOT,
  ServiceProcess,
} from '../production-shape/service-processes';

/**
 * The built API (with the worker's loops, LEDGER_ROLE=all) traced into a
 * stand-in OTLP/HTTP collector of the test's own: one top-up request yields
 * its HTTP server span, the append, the saga step and the job the movement
 * caused (its notification), all in
 * the request's trace, plus pg spans on Postgres and ioredis spans on Redis.
 */
const COLLECTOR_PORT = 3941;
const API_PORT = 3942;
const BUILD_TIMEOUT_MS = 180_000;

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: ReadonlyArray<{ key: string; value: Record<string, unknown> }>;
}
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

/** Collects what the OTLP/HTTP JSON exporter posts to /v1/traces. */
function standInCollector(): { server: Server; spans: OtlpSpan[]; services: Set<string> } {
  const spans: OtlpSpan[] = [];
  const services = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: Array<{
          resource?: { attributes?: OtlpSpan['attributes'] };
          scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
        }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        const name = rs.resource?.attributes?.find((a) => a.key === 'service.name');
        if (typeof name?.value.stringValue === 'string') services.add(name.value.stringValue);
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, spans, services };
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value && (value.stringValue ?? value.intValue ?? value.boolValue);
}

function hasAttributeValue(span: OtlpSpan, pattern: RegExp): boolean {
  return (span.attributes ?? []).some((a) => pattern.test(String(a.value.stringValue ?? '')));
}

describe('OpenTelemetry tracing of the built service', () => {
  const log = new ProcessLog();
  const collector = standInCollector();
  const databaseUrl = postgresUrl();
  const redisUrl = process.env.REDIS_URL;
  let database: TestDatabase | undefined;
  let api: ServiceProcess;
  let passed = false;

  beforeAll(async () => {
    const built = spawnSync('npm', ['run', 'build:server', '--silent'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: BUILD_TIMEOUT_MS,
    });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}\n${built.stderr}`);
    await new Promise<void>((done) => collector.server.listen(COLLECTOR_PORT, '127.0.0.1', done));
    if (databaseUrl) database = await createPostgresDatabase(databaseUrl, { poolSize: 2 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: String(API_PORT),
      LEDGER_ROLE: 'all',
      LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-tracing-')),
      LOG_LEVEL: 'warn',
      TRACING_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${COLLECTOR_PORT}`,
      OTEL_SERVICE_NAME: 'ledger-tracing-test',
      // Read by the SDK: send batches every 200 ms instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ...(database?.url && { DATABASE_URL: database.url, LEDGER_STORE: 'postgres' }),
      ...(redisUrl && {
        REDIS_URL: redisUrl,
        JOBS_PREFIX: `tracing-${randomBytes(4).toString('hex')}`,
      }),
    };
    api = new ServiceProcess(
      'api',
      'node',
      ['dist/apps/api/src/main.js'],
      env,
      log,
      apiReady(`http://127.0.0.1:${API_PORT}`),
    );
    await api.start();
  }, 240_000);

  afterAll(async () => {
    if (!passed) console.log(`service log (tail):\n${log.tail()}`);
    await api?.kill();
    await new Promise((done) => collector.server.close(done));
    await database?.drop();
  }, 60_000);

  it("a request's spans, its append, saga step and job share one trace, named by the request id", async () => {
    const base = `http://127.0.0.1:${API_PORT}`;
    const signUp = await fetch(`${base}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `user-${randomUUID()}@example.com`,
        password: 'correct horse battery staple 42',
        name: 'Trace Test',
        currency: 'EUR',
      }),
    });
    expect(signUp.status).toBe(201);
    const auth = `Bearer ${((await signUp.json()) as { accessToken: string }).accessToken}`;
    const wallet = await eventually(async () => {
      const res = await fetch(`${base}/wallets`, { headers: { authorization: auth } });
      const body = (await res.json()) as { items?: Array<{ id: string }> };
      return body.items?.[0];
    });
    const topUp = await fetch(`${base}/top-ups`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        'x-request-id': 'trace-request-1',
      },
      body: JSON.stringify({ walletId: wallet.id, amountMinor: 700, currency: 'EUR' }),
    });
    expect(topUp.status).toBe(202);

    const server = await eventually(() =>
      collector.spans.find((s) => s.kind === SERVER && hasAttributeValue(s, /\/top-ups$/)),
    );
    expect(attribute(server, 'http.route')).toBe('/top-ups');
    expect(server.name).toBe('POST /top-ups');
    const inTrace = () => collector.spans.filter((s) => s.traceId === server.traceId);
    const append = await eventually(() =>
      inTrace().find((s) => s.name.startsWith('event_store.append')),
    );
    expect(attribute(append, 'ledger.correlation_id')).toBe('trace-request-1');
    const step = await eventually(() => inTrace().find((s) => s.name === 'saga.step'));
    expect(attribute(step, 'ledger.correlation_id')).toBe('trace-request-1');
    const job = await eventually(() =>
      inTrace().find((s) => s.kind === CONSUMER && s.name.startsWith('job ')),
    );
    expect(attribute(job, 'ledger.correlation_id')).toBe('trace-request-1');
    expect(job.parentSpanId).toBeTruthy();
    expect(collector.services).toEqual(new Set(['ledger-tracing-test']));
    // Probes are not traced.
    expect(collector.spans.some((s) => s.kind === SERVER && hasAttributeValue(s, /\/health/))).toBe(
      false,
    );

    if (database) {
      const pg = await eventually(() =>
        inTrace().find((s) => s.kind === CLIENT && hasAttributeValue(s, /^postgresql$/)),
      );
      expect(pg.name).toBeTruthy();
      // Named prepared statements keep the SQL command in the span's name, the hashed name aside.
      const named = await eventually(() =>
        inTrace().find((s) => s.name.startsWith('pg.query:') && attribute(s, 'db.postgresql.plan')),
      );
      expect(String(attribute(named, 'db.postgresql.plan'))).toMatch(/^p[0-9a-f]{16}/);
      for (const span of inTrace().filter((s) => s.name.startsWith('pg.query:')))
        expect(span.name).toMatch(/^pg\.query:[A-Z]+( |$)/);
    }
    if (redisUrl) {
      const redis = await eventually(() =>
        collector.spans.find((s) => s.kind === CLIENT && hasAttributeValue(s, /^redis$/)),
      );
      // The command name only, never its arguments.
      expect(
        String(attribute(redis, 'db.statement') ?? attribute(redis, 'db.query.text') ?? ''),
      ).toMatch(/^[a-z]*$/);
    }
    passed = true;
  }, 120_000);
});
