import { randomUUID } from 'node:crypto';
import { totpCode } from '@ledger/identity';
import { sleep } from './service-processes';

/**
 * An HTTP client of the ledger as a careful real client behaves: every
 * money-moving request under one Idempotency-Key, retried under the SAME key
 * after a lost connection, a 503 or a "still in progress" answer, a bounded
 * number of times. What it met on the way is counted.
 */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly replayed: boolean;
}

export type Count = (key: string, by?: number) => void;

const REQUEST_TIMEOUT_MS = 20_000;
/** A minute of lost connections: an API restart on a busy two-core machine takes up to half of that. */
const CONNECTION_RETRIES = 240;
const CONNECTION_RETRY_MS = 250;
const UNAVAILABLE_RETRIES = 6;
/** A minute: longer than any request runs, so a key still "in progress" then was left behind. */
const IN_PROGRESS_RETRIES = 60;
const IN_PROGRESS_RETRY_MS = 1_000;
const TWO_FACTOR_RETRIES = 4;
/** However the attempts go, one request gives up after this, so a hung service cannot hold the test. */
const MOVE_DEADLINE_MS = 150_000;

export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
}

export class LedgerClient {
  /** Requests sent and not yet answered, and how many of them move money, so a kill can land on some. */
  inFlight = 0;
  movingInFlight = 0;

  constructor(
    readonly baseUrl: string,
    private readonly count: Count,
  ) {}

  /** One attempt; a lost or refused connection throws ConnectionLost. */
  async send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { token?: string; body?: unknown; key?: string; code?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.key) headers['idempotency-key'] = options.key;
    if (options.code) headers['x-2fa-code'] = options.code;
    const moving = options.key !== undefined;
    this.inFlight += 1;
    if (moving) this.movingInFlight += 1;
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        replayed: res.headers.get('idempotent-replayed') === 'true',
      };
    } catch (error) {
      throw new ConnectionLost(error instanceof Error ? error.message : String(error));
    } finally {
      this.inFlight -= 1;
      if (moving) this.movingInFlight -= 1;
    }
  }

  /** A read or an unkeyed set-up call, retried only across a lost connection. */
  async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { token?: string; body?: unknown; key?: string; code?: string } = {},
  ): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(method, path, options);
      } catch (error) {
        if (!(error instanceof ConnectionLost) || attempt >= CONNECTION_RETRIES) throw error;
        this.count('client: retries after a lost connection');
        await sleep(CONNECTION_RETRY_MS);
      }
    }
  }

  /**
   * A money-moving POST under one key until it has a final answer. `code`
   * gives a fresh second-factor code for each attempt that needs one. Ends
   * with the answer, or `stuck` when the key stayed "in progress" for good.
   */
  async move(
    path: string,
    token: string,
    body: unknown,
    key: string,
    code?: () => Promise<string>,
  ): Promise<Answer | 'stuck'> {
    let unavailable = 0;
    let inProgress = 0;
    let twoFactor = 0;
    const deadline = Date.now() + MOVE_DEADLINE_MS;
    for (let attempt = 1; attempt <= CONNECTION_RETRIES && Date.now() < deadline; attempt++) {
      let answer: Answer;
      try {
        answer = await this.send('POST', path, { token, body, key, code: await code?.() });
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        this.count('client: retries after a lost connection');
        await sleep(CONNECTION_RETRY_MS);
        continue;
      }
      const error = answer.body.error;
      if (answer.status === 503 && unavailable++ < UNAVAILABLE_RETRIES) {
        this.count(`client: retries after 503 ${String(error)}`);
        await sleep(CONNECTION_RETRY_MS);
      } else if (error === 'idempotency_key_in_progress') {
        if (inProgress++ >= IN_PROGRESS_RETRIES) return 'stuck';
        this.count('client: retries while the key is in progress');
        await sleep(IN_PROGRESS_RETRY_MS);
      } else if (error === 'concurrency_conflict') {
        this.count('client: retries after a concurrency conflict');
        await sleep(CONNECTION_RETRY_MS);
      } else if (
        code &&
        String(error).startsWith('two_factor_code') &&
        twoFactor++ < TWO_FACTOR_RETRIES
      ) {
        this.count(`client: new 2FA code after ${String(error)}`);
      } else {
        return answer;
      }
    }
    throw new Error(
      `${path} under key ${key}: no answer within ${CONNECTION_RETRIES} attempts and ${MOVE_DEADLINE_MS} ms`,
    );
  }
}

/**
 * A user's authenticator. A code is accepted once, and only a later time step
 * after it; the server accepts one step either side of its clock. So each
 * code is taken from the earliest step the server will still accept that is
 * later than the last one used, waiting for time to pass when none is left.
 */
export class Authenticator {
  private lastStep = 0;
  /** Actions queued or running: each will spend at least one step. */
  private pending = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly secret: string) {}

  /** When the next code can be used, in epoch ms: now, or once the clock has moved on. */
  availableAt(queued = this.pending): number {
    const next = this.lastStep + 1 + queued;
    return Math.max(Date.now(), (next - 1) * STEP_MS + EDGE_MS);
  }

  async nextCode(): Promise<string> {
    for (let wait = 0; wait < 3; wait++) {
      const now = Date.now();
      const lowest = Math.floor((now + EDGE_MS) / STEP_MS) - 1;
      const highest = Math.floor((now - EDGE_MS) / STEP_MS) + 1;
      const step = Math.max(this.lastStep + 1, lowest);
      if (step <= highest) {
        this.lastStep = step;
        return totpCode(this.secret, step * 30);
      }
      await sleep(this.availableAt(0) - now);
    }
    throw new Error('No second-factor code became usable');
  }

  /** Runs one second-factor action at a time, so codes reach the server in the order they were taken. */
  exclusive<T>(action: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const run = this.queue.then(action, action).finally(() => (this.pending -= 1));
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const STEP_MS = 30_000;
/** Distance kept from a step's edge, for the time between taking a code and the server checking it. */
const EDGE_MS = 2_000;

export function newKey(): string {
  return randomUUID();
}
