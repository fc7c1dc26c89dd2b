import type { EventData, EventMetadata, RecordedEvent } from '@ledger/event-store';

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
