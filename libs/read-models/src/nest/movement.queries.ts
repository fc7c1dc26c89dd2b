import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { walletMonthlyTotals, type MonthlyTotals } from '../movements/wallet-statistics.query';

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

@QueryHandler(WalletStatisticsQuery)
export class WalletStatisticsHandler implements IQueryHandler<WalletStatisticsQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ walletId, fromMonth, toMonth }: WalletStatisticsQuery): Promise<MonthlyTotals[]> {
    return walletMonthlyTotals(this.db, walletId, fromMonth, toMonth);
  }
}

export const MOVEMENT_QUERY_HANDLERS = [WalletStatisticsHandler];
