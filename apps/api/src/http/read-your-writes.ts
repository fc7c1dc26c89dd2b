import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import {
  comparePositions,
  EVENT_STORE,
  SqlEventStore,
  START,
  type EventStore,
  type Position,
} from '@ledger/event-store';
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
    const head = await this.lastCommitted();
    if (comparePositions(target, head) > 0) throw new RejectionException('position_beyond_head');
    if (!(await reached())) throw new RejectionException('position_not_reached');
  }

  /**
   * The last event that committed. On the SQL store the global log shows
   * readers only what committed before the oldest open transaction, which
   * may be behind a write the client has just been answered for, so the
   * events table itself is asked; other stores' heads have no such lag.
   */
  private async lastCommitted(): Promise<Position> {
    if (!(this.store instanceof SqlEventStore)) return this.store.headPosition();
    const { rows } = await this.db.query<{ commit: string; prepare: string }>(
      'SELECT tx_id::text AS commit, seq::text AS prepare FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1',
    );
    const last = rows[0];
    return last ? { commit: BigInt(last.commit), prepare: BigInt(last.prepare) } : START;
  }
}
