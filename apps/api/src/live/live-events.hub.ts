import { Logger } from '@nestjs/common';
import type { SqlExecutor } from '@ledger/database';
import { comparePositions, formatPosition, type Position } from '@ledger/event-store';
import { liveHead, readChangesSince, type ReadModelChange } from '@ledger/read-models';

/** Where a connection's events go: an SSE response in production, a list in tests. */
export interface LiveSink {
  /** Writes a chunk; false when the peer is not keeping up (as Node's `write`). */
  write(chunk: string): boolean;
  /** Bytes written but not yet taken by the peer. */
  readonly bufferedBytes: number;
  /** Ends the connection (a slow client is disconnected, not buffered without limit). */
  close(reason: string): void;
}

export interface LiveHubOptions {
  /** How often the one reader asks the read models for changes. */
  readonly pollMs: number;
  /** How often every connection gets a heartbeat (staff: the projection lag). */
  readonly heartbeatMs: number;
  /** A connection holding more unsent bytes than this is disconnected. */
  readonly maxBufferedBytes: number;
  /** Rows a reconnecting client may catch up on; beyond this it is told to reload. */
  readonly maxCatchUp: number;
}

export const DEFAULT_LIVE_HUB_OPTIONS: LiveHubOptions = {
  pollMs: 250,
  heartbeatMs: 15_000,
  maxBufferedBytes: 256 * 1024,
  maxCatchUp: 5_000,
};

/** One connection: a customer (their wallets' changes) or staff (every change). */
interface Subscriber {
  readonly ownerId: string | undefined;
  readonly sink: LiveSink;
  /** The last position sent; nothing at or before it is sent again. */
  sent: Position;
  /** Changes that arrived while the connection caught up; sent after the catch-up. */
  pending: ReadModelChange[] | undefined;
  closed: boolean;
}

export interface Subscription {
  close(): void;
}

/**
 * The one reader of live changes in this process: it polls the read models
 * for what changed since its last position (one query per table per round,
 * whatever the number of connections) and fans each change out in memory to
 * the connections it concerns: a wallet's balance to its owner, a
 * movement's status to the owners of its legs, everything to staff. Every
 * event carries the log position of its change as its SSE `id`, so a client
 * that reconnects with `Last-Event-ID` is caught up from exactly there (one
 * query for that connection, once) and then follows the fan-out.
 *
 * It reads only the database, so the API needs no projector of its own: it
 * works as well beside the worker as apart from it.
 */
export class LiveEventsHub {
  private readonly logger = new Logger('live');
  private readonly byOwner = new Map<string, Set<Subscriber>>();
  private readonly staff = new Set<Subscriber>();
  private cursor: Position | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeats: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private started = false;

  constructor(
    private readonly db: SqlExecutor,
    private readonly options: LiveHubOptions = DEFAULT_LIVE_HUB_OPTIONS,
    private readonly describe: (change: ReadModelChange, ownerId: string | undefined) => unknown = (
      c,
    ) => c,
    /** The projection lag staff connections get with each heartbeat. */
    private readonly lag?: () => Promise<unknown>,
  ) {}

  /** How many connections follow the hub. */
  get connections(): number {
    let n = this.staff.size;
    for (const set of this.byOwner.values()) n += set.size;
    return n;
  }

  /**
   * Follows the changes for `ownerId` (or every change, for staff). With
   * `lastEventId`, the connection is first caught up on what changed after
   * it; without, it starts from now.
   */
  async subscribe(
    sink: LiveSink,
    ownerId: string | undefined,
    lastEventId: Position | undefined,
  ): Promise<Subscription> {
    const from = await this.position();
    // From here to `add` nothing awaits: the reader moves its position and
    // fans out in one step, so the connection gets every round after `sent`.
    const sub: Subscriber = {
      ownerId,
      sink,
      sent: this.cursor ?? from,
      pending: lastEventId ? [] : undefined,
      closed: false,
    };
    this.add(sub);
    this.start();
    if (lastEventId) await this.catchUp(sub, lastEventId, sub.sent);
    return { close: () => this.remove(sub) };
  }

  /** Stops the reader and ends every connection (the process is shutting down). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeats) clearInterval(this.heartbeats);
    await this.polling;
    for (const sub of this.all()) this.disconnect(sub, 'shutting_down');
  }

  /**
   * A comment to every customer connection, so proxies and clients see it is
   * alive; staff get the projection lag instead (one query for all of them).
   */
  async heartbeat(): Promise<void> {
    let lag: string | undefined;
    if (this.lag && this.staff.size > 0) {
      try {
        lag = `event: lag\ndata: ${JSON.stringify(await this.lag())}\n\n`;
      } catch (error) {
        this.logger.warn(
          `Lag read failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const sub of this.all())
      this.send(sub, sub.ownerId === undefined && lag ? lag : ': heartbeat\n\n');
  }

  /** One round of the reader; the timer calls it, tests may too. */
  async poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.readOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async readOnce(): Promise<void> {
    const after = await this.position();
    const batch = await readChangesSince(this.db, after);
    this.cursor = batch.until;
    if (batch.changes.length > 0) this.fanOut(batch.changes);
  }

  private fanOut(changes: readonly ReadModelChange[]): void {
    const perSub = new Map<Subscriber, ReadModelChange[]>();
    const push = (sub: Subscriber, change: ReadModelChange) => {
      const list = perSub.get(sub) ?? [];
      list.push(change);
      perSub.set(sub, list);
    };
    for (const change of changes) {
      for (const sub of this.staff) push(sub, change);
      for (const owner of ownersOf(change))
        for (const sub of this.byOwner.get(owner) ?? []) push(sub, change);
    }
    for (const [sub, list] of perSub) {
      if (sub.pending) sub.pending.push(...list);
      else this.deliver(sub, list);
    }
  }

  private async catchUp(sub: Subscriber, after: Position, until: Position): Promise<void> {
    const caught: ReadModelChange[] = [];
    let from = after;
    try {
      while (comparePositions(from, until) < 0 && caught.length < this.options.maxCatchUp) {
        const batch = await readChangesSince(this.db, from, { ownerId: sub.ownerId });
        const within = batch.changes.filter((c) => comparePositions(c.position, until) <= 0);
        caught.push(...within);
        if (comparePositions(batch.until, from) <= 0 || within.length < batch.changes.length) break;
        from = batch.until;
      }
    } catch (error) {
      this.logger.warn(
        `Catch-up failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.disconnect(sub, 'catch_up_failed');
      return;
    }
    sub.sent = after;
    if (caught.length >= this.options.maxCatchUp) {
      // Too far behind to replay: the client reloads its state and follows from here.
      this.send(sub, `id: ${formatPosition(until)}\nevent: reset\ndata: {}\n\n`);
      sub.sent = until;
    } else this.deliver(sub, caught);
    const pending = sub.pending ?? [];
    sub.pending = undefined;
    this.deliver(sub, pending);
  }

  /**
   * Writes changes in log order, skipping any at or before what was sent.
   * Changes that share a position (an adjustment moves a balance and makes
   * a movement in one event) are written in one chunk with the id on the
   * last, so a client that resumes from an id has had all of them.
   */
  private deliver(sub: Subscriber, changes: readonly ReadModelChange[]): void {
    const due = changes.filter(
      (change) =>
        comparePositions(change.position, sub.sent) > 0 &&
        (change.type !== 'movement' || sub.ownerId === undefined || listedFor(change, sub.ownerId)),
    );
    let chunk = '';
    for (const [i, change] of due.entries()) {
      const next = due[i + 1];
      const lastOfPosition = !next || comparePositions(next.position, change.position) !== 0;
      chunk +=
        (lastOfPosition ? `id: ${formatPosition(change.position)}\n` : '') +
        `event: ${change.type}\ndata: ${JSON.stringify(this.describe(change, sub.ownerId))}\n\n`;
      if (!lastOfPosition) continue;
      if (!this.send(sub, chunk)) return;
      chunk = '';
      sub.sent = change.position;
    }
  }

  /** Writes to a connection; one that holds too much unsent is disconnected instead. */
  private send(sub: Subscriber, chunk: string): boolean {
    if (sub.closed) return false;
    if (sub.sink.bufferedBytes + chunk.length > this.options.maxBufferedBytes) {
      this.disconnect(sub, 'slow_client');
      return false;
    }
    sub.sink.write(chunk);
    return true;
  }

  private disconnect(sub: Subscriber, reason: string): void {
    this.remove(sub);
    sub.sink.close(reason);
  }

  private add(sub: Subscriber): void {
    if (sub.ownerId === undefined) this.staff.add(sub);
    else {
      const set = this.byOwner.get(sub.ownerId) ?? new Set();
      set.add(sub);
      this.byOwner.set(sub.ownerId, set);
    }
  }

  private remove(sub: Subscriber): void {
    sub.closed = true;
    if (sub.ownerId === undefined) this.staff.delete(sub);
    else {
      const set = this.byOwner.get(sub.ownerId);
      set?.delete(sub);
      if (set && set.size === 0) this.byOwner.delete(sub.ownerId);
    }
  }

  private *all(): Iterable<Subscriber> {
    yield* [...this.staff];
    for (const set of [...this.byOwner.values()]) yield* [...set];
  }

  /** The reader's position: the read models' checkpoint when it first starts. */
  private async position(): Promise<Position> {
    if (!this.cursor) {
      const head = await liveHead(this.db);
      this.cursor ??= head;
    }
    return this.cursor;
  }

  /**
   * The reader starts with the first connection and then runs until the
   * process stops, so its position never jumps and no connection, however
   * it interleaves with another's, misses a round.
   */
  private start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      this.poll()
        .catch((error) =>
          this.logger.warn(
            `Live read failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    this.timer = setTimeout(tick, this.options.pollMs);
    this.heartbeats = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.heartbeats.unref();
  }
}

function ownersOf(change: ReadModelChange): Set<string> {
  if (change.type === 'balance') return new Set([change.ownerId]);
  return new Set(change.legs.map((l) => l.ownerId));
}

/** A recipient hears of a movement once its money arrived, as their movement list shows it. */
function listedFor(change: Extract<ReadModelChange, { type: 'movement' }>, ownerId: string) {
  return change.legs.some((l) => l.ownerId === ownerId && l.listed);
}
