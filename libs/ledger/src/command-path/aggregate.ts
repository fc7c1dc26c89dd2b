import type { EventData, EventMetadata, RecordedEvent } from '@ledger/event-store';
import type { CommandContext } from './command-processor';
import type { Decided } from './held-streams';

/**
 * What the command path needs to know about one kind of stream: a pure
 * decider plus the codec between its events and stored events.
 */
export interface Aggregate<
  State,
  Command extends { commandId: string },
  Event,
  Rejection extends string,
> {
  readonly initialState: State;
  decide(command: Command, state: State): Event[] | Rejection;
  evolve(state: State, event: Event): State;
  /** `index` is the event's position within the command's decision, for deriving its id. */
  encode(
    streamId: string,
    event: Event,
    commandId: string,
    index: number,
    metadata: EventMetadata,
  ): EventData;
  decode(recorded: RecordedEvent): Event;
}

/** A decision's events as stored, with the command's ids in their metadata, and the state they leave. */
export function encodeDecision<S, C extends { commandId: string }, E, R extends string>(
  aggregate: Aggregate<S, C, E, R>,
  streamId: string,
  from: S,
  command: C,
  context: CommandContext,
  decision: readonly E[],
): { events: EventData[]; state: S } {
  const { commandId } = command;
  const metadata: EventMetadata = {
    ...(context.correlationId && { correlationId: context.correlationId }),
    causationId: context.causationId ?? commandId,
  };
  let state = from;
  const events = decision.map((event, index) => {
    state = aggregate.evolve(state, event);
    return aggregate.encode(streamId, event, commandId, index, metadata);
  });
  return { events, state };
}

/**
 * Decides commands in order on a new stream without writing: the events
 * they would append and the state they leave, or the first refusal (a
 * stream about to be created in a group with others). `after`: what earlier
 * commands on the same new stream already decided, to go on from.
 */
export function decideNew<S, C extends { commandId: string }, E, R extends string>(
  aggregate: Aggregate<S, C, E, R>,
  streamId: string,
  commands: ReadonlyArray<{ readonly command: C; readonly context: CommandContext }>,
  after?: Decided<S>,
): Decided<S> | R {
  let state = after ? after.state : aggregate.initialState;
  const events: EventData[] = [...(after?.events ?? [])];
  const commandIds: string[] = [...(after?.commandIds ?? [])];
  for (const { command, context } of commands) {
    const decision = aggregate.decide(command, state);
    if (typeof decision === 'string') return decision;
    const encoded = encodeDecision(aggregate, streamId, state, command, context, decision);
    state = encoded.state;
    events.push(...encoded.events);
    commandIds.push(command.commandId);
  }
  return { events, state, commandIds };
}
