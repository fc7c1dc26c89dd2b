import {
  IdempotencyViolationError,
  WrongExpectedVersionError,
  type AppendRequest,
  type AppendResult,
  type EventData,
} from '@ledger/event-store';
import { must } from '@ledger/invariant';
import { encodeDecision, type Aggregate } from './aggregate';
import type { AppendBatcher } from './append-batcher';
import { commandPathObserver } from './command-path.observer';
import type { CommandContext } from './command-processor';
import type { CachedStream, StateCache } from './state-cache';
import type { StreamLanes } from './stream-lanes';

/** What commands decided on a stream's state would append, without appending it. */
export interface Decided<S> {
  readonly events: readonly EventData[];
  /** The state after the commands' events. */
  readonly state: S;
  readonly commandIds: readonly string[];
}

/**
 * Streams of one processor held together (`CommandProcessor.together`):
 * commands are decided on their states, each seeing what the ones before it
 * here decided, and nothing is written until `commit` appends all of it at once.
 */
export interface HeldStreams<C, E, R extends string> {
  /**
   * Decides a command on a held stream as the commands decided before it
   * here leave it. `'duplicate'`: the stream has already seen the command id;
   * `'not_held'`: the stream is not one of those held.
   */
  decide(streamId: string, command: C, context: CommandContext): E[] | R | 'duplicate' | 'not_held';
  /**
   * Appends every held stream's decided events and then `also` as one
   * group, written all or none through the group commit, each held stream
   * with the revision its decisions were made on as the expected one. The
   * results are in that order: the held streams that have events, by
   * stream id, then `also`'s; undefined when the group was refused
   * (another writer moved one of the streams, or a retry overlaps): nothing
   * was written, and the held streams will be read again before their next
   * decision.
   */
  commit(also: readonly AppendRequest[]): Promise<AppendResult[] | undefined>;
}

/** What `holdStreams` needs of its processor. */
export interface HoldingProcessor<S, C extends { commandId: string }, E, R extends string> {
  readonly aggregate: Aggregate<S, C, E, R>;
  readonly cache: StateCache<S>;
  /** Appends a group all or none. */
  readonly batcher: Pick<AppendBatcher, 'appendTogether'>;
}

/** What `holdTogether` needs of its processor besides what `holdStreams` does. */
export interface LaneHolder<
  S,
  C extends { commandId: string },
  E,
  R extends string,
> extends HoldingProcessor<S, C, E, R> {
  readonly lanes: Pick<StreamLanes<object>, 'holdAll'>;
  load(streamId: string): Promise<CachedStream<S>>;
}

/** `CommandProcessor.together`: holds the lanes, loads the streams, and runs `work` on them. */
export async function holdTogether<S, C extends { commandId: string }, E, R extends string, T>(
  processor: LaneHolder<S, C, E, R>,
  streamIds: readonly string[],
  work: (held: HeldStreams<C, E, R>) => Promise<T>,
): Promise<T> {
  const ids = [...new Set(streamIds)].sort();
  const release = await processor.lanes.holdAll(ids);
  try {
    const loaded = await Promise.all(ids.map((id) => processor.load(id)));
    const streams = new Map(ids.map((id, i) => [id, must(loaded[i], 'a held stream')]));
    return await work(holdStreams(streams, processor));
  } finally {
    release();
  }
}

interface Deciding<S> {
  state: S;
  readonly events: EventData[];
  readonly commandIds: string[];
}

/**
 * The `HeldStreams` of streams whose lanes the caller holds, at the states
 * given. The lanes stay held until the group is written or refused: a
 * decision on a state the group has not yet written could be appended at
 * the revision another writer's event takes if the group is refused, which
 * an expected revision alone cannot tell apart.
 */
export function holdStreams<S, C extends { commandId: string }, E, R extends string>(
  streams: ReadonlyMap<string, CachedStream<S>>,
  processor: HoldingProcessor<S, C, E, R>,
): HeldStreams<C, E, R> {
  const { aggregate, cache } = processor;
  const deciding = new Map<string, Deciding<S>>();
  for (const [id, stream] of streams)
    deciding.set(id, { state: stream.state, events: [], commandIds: [] });
  const from = (streamId: string) => must(streams.get(streamId), 'a held stream');
  return {
    decide(streamId, command, context) {
      const so = deciding.get(streamId);
      if (!so) return 'not_held';
      const { commandId } = command;
      if (from(streamId).hasSeen(commandId) || so.commandIds.includes(commandId))
        return 'duplicate';
      const decision = aggregate.decide(command, so.state);
      if (typeof decision === 'string') return decision;
      const encoded = encodeDecision(aggregate, streamId, so.state, command, context, decision);
      so.state = encoded.state;
      so.events.push(...encoded.events);
      so.commandIds.push(commandId);
      return decision;
    },
    async commit(also) {
      const written = [...deciding].filter(([, so]) => so.events.length > 0);
      let results: AppendResult[];
      try {
        results = await processor.batcher.appendTogether([
          ...written.map(([streamId, so]) => ({
            streamId,
            events: so.events,
            expected: from(streamId).revision ?? ('no_stream' as const),
          })),
          ...also,
        ]);
      } catch (error) {
        // Refused, or failed with an outcome unknown: the next load reads the streams again.
        for (const [streamId] of written) cache.forget(streamId);
        if (
          !(error instanceof WrongExpectedVersionError) &&
          !(error instanceof IdempotencyViolationError)
        )
          throw error;
        commandPathObserver().conflictRetried();
        return undefined;
      }
      written.forEach(([streamId, so], i) => {
        const result = must(results[i], "a held stream's append");
        adoptAppended(processor, streamId, from(streamId), so, result.nextRevision);
      });
      return results;
    },
  };
}

/**
 * Keeps what a group appended for a stream as its cached state, as the
 * processor's own appends do: the stream was at `from` and `decided`'s
 * events now end at `nextRevision` (a retry recognised at other revisions
 * drops the entry instead, for the next load to read).
 */
export function adoptAppended<S, C extends { commandId: string }, E, R extends string>(
  { aggregate, cache }: Pick<HoldingProcessor<S, C, E, R>, 'aggregate' | 'cache'>,
  streamId: string,
  from: CachedStream<S> | undefined,
  decided: Decided<S>,
  nextRevision: bigint,
): void {
  const start = from ?? cache.empty(aggregate.initialState);
  const expectedNext = (start.revision ?? -1n) + BigInt(decided.events.length);
  if (nextRevision === expectedNext)
    cache.set(streamId, start.advance(decided.state, nextRevision, decided.commandIds));
  else cache.forget(streamId);
}
