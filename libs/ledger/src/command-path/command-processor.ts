import {
  IdempotencyViolationError,
  MAX_READ_COUNT,
  WrongExpectedVersionError,
  type EventData,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { encodeDecision, type Aggregate } from './aggregate';
import type { AppendBatcher } from './append-batcher';
import { commandPathObserver, secondsSince } from './command-path.observer';
import { adoptAppended, holdTogether, type Decided, type HeldStreams } from './held-streams';
import { ReadBatcher } from './read-batcher';
import { StreamLanes } from './stream-lanes';
import { StateCache, type CachedStream } from './state-cache';

export interface CommandContext {
  readonly correlationId?: string;
  readonly causationId?: string;
}

export type CommandOutcome<Event, Rejection extends string> =
  | {
      readonly ok: true;
      readonly events: readonly Event[];
      /** The stream's revision after this command. */
      readonly revision: bigint;
      /** Where the command's events are in the global log (for read-your-writes); undefined for a duplicate with nothing new. */
      readonly position: Position | undefined;
      /** True when this command id was already applied: nothing was written. */
      readonly duplicate: boolean;
    }
  | { readonly ok: false; readonly rejection: Rejection | 'concurrency_conflict' };

export interface ExecuteOptions {
  /**
   * The stream is almost certainly new (its id derives from a request id
   * just claimed): when it is not cached, skip reading it and append with
   * `no_stream`. The expected revision verifies the presumption; when the
   * stream exists after all, the append conflicts and the command is decided
   * again on the stream as read, exactly as after another writer's append.
   */
  readonly presumeNew?: boolean;
  /**
   * Asked right before each decision of the command, retries included: when
   * it answers false the command is not decided and answers
   * `concurrency_conflict`, writing nothing (an inline saga run past its lease).
   */
  readonly mayDecide?: () => boolean;
}

export interface CommandProcessorOptions {
  /** Attempts at deciding and appending before a conflict becomes `concurrency_conflict`. */
  readonly maxAttempts?: number;
  /** Most queued commands for one stream decided together and appended in one append. */
  readonly maxCoalesced?: number;
  /** Most queued commands for one stream; beyond it callers are refused rather than queued without end. */
  readonly maxQueuedPerStream?: number;
  /** The stream states this processor keeps; its limits are configuration (`readStateCacheOptions`). */
  readonly cache: StateCache<unknown>;
  /** Groups the first reads of streams not cached; by default one of the processor's own over its store. */
  readonly reads?: ReadBatcher;
}

interface Queued<C, E, R extends string> {
  readonly command: C;
  readonly context: CommandContext;
  readonly presumeNew: boolean;
  readonly mayDecide: (() => boolean) | undefined;
  resolve(outcome: CommandOutcome<E, R>): void;
  reject(error: unknown): void;
}

/**
 * Runs commands against streams: read, decide, append with the expected
 * revision. Commands for one stream wait in a per-stream lane, so writers to a
 * hot stream never race each other into optimistic retries; the lane decides
 * everything that queued up while the previous append was in flight and
 * appends it in one go. The conflict retry remains the safety net for writers
 * in other processes.
 */
export class CommandProcessor<S, C extends { commandId: string }, E, R extends string> {
  private readonly lanes: StreamLanes<Queued<C, E, R>>;
  private readonly cache: StateCache<S>;
  private readonly maxAttempts: number;
  private readonly reads: ReadBatcher;

  constructor(
    private readonly aggregate: Aggregate<S, C, E, R>,
    private readonly store: EventStore,
    private readonly batcher: AppendBatcher,
    options: CommandProcessorOptions,
  ) {
    this.cache = options.cache as StateCache<S>;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.lanes = new StreamLanes({
      maxCoalesced: options.maxCoalesced ?? 128,
      maxQueued: options.maxQueuedPerStream ?? 10_000,
      process: (streamId, batch) => this.process(streamId, batch),
      failed: (batch, error) => {
        for (const item of batch) item.reject(error);
      },
    });
    this.reads = options.reads ?? new ReadBatcher(store);
  }

  execute(
    streamId: string,
    command: C,
    context: CommandContext = {},
    options: ExecuteOptions = {},
  ): Promise<CommandOutcome<E, R>> {
    const startedMs = performance.now();
    const outcome = this.enqueue(streamId, command, context, options);
    outcome.then(
      (o) =>
        commandPathObserver().commandFinished(
          o.ok ? 'accepted' : o.rejection === 'concurrency_conflict' ? 'conflict' : 'rejected',
          secondsSince(startedMs),
        ),
      () => commandPathObserver().commandFinished('error', secondsSince(startedMs)),
    );
    return outcome;
  }

  private enqueue(
    streamId: string,
    command: C,
    context: CommandContext,
    options: ExecuteOptions,
  ): Promise<CommandOutcome<E, R>> {
    return new Promise((resolve, reject) => {
      this.lanes.join(
        streamId,
        {
          command,
          context,
          presumeNew: options.presumeNew === true,
          mayDecide: options.mayDecide,
          resolve,
          reject,
        },
        reject,
      );
    });
  }

  /**
   * Holds the lanes of several streams of this processor at once, gives
   * `work` their states, and lets it decide commands on them and append
   * everything in one group that is written all or none (`HeldStreams`):
   * a movement between two wallets of this ledger in one append. While held,
   * the streams' other commands wait in their lanes as behind an append in
   * flight, until the group is written or refused. The lanes are taken in
   * one instant (`StreamLanes.holdAll`), so two calls holding overlapping
   * streams never wait for each other in a cycle.
   * Needs a store with `appendGroups` (`AppendBatcher.groups`).
   */
  async together<T>(
    streamIds: readonly string[],
    work: (held: HeldStreams<C, E, R>) => Promise<T>,
  ): Promise<T> {
    const { aggregate, cache, batcher, lanes } = this;
    const load = (streamId: string) => this.load(streamId);
    return holdTogether({ aggregate, cache, batcher, lanes, load }, streamIds, work);
  }

  /** Keeps what a group appended for a stream as its cached state (`adoptAppended`). */
  adopt(streamId: string, decided: Decided<S>, nextRevision: bigint): void {
    const { aggregate, cache } = this;
    adoptAppended({ aggregate, cache }, streamId, cache.get(streamId), decided, nextRevision);
  }

  /**
   * The stream's state as the command side sees it (never a read model).
   * A fresh cached state needs no read: the next append's expected revision
   * verifies it. A caller that knows of a later event (`atLeast`), or that
   * must see writes of other processes now (`'latest'`), gets the cache
   * caught up first, which reads only the events after the cached revision.
   */
  async load(streamId: string, atLeast?: bigint | 'latest'): Promise<CachedStream<S>> {
    const cached = this.cache.get(streamId);
    const behind =
      atLeast === 'latest' ||
      (atLeast !== undefined && (cached?.revision === undefined || cached.revision < atLeast));
    if (cached && !cached.stale && !behind) return cached;
    return this.catchUp(streamId, cached ?? this.cache.empty(this.aggregate.initialState));
  }

  /**
   * Folds events of the stream as the log delivered them (the worker's tail)
   * into the cached state, so a process that did not write them acts on the
   * stream without reading it. Only events that continue the cached revision
   * are taken, or, with nothing cached, a history that starts at the stream's
   * first event; past a gap, and for a stale entry, the next load reads what
   * is missing, as it would have. The next append's expected revision
   * verifies the result like any cached state. With `keepIf`, a result it
   * refuses is not kept either (the caller would rather read the stream).
   */
  observe(
    streamId: string,
    events: readonly RecordedEvent[],
    keepIf?: (state: S) => boolean,
  ): void {
    const cached = this.cache.get(streamId);
    if (cached?.stale) return;
    const from = cached ?? this.cache.empty(this.aggregate.initialState);
    let { state, revision } = from;
    const commandIds: string[] = [];
    try {
      for (const recorded of events) {
        if (revision !== undefined && recorded.revision <= revision) continue;
        if (recorded.revision !== (revision === undefined ? 0n : revision + 1n)) break;
        state = this.aggregate.evolve(state, this.aggregate.decode(recorded));
        revision = recorded.revision;
        const commandId = recorded.metadata.commandId;
        if (typeof commandId === 'string') commandIds.push(commandId);
      }
    } catch {
      // An event this process cannot decode is the next load's to report, as before.
      return;
    }
    if (revision === undefined || revision === from.revision) return;
    if (keepIf && !keepIf(state)) return;
    this.cache.set(streamId, from.advance(state, revision, commandIds));
  }

  private async process(streamId: string, batch: Array<Queued<C, E, R>>): Promise<void> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const presumed =
        attempt === 1 && batch.every((item) => item.presumeNew) && !this.cache.get(streamId);
      let stream = presumed
        ? this.cache.empty(this.aggregate.initialState)
        : await this.load(streamId);
      let plan = this.plan(streamId, stream, batch);
      if (plan.refused || (presumed && plan.events.length === 0)) {
        // A refusal appends nothing, so no expected revision verifies the
        // cached state it was decided on: another process may have written
        // since (a credit that covers this hold). Decide again on what the
        // stream holds now, which reads only the events after the cache.
        // The same holds for a presumed-new stream when nothing is appended.
        stream = await this.load(streamId, 'latest');
        plan = this.plan(streamId, stream, batch);
      }
      if (plan.events.length === 0) return this.settle(plan, stream.revision, undefined);
      try {
        const result = await this.batcher.append({
          streamId,
          events: plan.events,
          expected: stream.revision ?? 'no_stream',
        });
        const expectedNext = (stream.revision ?? -1n) + BigInt(plan.events.length);
        if (result.nextRevision === expectedNext)
          this.cache.set(
            streamId,
            stream.advance(plan.state, result.nextRevision, plan.commandIds),
          );
        // The store recognised the events as a retry of an append another
        // writer (the same saga step run by two processes) made at other
        // revisions, whatever this one expected: the cached state is not the
        // stream's, and the next load catches up from what the cache really holds.
        else this.cache.markStale(streamId);
        return this.settle(plan, result.nextRevision, result.position);
      } catch (error) {
        if (error instanceof IdempotencyViolationError && batch.length > 1) {
          // One of the coalesced commands collides with events already written;
          // run them one at a time so only that command fails.
          for (const item of batch)
            await this.process(streamId, [item]).catch((error: unknown) => item.reject(error));
          return;
        }
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another writer won the race. Deciding again on fresh state is safe
        // because decide is pure; the jitter spreads competing retries apart.
        this.cache.markStale(streamId);
        commandPathObserver().conflictRetried();
        await sleep(Math.random() * 5 * attempt);
      }
    }
    for (const item of batch) item.resolve({ ok: false, rejection: 'concurrency_conflict' });
  }

  /** Decides every queued command in order against the state the previous ones leave behind. */
  private plan(streamId: string, stream: CachedStream<S>, batch: Array<Queued<C, E, R>>) {
    let state = stream.state;
    const events: EventData[] = [];
    const commandIds: string[] = [];
    const settled: Array<{
      item: Queued<C, E, R>;
      outcome: 'duplicate' | R | 'concurrency_conflict' | E[];
    }> = [];
    let refused = false;
    for (const item of batch) {
      const { commandId } = item.command;
      if (stream.hasSeen(commandId) || commandIds.includes(commandId)) {
        settled.push({ item, outcome: 'duplicate' });
        continue;
      }
      if (item.mayDecide?.() === false) {
        settled.push({ item, outcome: 'concurrency_conflict' });
        refused = true;
        continue;
      }
      const decision = this.aggregate.decide(item.command, state);
      if (typeof decision === 'string') {
        settled.push({ item, outcome: decision });
        refused = true;
        continue;
      }
      const encoded = encodeDecision(
        this.aggregate,
        streamId,
        state,
        item.command,
        item.context,
        decision,
      );
      events.push(...encoded.events);
      state = encoded.state;
      commandIds.push(commandId);
      settled.push({ item, outcome: decision });
    }
    return { state, events, commandIds, settled, refused };
  }

  private settle(
    plan: ReturnType<CommandProcessor<S, C, E, R>['plan']>,
    revision: bigint | undefined,
    position: Position | undefined,
  ): void {
    for (const { item, outcome } of plan.settled) {
      if (outcome === 'duplicate') {
        item.resolve({
          ok: true,
          events: [],
          revision: revision ?? -1n,
          position: undefined,
          duplicate: true,
        });
      } else if (typeof outcome === 'string') {
        item.resolve({ ok: false, rejection: outcome });
      } else {
        item.resolve({
          ok: true,
          events: outcome,
          revision: revision ?? -1n,
          position,
          duplicate: false,
        });
      }
    }
  }

  /** Reads only what was appended after the cached revision: a stream is never replayed from zero twice. */
  private async catchUp(streamId: string, cached: CachedStream<S>): Promise<CachedStream<S>> {
    let current = cached;
    // The first page goes with the reads of other lanes in one round trip;
    // a stream longer than that page is read on alone, in full pages.
    for (let first = true; ; first = false) {
      const fromRevision = current.revision === undefined ? 0n : current.revision + 1n;
      const maxCount = first ? this.reads.pageSize : MAX_READ_COUNT;
      const page = first
        ? await this.reads.read(streamId, fromRevision)
        : await this.store.readStream(streamId, { fromRevision, maxCount });
      if (page.length === 0) break;
      let state = current.state;
      const commandIds: string[] = [];
      for (const recorded of page) {
        state = this.aggregate.evolve(state, this.aggregate.decode(recorded));
        const commandId = recorded.metadata.commandId;
        if (typeof commandId === 'string') commandIds.push(commandId);
      }
      const last = page.at(-1);
      if (last) current = current.advance(state, last.revision, commandIds);
      if (page.length < maxCount) break;
    }
    if (current.stale) current = current.fresh();
    this.cache.set(streamId, current);
    return current;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
