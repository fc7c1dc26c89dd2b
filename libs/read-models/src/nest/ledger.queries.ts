import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore, type Position } from '@ledger/event-store';
import type { Page, PageProblem } from '../paging';
import {
  accountBalances,
  type AccountBalance,
  type AccountBalancesQuery,
} from '../account-balances/account-balances.query';
import { trialBalance, type TrialBalance } from '../account-balances/trial-balance.query';
import {
  accountBalancesAsOf,
  trialBalanceAsOf,
  type AccountBalanceAsOf,
} from '../balance-history/accounts-as-of.query';
import {
  listStuckMovements,
  type StuckMovement,
  type StuckMovementQuery,
} from '../movements/stuck-movements.query';
import { describeStatus, projectionStatus } from '../projection-status.query';
import { READ_MODELS_PROJECTOR } from '../read-models.projector';
import { verifyLedger } from '../verify/ledger-verifier';
import type { VerifyReport } from '../verify/verify.report';

/**
 * The books as a whole, for finance and audit, on the `@nestjs/cqrs`
 * QueryBus: trial balance, system and transit accounts, the projections'
 * lag, the movements an operator should look at, and the verifier.
 */

/** Debits and credits per currency over every account, now or as of a log position. */
export class TrialBalanceQuery extends Query<TrialBalance> {
  constructor(readonly asOf?: Position) {
    super();
  }
}

/** A page of system and transit accounts, now or as of a log position. */
export class AccountBalancesPageQuery extends Query<
  Page<AccountBalance> | Page<AccountBalanceAsOf> | PageProblem
> {
  constructor(
    readonly query: AccountBalancesQuery,
    readonly asOf?: Position,
  ) {
    super();
  }
}

export type ProjectionsReport = Record<string, unknown> & {
  /** Seconds the oldest transaction still writing has been open; null where it cannot be seen. */
  readonly oldestWriteTransactionSeconds: number | null;
};

/** How far the read models are behind the log, and what may be holding them back. */
export class ProjectionsReportQuery extends Query<ProjectionsReport> {}

/** A page of pending movements requested before a bound (parked ones always), oldest first. */
export class StuckMovementsPageQuery extends Query<Page<StuckMovement> | PageProblem> {
  constructor(readonly query: StuckMovementQuery) {
    super();
  }
}

/**
 * Replays the log and compares every account with the read models; refused
 * while another verification runs in this process.
 */
export class VerifyLedgerQuery extends Query<VerifyReport | 'verification_in_progress'> {}

@QueryHandler(TrialBalanceQuery)
export class TrialBalanceHandler implements IQueryHandler<TrialBalanceQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ asOf }: TrialBalanceQuery): Promise<TrialBalance> {
    return asOf ? trialBalanceAsOf(this.db, asOf) : trialBalance(this.db);
  }
}

@QueryHandler(AccountBalancesPageQuery)
export class AccountBalancesPageHandler implements IQueryHandler<AccountBalancesPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({
    query,
    asOf,
  }: AccountBalancesPageQuery): Promise<
    Page<AccountBalance> | Page<AccountBalanceAsOf> | PageProblem
  > {
    return asOf ? accountBalancesAsOf(this.db, asOf, query) : accountBalances(this.db, query);
  }
}

@QueryHandler(ProjectionsReportQuery)
export class ProjectionsReportHandler implements IQueryHandler<ProjectionsReportQuery> {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(): Promise<ProjectionsReport> {
    const status = describeStatus(
      await projectionStatus(this.db, this.store, READ_MODELS_PROJECTOR),
    );
    return { ...status, oldestWriteTransactionSeconds: await this.oldestWriteTransactionSeconds() };
  }

  /**
   * The SQL event store shows readers only what committed before the oldest
   * transaction still writing anywhere on the server, so one long transaction
   * holds every projection back. Its age is the first thing to check when
   * lag grows while the log does not. Null where it cannot be seen (PGlite).
   * `pg_stat_activity` is a server view, not a read model.
   */
  private async oldestWriteTransactionSeconds(): Promise<number | null> {
    if (this.db.kind !== 'postgres') return null;
    const { rows } = await this.db.query<{ seconds: number | null }>(
      `SELECT EXTRACT(EPOCH FROM now() - min(xact_start))::float8 AS seconds
         FROM pg_stat_activity WHERE backend_xid IS NOT NULL`,
    );
    return rows[0]?.seconds ?? 0;
  }
}

@QueryHandler(StuckMovementsPageQuery)
export class StuckMovementsPageHandler implements IQueryHandler<StuckMovementsPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ query }: StuckMovementsPageQuery): Promise<Page<StuckMovement> | PageProblem> {
    return listStuckMovements(this.db, query);
  }
}

/**
 * A verify reads the whole log, so only one runs at a time in a process
 * (the handler is a singleton); a second request is told so rather than
 * doubling the load.
 */
@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerHandler implements IQueryHandler<VerifyLedgerQuery> {
  private running?: Promise<VerifyReport>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(): Promise<VerifyReport | 'verification_in_progress'> {
    if (this.running) return 'verification_in_progress';
    this.running = verifyLedger(this.db, this.store);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}

export const LEDGER_QUERY_HANDLERS = [
  TrialBalanceHandler,
  AccountBalancesPageHandler,
  ProjectionsReportHandler,
  StuckMovementsPageHandler,
  VerifyLedgerHandler,
];
