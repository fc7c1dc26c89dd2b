#!/usr/bin/env node
/**
 * The worker container's health check (docker-compose.yml). The worker serves
 * no HTTP, so this asks the stores it works through, with the worker's own
 * settings:
 * - Postgres answers at DATABASE_URL;
 * - Redis answers at REDIS_URL, when set;
 * - some worker holds the saga driver's and the projector's leases. Those are
 *   Postgres session advisory locks that end with the process holding them, so
 *   a held lease means sagas and projections are being driven right now; a
 *   second worker waiting for them is healthy too.
 * Exit 0 when all hold, 1 otherwise, with one line naming what failed (never a
 * connection string).
 */
'use strict';
const { createHash } = require('node:crypto');
const { Client } = require('pg');
const { Redis } = require('ioredis');

/** `saga-driver:<name>` and `projector:<name>` as apps/worker takes them. */
const LEASES = ['saga-driver:sagas', 'projector:read_models'];
const TIMEOUT_MS = 5_000;

/** The int8 key libs/database derives from a lock's name (lockKey). */
function lockKey(name) {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

const KEYS = LEASES.map(lockKey);

async function checkPostgres(url) {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: TIMEOUT_MS,
    statement_timeout: TIMEOUT_MS,
  });
  await client.connect();
  try {
    // pg_locks splits an int8 advisory key into its high (classid) and low (objid) halves.
    const { rows } = await client.query(
      `SELECT k.key FROM unnest($1::int8[]) AS k(key)
        WHERE NOT EXISTS (
          SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND ((l.classid::int8 << 32) | l.objid::int8) = k.key)`,
      [KEYS],
    );
    return rows.map((r) => LEASES[KEYS.indexOf(String(r.key))]);
  } finally {
    await client.end();
  }
}

async function checkRedis(url) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The failed command reports the error; without a listener ioredis would print it again.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const missing = await checkPostgres(databaseUrl).catch((error) => {
    throw new Error(`Postgres: ${error.message}`);
  });
  if (missing.length > 0) throw new Error(`no worker holds ${missing.join(', ')}`);
  if (process.env.REDIS_URL) {
    await checkRedis(process.env.REDIS_URL).catch((error) => {
      throw new Error(`Redis: ${error.message}`);
    });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`unhealthy: ${error.message}`);
    process.exit(1);
  },
);
