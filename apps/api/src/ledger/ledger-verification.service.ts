import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { verifyLedger, type VerifyReport } from '@ledger/read-models';
import { RejectionException } from '../http/rejection';

/**
 * Runs the ledger verifier for staff over HTTP. A verify reads the whole log,
 * so only one runs at a time in a process; a second request is told so
 * rather than doubling the load.
 */
@Injectable()
export class LedgerVerification {
  private running?: Promise<VerifyReport>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async run(): Promise<VerifyReport> {
    if (this.running)
      throw new RejectionException(
        'verification_in_progress',
        'A verification is already running; retry when it ends',
      );
    this.running = verifyLedger(this.db, this.store);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
