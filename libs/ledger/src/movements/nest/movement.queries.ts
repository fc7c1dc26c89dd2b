import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MovementStreams, type ReplayedSaga } from './movement-streams.service';

/**
 * A movement as its saga stream says now, with the events it was folded
 * from; undefined for an id that is not a known saga kind. From the stream,
 * never a read model, so it is current before any projection caught up.
 * Fails with `SagaStreamTooLong` past `MAX_SAGA_EVENTS` events.
 */
export class MovementStreamQuery extends Query<ReplayedSaga | undefined> {
  constructor(readonly movementId: string) {
    super();
  }
}

@QueryHandler(MovementStreamQuery)
export class MovementStreamQueryHandler implements IQueryHandler<MovementStreamQuery> {
  constructor(private readonly streams: MovementStreams) {}
  execute({ movementId }: MovementStreamQuery): Promise<ReplayedSaga | undefined> {
    return this.streams.replay(movementId);
  }
}
