import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  EVENT_STORE,
  MAX_READ_COUNT,
  type EventStore,
  type RecordedEvent,
} from '@ledger/event-store';
import { AppendBatcher } from '../../command-path/append-batcher';
import {
  CommandProcessor,
  type CommandContext,
  type CommandOutcome,
  type ExecuteOptions,
} from '../../command-path/command-processor';
import { decideNew } from '../../command-path/aggregate';
import type { Decided } from '../../command-path/held-streams';
import { StateCache } from '../../command-path/state-cache';
import { readStateCacheOptions } from '../../nest/state-cache.config';
import type { MovementRejection } from '../movement.rejections';
import { parseSagaStreamId, type SagaEvent, type SagaKind, type SagaSummary } from '../saga';
import { SAGAS, type AnySaga } from '../sagas';

export type SagaOutcome = CommandOutcome<SagaEvent, MovementRejection>;

type SagaProcessor = CommandProcessor<unknown, { commandId: string }, SagaEvent, MovementRejection>;

/**
 * Where the correlation id of the work in progress comes from (the request's
 * id while a request is served, the job's or the saga's while the worker
 * runs one); the application provides it from its log context. Saga events
 * recorded within it carry it as `correlationId`, so the saga's later steps
 * and jobs, in the worker, log under the id of the request that began it.
 */
export const CURRENT_CORRELATION = Symbol('CURRENT_CORRELATION');
export interface CurrentCorrelation {
  current(): string | undefined;
}

/** A saga's state as the write side knows it. */
export interface SagaState {
  readonly movementId: string;
  readonly kind: SagaKind;
  readonly saga: AnySaga;
  readonly state: unknown;
  readonly summary: SagaSummary | undefined;
  /** Revision of the saga's last event; undefined for no stream. */
  readonly revision: bigint | undefined;
}

/** A saga's state with the events it was folded from (its steps, for display). */
export interface ReplayedSaga extends SagaState {
  readonly events: readonly RecordedEvent[];
}

/** A saga stream has a handful of events; more than this is a runaway loop, not a movement. */
export const MAX_SAGA_EVENTS = 1_000;

/** A saga stream longer than `MAX_SAGA_EVENTS`: folding only its first events would show a state it is not in. */
export class SagaStreamTooLong extends Error {
  override readonly name = 'SagaStreamTooLong';
  constructor(readonly movementId: string) {
    super(`Saga stream ${movementId} has more than ${MAX_SAGA_EVENTS} events`);
  }
}

/**
 * The saga streams' write side: every recording (a request, a provider's
 * report, a step's outcome) goes through the command path, so it is decided
 * against the stream's current state and appended with the expected
 * revision. Reads go to the stream itself, never to a cache or a read model,
 * because the driver and the API run in different processes.
 */
@Injectable()
export class MovementStreams {
  private readonly processors = new Map<SagaKind, SagaProcessor>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() shared?: AppendBatcher,
    @Optional()
    @Inject(CURRENT_CORRELATION)
    private readonly correlation?: CurrentCorrelation,
  ) {
    const batcher = shared ?? new AppendBatcher(store);
    for (const [kind, saga] of Object.entries(SAGAS) as Array<[SagaKind, AnySaga]>) {
      // Each saga kind has its own cache, with the same limits as the wallets'.
      const cache = new StateCache<unknown>(readStateCacheOptions(process.env));
      // AnySaga erases each saga's own types: the table holds sagas of every kind.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
      this.processors.set(kind, new CommandProcessor(saga, store, batcher, { cache }));
    }
  }

  /**
   * Records a command on a saga stream; a repeated command id is a no-op success.
   * `presumeNew` (a request's first event on a stream named after it) spares
   * the read of a stream not cached: see `ExecuteOptions`.
   */
  record<C extends { commandId: string }>(
    movementId: string,
    command: C,
    context: CommandContext = {},
    options: ExecuteOptions = {},
  ): Promise<SagaOutcome> {
    const kind = parseSagaStreamId(movementId)?.kind;
    const processor = kind && this.processors.get(kind);
    if (!processor) throw new RangeError(`Not a saga stream: ${movementId}`);
    return processor.execute(movementId, command, this.contextOf(movementId, context), options);
  }

  /** The context a saga event is recorded in: the work in progress's correlation first. */
  private contextOf(movementId: string, context: CommandContext): CommandContext {
    return {
      correlationId: this.correlation?.current() ?? context.correlationId ?? movementId,
      causationId: context.causationId,
    };
  }

  /**
   * What commands would append to a new saga stream, decided as `record`
   * decides them (the same correlation), and the saga they make; or the
   * first refusal. Nothing is written: the caller appends the events in a
   * group with the wallets' (`runTogether`) and then `adopt`s them. `after`:
   * an earlier answer for the same stream, which the commands go on from.
   */
  decideNew(
    movementId: string,
    commands: ReadonlyArray<{
      readonly command: { commandId: string };
      readonly context: CommandContext;
    }>,
    after?: { readonly decided: Decided<unknown> },
  ): { readonly decided: Decided<unknown>; readonly saga: SagaState } | MovementRejection {
    const kind = parseSagaStreamId(movementId)?.kind;
    if (!kind) throw new RangeError(`Not a saga stream: ${movementId}`);
    const saga = SAGAS[kind];
    const decided = decideNew(
      saga,
      movementId,
      commands.map(({ command, context }) => ({
        command,
        context: this.contextOf(movementId, context),
      })),
      after?.decided,
    );
    if (typeof decided === 'string') return decided;
    const state: unknown = decided.state;
    const revision = BigInt(decided.events.length - 1);
    return {
      decided,
      saga: { movementId, kind, saga, state, summary: saga.summary(state), revision },
    };
  }

  /** Keeps a saga stream that a group created (`decideNew`) as the command side's cached state. */
  adopt(movementId: string, decided: Decided<unknown>, nextRevision: bigint): void {
    const kind = parseSagaStreamId(movementId)?.kind;
    if (kind) this.processors.get(kind)?.adopt(movementId, decided, nextRevision);
  }

  /**
   * The saga's state from the command side's verified cache: no read when this
   * process wrote the saga's last event, otherwise only the events after the
   * cached revision. `atLeast` is the revision of an event the caller has
   * seen (another process may have written it), or `'latest'` to read
   * whatever was appended since. The driver advances sagas through this.
   */
  async current(movementId: string, atLeast: bigint | 'latest'): Promise<SagaState | undefined> {
    const kind = parseSagaStreamId(movementId)?.kind;
    const processor = kind && this.processors.get(kind);
    if (!kind || !processor) return undefined;
    const saga = SAGAS[kind];
    const { state, revision } = await processor.load(movementId, atLeast);
    return { movementId, kind, saga, state, summary: saga.summary(state), revision };
  }

  /**
   * Folds the saga events of a batch of the log into the command side's
   * cache (see `CommandProcessor.observe`) where they end the saga, or where
   * the saga has an inline lease, so the driver woken by them finds it
   * finished, or leased, without reading its stream. Another pending saga is
   * not kept: its stream may already be further on (the API runs its steps
   * as the log is read), and the driver acting on the older state would
   * repeat, as duplicates, steps already taken. A leased saga is not acted
   * on before its lease ends, and then first through an append with the
   * expected revision (`EndInlineRun`), which verifies the state it acts on.
   */
  observe(events: readonly RecordedEvent[]): void {
    const byStream = new Map<string, { kind: SagaKind; events: RecordedEvent[] }>();
    for (const event of events) {
      const seen = byStream.get(event.streamId);
      if (seen) {
        seen.events.push(event);
        continue;
      }
      const kind = parseSagaStreamId(event.streamId)?.kind;
      if (kind) byStream.set(event.streamId, { kind, events: [event] });
    }
    for (const [stream, { kind, events: streamEvents }] of byStream) {
      const saga = SAGAS[kind];
      this.processors.get(kind)?.observe(stream, streamEvents, (state) => {
        const status = saga.summary(state)?.status;
        if (status === 'pending') return saga.inlineLease?.(state) !== undefined;
        return status !== undefined;
      });
    }
  }

  /**
   * The saga as its stream says now, folded from its first event past any
   * cache, or undefined for a stream that is not a known saga kind. @throws SagaStreamTooLong past `MAX_SAGA_EVENTS` events.
   */
  async replay(movementId: string): Promise<ReplayedSaga | undefined> {
    const kind = parseSagaStreamId(movementId)?.kind;
    const saga = kind && SAGAS[kind];
    if (!kind || !saga) return undefined;
    const events = await this.store.readStream(movementId, {
      maxCount: Math.min(MAX_SAGA_EVENTS + 1, MAX_READ_COUNT),
    });
    if (events.length > MAX_SAGA_EVENTS) throw new SagaStreamTooLong(movementId);
    const state = events.reduce(
      (s: unknown, e) => saga.evolve(s, saga.decode(e)),
      saga.initialState,
    );
    const revision = events.at(-1)?.revision;
    return { movementId, kind, saga, state, summary: saga.summary(state), revision, events };
  }
}
