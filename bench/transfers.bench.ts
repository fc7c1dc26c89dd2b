import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { withDatabase } from '@ledger/testing';

/**
 * `npm run bench:transfers`: P2P transfers over HTTP against the production
 * shape on this machine: the service (API and worker in one process) on
 * Postgres (DATABASE_URL) with jobs on Redis (REDIS_URL). autocannon posts
 * transfers between the wallets of one funded user, each with its own
 * Idempotency-Key; then the bench waits until every accepted transfer's saga
 * is terminal and the read models have applied its last event.
 *
 *   accepted/s                 202 answers per second during the load
 *   completed-and-projected/s  sagas finished and projected, per second from
 *                              the start of the load to the last one
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '32,128').split(',').map(Number);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const BASE = `http://127.0.0.1:${PORT}`;

interface Figures {
  connections: number;
  accepted: number;
  accepted_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  completed: number;
  failed: number;
  completed_and_projected_per_s: number;
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!baseUrl || !redisUrl)
    throw new Error('DATABASE_URL and REDIS_URL must be set (the Postgres + Redis shape)');
  const results: Figures[] = [];
  for (const connections of CONNECTIONS) {
    const databaseUrl = await createDatabase(baseUrl);
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
    const server = await startService(databaseUrl, redisUrl, dataDir);
    try {
      const auth = await fundedUser(databaseUrl, dataDir);
      results.push(await measure(connections, auth, databaseUrl));
      console.error(`  ${connections} connections: ${JSON.stringify(results[results.length - 1])}`);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      await dropDatabase(baseUrl, databaseUrl);
    }
  }
  console.log(
    JSON.stringify(
      { benchmark: 'transfers-http', seconds: SECONDS, wallets: WALLETS, results },
      null,
      2,
    ),
  );
  console.table(results);
}

async function measure(
  connections: number,
  auth: { token: string; wallets: string[] },
  databaseUrl: string,
): Promise<Figures> {
  const started = performance.now();
  const load = await autocannon({
    url: `${BASE}/transfers`,
    method: 'POST',
    connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${auth.token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const from = auth.wallets[Math.floor(Math.random() * auth.wallets.length)];
          let to = from;
          while (to === from) to = auth.wallets[Math.floor(Math.random() * auth.wallets.length)];
          return {
            ...request,
            headers: { ...request.headers, 'idempotency-key': randomUUID() },
            body: JSON.stringify({
              fromWalletId: from,
              toWalletId: to,
              amountMinor: '1',
              currency: 'EUR',
            }),
          };
        },
      },
    ],
  });
  const accepted = load['2xx'];
  const done = await waitForSagas(databaseUrl, accepted);
  const elapsed_s = (done.at - started) / 1000;
  return {
    connections,
    accepted,
    accepted_per_s: Math.round(accepted / SECONDS),
    p50_ms: load.latency.p50,
    p99_ms: load.latency.p99,
    non_2xx: load.non2xx,
    completed: done.completed,
    failed: done.failed,
    completed_and_projected_per_s: Math.round(done.completed / elapsed_s),
  };
}

/** Waits until every accepted transfer is terminal and the read models reached the log's last event. */
async function waitForSagas(
  databaseUrl: string,
  accepted: number,
): Promise<{ completed: number; failed: number; at: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let polls = 0; polls < 12_000; polls++) {
      const { rows } = await client.query<{
        completed: string;
        failed: string;
        projected: boolean;
      }>(`
        SELECT count(*) FILTER (WHERE type = 'TransferCompleted') AS completed,
               count(*) FILTER (WHERE type = 'TransferFailed') AS failed,
               (SELECT (c.commit_pos, c.prepare_pos) >= (e.tx_id::text::bigint, e.seq)
                  FROM projection_checkpoints c,
                       (SELECT tx_id, seq FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1) e
                 WHERE c.name = 'read_models') AS projected
          FROM events WHERE type IN ('TransferCompleted', 'TransferFailed')`);
      const completed = Number(rows[0].completed);
      const failed = Number(rows[0].failed);
      if (completed + failed >= accepted && rows[0].projected)
        return { completed, failed, at: performance.now() };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('Transfers did not finish within 5 minutes');
  } finally {
    await client.end();
  }
}

/** One user with WALLETS funded EUR wallets; an operator-made admin funds them with adjustments. */
async function fundedUser(
  databaseUrl: string,
  dataDir: string,
): Promise<{ token: string; wallets: string[] }> {
  const admin = await call('POST', '/auth/signup', {
    email: 'admin@bench.test',
    password: 'bench password 1234',
    currency: 'EUR',
  });
  await grantAdmin(databaseUrl, dataDir, admin.userId, 'admin@bench.test');
  const login = await call('POST', '/auth/login', {
    email: 'admin@bench.test',
    password: 'bench password 1234',
  });
  const wallets: string[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const wallet = await call('POST', '/wallets', { currency: 'EUR' }, login.accessToken);
    await call(
      'POST',
      `/wallets/${wallet.id}/adjustments`,
      {
        direction: 'credit',
        amountMinor: '100000000',
        currency: 'EUR',
        account: 'suspense',
        reason: 'bench funding',
      },
      login.accessToken,
    );
    wallets.push(wallet.id);
  }
  return { token: login.accessToken, wallets };
}

/**
 * Makes the user admin and finance with the operator's CLI. The bench reads
 * no inbox, so it marks the address verified in the database, as typing back
 * the e-mailed code would.
 */
async function grantAdmin(
  databaseUrl: string,
  dataDir: string,
  userId: string,
  email: string,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('UPDATE identity_users SET email_verified_at = now() WHERE id = $1', [
      userId,
    ]);
  } finally {
    await client.end();
  }
  const cli = join(__dirname, '../libs/identity/src/cli/admin-grant.js');
  const grant = spawnSync(process.execPath, [cli, email, '--role', 'admin', '--role', 'finance'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LEDGER_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (grant.status !== 0) throw new Error(`admin:grant exited with ${grant.status}`);
}

async function call(method: string, path: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function startService(
  databaseUrl: string,
  redisUrl: string,
  dataDir: string,
): Promise<ChildProcess> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, '../apps/api/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(PORT),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      JOBS_PREFIX: prefix,
      LEDGER_LIMITS_PREFIX: prefix,
      LEDGER_DATA_DIR: dataDir,
      LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '16',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    const healthy = await fetch(`${BASE}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('The service did not become healthy within 30 s');
}

async function createDatabase(baseUrl: string): Promise<string> {
  const name = `ledger_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return withDatabase(baseUrl, name);
}

async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
