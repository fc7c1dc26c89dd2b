import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Position } from '@ledger/event-store';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import type { Page, PageProblem } from '../paging';
import { walletBalanceAsOf, type WalletBalanceAsOf } from '../balance-history/as-of.query';
import {
  getWallet,
  listWallets,
  type ListWalletsQuery,
  type WalletBalance,
} from '../wallet-balances/wallet-balances.query';
import {
  walletHistory,
  type HistoryEntry,
  type HistoryProblem,
  type WalletHistoryQuery,
} from '../wallet-history/wallet-history.query';

/**
 * Wallet read-model queries on the `@nestjs/cqrs` QueryBus. Each message names
 * the answer's type; its handler runs the library's query function against
 * the process's SQL database, so no app holds read-model SQL or a database
 * handle for it.
 */

/** One wallet's balances; undefined when the read model has no such wallet. */
export class GetWalletQuery extends Query<WalletBalance | undefined> {
  constructor(readonly walletId: string) {
    super();
  }
}

/** A page of wallets, optionally of one owner. */
export class ListWalletsPageQuery extends Query<Page<WalletBalance> | PageProblem> {
  constructor(readonly query: ListWalletsQuery) {
    super();
  }
}

/** A page of one wallet's history. */
export class WalletHistoryPageQuery extends Query<Page<HistoryEntry> | HistoryProblem> {
  constructor(
    readonly walletId: string,
    readonly query: WalletHistoryQuery,
  ) {
    super();
  }
}

/** The wallet's balances as of a log position; undefined when it did not exist then. */
export class WalletBalanceAsOfQuery extends Query<WalletBalanceAsOf | undefined> {
  constructor(
    readonly wallet: { readonly walletId: string; readonly currency: string },
    readonly position: Position,
  ) {
    super();
  }
}

@QueryHandler(GetWalletQuery)
export class GetWalletHandler implements IQueryHandler<GetWalletQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ walletId }: GetWalletQuery): Promise<WalletBalance | undefined> {
    return getWallet(this.db, walletId);
  }
}

@QueryHandler(ListWalletsPageQuery)
export class ListWalletsPageHandler implements IQueryHandler<ListWalletsPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ query }: ListWalletsPageQuery): Promise<Page<WalletBalance> | PageProblem> {
    return listWallets(this.db, query);
  }
}

@QueryHandler(WalletHistoryPageQuery)
export class WalletHistoryPageHandler implements IQueryHandler<WalletHistoryPageQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({
    walletId,
    query,
  }: WalletHistoryPageQuery): Promise<Page<HistoryEntry> | HistoryProblem> {
    return walletHistory(this.db, walletId, query);
  }
}

@QueryHandler(WalletBalanceAsOfQuery)
export class WalletBalanceAsOfHandler implements IQueryHandler<WalletBalanceAsOfQuery> {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}
  execute({ wallet, position }: WalletBalanceAsOfQuery): Promise<WalletBalanceAsOf | undefined> {
    return walletBalanceAsOf(this.db, wallet, position);
  }
}

export const WALLET_QUERY_HANDLERS = [
  GetWalletHandler,
  ListWalletsPageHandler,
  WalletHistoryPageHandler,
  WalletBalanceAsOfHandler,
];
