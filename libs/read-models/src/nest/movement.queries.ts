import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import type { Page } from '../paging';
import type { MovementRecord } from '../movements/movement.record';
import {
  getMovementRecord,
  listMovements,
  type MovementFilter,
  type MovementPageQuery,
  type MovementProblem,
} from '../movements/movements.query';
import {
  walletStatement,
  walletStatementExport,
  type StatementLine,
} from '../movements/statement.query';
import { walletMonthlyTotals, type MonthlyTotals } from '../movements/wallet-statistics.query';

/** A page of one owner's movements across their wallets, newest first. */
export class MovementsPageQuery extends Query<Page<MovementRecord> | MovementProblem> {
  constructor(
    readonly ownerId: string,
    readonly query: MovementPageQuery,
  ) {
    super();
  }
}

/**
 * One movement with the legs `ownerId` may see (every leg when `ownerId` is
 * undefined: staff); undefined when there is none the caller may see.
 */
export class MovementRecordQuery extends Query<MovementRecord | undefined> {
  constructor(
    readonly movementId: string,
    readonly ownerId: string | undefined,
  ) {
    super();
  }
}

/** A page of one wallet's statement, newest first, with the balance after each completed line. */
export class WalletStatementPageQuery extends Query<Page<StatementLine> | MovementProblem> {
  constructor(
    readonly walletId: string,
    readonly query: Omit<MovementPageQuery, 'walletId'>,
  ) {
    super();
  }
}

/**
 * A wallet's statement lines in a range, oldest first, for a download: at
 * most one more than `MAX_STATEMENT_EXPORT_ROWS`, so the caller can tell
 * "too many" from "exactly the limit".
 */
export class WalletStatementExportQuery extends Query<StatementLine[]> {
  constructor(
    readonly walletId: string,
    readonly filter: Omit<MovementFilter, 'walletId'>,
  ) {
    super();
  }
}

/** Money in and out of one wallet per month and movement kind (`YYYY-MM` bounds, inclusive). */
export class WalletStatisticsQuery extends Query<MonthlyTotals[]> {
  constructor(
    readonly walletId: string,
    readonly fromMonth?: string,
    readonly toMonth?: string,
  ) {
    super();
  }
}

@QueryHandler(MovementsPageQuery)
export class MovementsPageHandler implements IQueryHandler<MovementsPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ ownerId, query }: MovementsPageQuery): Promise<Page<MovementRecord> | MovementProblem> {
    return listMovements(this.db, ownerId, query);
  }
}

@QueryHandler(MovementRecordQuery)
export class MovementRecordHandler implements IQueryHandler<MovementRecordQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ movementId, ownerId }: MovementRecordQuery): Promise<MovementRecord | undefined> {
    return getMovementRecord(this.db, movementId, ownerId);
  }
}

@QueryHandler(WalletStatementPageQuery)
export class WalletStatementPageHandler implements IQueryHandler<WalletStatementPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({
    walletId,
    query,
  }: WalletStatementPageQuery): Promise<Page<StatementLine> | MovementProblem> {
    return walletStatement(this.db, walletId, query);
  }
}

@QueryHandler(WalletStatementExportQuery)
export class WalletStatementExportHandler implements IQueryHandler<WalletStatementExportQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ walletId, filter }: WalletStatementExportQuery): Promise<StatementLine[]> {
    return walletStatementExport(this.db, walletId, filter);
  }
}

@QueryHandler(WalletStatisticsQuery)
export class WalletStatisticsHandler implements IQueryHandler<WalletStatisticsQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ walletId, fromMonth, toMonth }: WalletStatisticsQuery): Promise<MonthlyTotals[]> {
    return walletMonthlyTotals(this.db, walletId, fromMonth, toMonth);
  }
}

export const MOVEMENT_QUERY_HANDLERS = [
  MovementsPageHandler,
  MovementRecordHandler,
  WalletStatementPageHandler,
  WalletStatementExportHandler,
  WalletStatisticsHandler,
];
