import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from '@ledger/testing';

/** Processes and databases the benches start and must clean up after themselves. */

/**
 * Starts `node [nodeArgs] script` and waits until `${base}${healthPath}`
 * answers, for at most 30 s. The worker serves only `/health/live` there.
 */
export async function startChild(
  script: string,
  nodeArgs: string[],
  base: string,
  env: Record<string, string>,
  healthPath = '/health',
): Promise<ChildProcess> {
  const health = `${base}${healthPath}`;
  // Another process answering there would be measured instead of ours.
  if (await healthy(health))
    throw new Error(`Something already answers at ${base}; set BENCH_PORT`);
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (await healthy(health)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become healthy within 30 s`);
}

const healthy = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

/** SIGTERM, then waits for the exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A fresh database on the same server as `baseUrl`; returns its URL. */
export async function createDatabase(baseUrl: string): Promise<string> {
  const name = `ledger_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return withDatabase(baseUrl, name);
}

export async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}
