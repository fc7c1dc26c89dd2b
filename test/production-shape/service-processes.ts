import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readFileSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The built service as separate operating-system processes, the way
 * production runs it: the API and the worker from dist/, and a Redis of the
 * test's own. Every child is started and killed here, by its own PID, and its
 * output goes to one log file that a failing test prints.
 */
export const REPO_ROOT = resolve(__dirname, '../..');
const BUILD_TIMEOUT_MS = 180_000;
const READY_POLL_MS = 100;
/** Enough for a cold Node.js start, Nest's bootstrap and migrations on a busy two-core machine. */
const READY_TIMEOUT_MS = 60_000;
const LOG_TAIL_BYTES = 12_000;

/** Builds dist/ from the sources, so the processes run what the test was written against (swc: seconds). */
export function buildService(): void {
  const built = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (built.status !== 0)
    throw new Error(`npm run build failed (${built.status}):\n${built.stdout}\n${built.stderr}`);
}

/** The log every child of one test writes to, and the tail of it for a failure message. */
export class ProcessLog {
  readonly path = join(mkdtempSync(join(tmpdir(), 'ledger-bank-http-')), 'processes.log');

  note(line: string): void {
    appendFileSync(this.path, `--- ${new Date().toISOString()} ${line}\n`);
  }

  /** The end of the log, without the lines that match `noise` (one per notification sent). */
  tail(noise = /NodemailerNotifier|LogSmsSender/): string {
    try {
      const lines = readFileSync(this.path, 'utf8').split('\n');
      return lines
        .filter((l) => !noise.test(l))
        .join('\n')
        .slice(-LOG_TAIL_BYTES);
    } catch {
      return '(no process log)';
    }
  }

  /** Lines of the log that match, for counting what the processes reported. */
  count(pattern: RegExp): number {
    try {
      return readFileSync(this.path, 'utf8')
        .split('\n')
        .filter((l) => pattern.test(l)).length;
    } catch {
      return 0;
    }
  }
}

/** One restartable child: `start` spawns it, `kill` sends SIGKILL to its PID and waits for it to go. */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: ProcessLog,
    private readonly ready: () => Promise<boolean>,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    this.log.note(`start ${this.name} (#${this.starts})`);
    const out = openSync(this.log.path, 'a');
    const child = spawn(this.command, [...this.args], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.once('exit', (code, signal) => this.log.note(`${this.name} exited (${code ?? signal})`));
    await this.waitReady(child);
  }

  /** SIGKILL: no shutdown hooks, no flushing; whatever was in flight is cut off. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.log.note(`SIGKILL ${this.name} (pid ${child.pid})`);
    child.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited during start-up`);
      if (await this.ready().catch(() => false)) return;
      await sleep(READY_POLL_MS);
    }
    throw new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms`);
  }
}

/** Ready when the API answers `GET /health` with 200 (every dependency up). */
export function apiReady(baseUrl: string): () => Promise<boolean> {
  return async () => {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  };
}

/** Ready when the worker's log says so since its latest start; the worker has no port. */
export function workerReady(log: ProcessLog, worker: () => ServiceProcess): () => Promise<boolean> {
  return async () => log.count(/Worker running/) >= worker().starts;
}

/** A redis-server of the test's own, without persistence, so a restart comes back empty. */
export function ownRedis(port: number, log: ProcessLog): ServiceProcess {
  return new ServiceProcess(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    process.env,
    log,
    () => redisPing(port),
  );
}

/** Is there a redis-server binary on the PATH? */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

/** Runs a built command-line tool with the service's environment; its exit status and output. */
export function runCli(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  args: readonly string[] = [],
): { status: number | null; output: string } {
  const run = spawnSync('node', [script, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
