import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { comparePositions, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { READ_MODELS_PROJECTOR, waitForPosition } from '@ledger/read-models';
import { positionParam } from './query-values';
import { RejectionException } from './rejection';

/** How long a query may wait for the read models to reach a client's write. */
const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/**
 * Queries take `?position=` (as returned by the command that wrote) and
 * answer only once the read models reflect it, so a frontend that just moved
 * money sees it. A position no write has reached yet can never be waited
 * for, so it is refused at once.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async waitFor(position: string | undefined): Promise<void> {
    if (position === undefined) return;
    const target = positionParam('position', position);
    const reached = () =>
      waitForPosition(this.db, READ_MODELS_PROJECTOR, target, READ_YOUR_WRITES_TIMEOUT_MS);
    const head = await this.store.lastCommittedPosition();
    if (comparePositions(target, head) > 0) throw new RejectionException('position_beyond_head');
    if (!(await reached())) throw new RejectionException('position_not_reached');
  }
}
