import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';

/** How long a starting server may take to answer PING: a bound, not a measurement. */
const START_LIMIT_MS = 10_000;
const POLL_MS = 20;

/**
 * A redis-server of the test's own, on a port of its own, so that a test can
 * empty, pause or stop it without touching the shared Redis. Nothing is
 * persisted: a restart comes back empty, as a Redis without a disk does.
 * Only this process is ever signalled, by its PID.
 */
export class OwnRedisServer {
  private paused = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port: number): Promise<OwnRedisServer> {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const server = new OwnRedisServer(child, port);
    await server.waitUntilAnswering();
    return server;
  }

  /** SIGSTOP: the server keeps its connections open and answers nothing, as a hung Redis does. */
  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  /** Empties every database, as a Redis restarted without persistence would come back. */
  async flushAll(): Promise<void> {
    const redis = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      await redis.flushall();
    } finally {
      redis.disconnect();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.paused) this.resume();
    const exited = once(this.child, 'exit');
    this.signal('SIGTERM');
    await exited;
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) throw new Error('redis-server did not start');
    process.kill(this.child.pid, signal);
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + START_LIMIT_MS;
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`redis-server on port ${this.port} exited (${this.child.exitCode})`);
      const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      redis.on('error', () => undefined);
      const answered = await redis
        .connect()
        .then(() => redis.ping())
        .then(
          () => true,
          () => false,
        );
      redis.disconnect();
      if (answered) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `redis-server on port ${this.port} did not answer within ${START_LIMIT_MS} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
