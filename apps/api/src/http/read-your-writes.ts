import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { parsePosition } from '@ledger/event-store';
import { READ_MODELS_PROJECTOR, waitForPosition } from '@ledger/read-models';
import { RejectionException } from './rejection';

/** How long a query may wait for the read models to reach a client's write. */
const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/**
 * Queries take `?position=` (as returned by the command that wrote) and
 * answer only once the read models reflect it, so a frontend that just moved
 * money sees it.
 */
@Injectable()
export class ReadYourWrites {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async waitFor(position: string | undefined): Promise<void> {
    if (position === undefined) return;
    const target = parsePosition(position);
    if (!target) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'validation_failed',
        message: 'position must be a position token as returned by a command, e.g. "812.4521"',
      });
    }
    const reached = await waitForPosition(
      this.db,
      READ_MODELS_PROJECTOR,
      target,
      READ_YOUR_WRITES_TIMEOUT_MS,
    );
    if (!reached) throw new RejectionException('position_not_reached');
  }
}
