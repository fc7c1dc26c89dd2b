import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CURRENCY_EXPONENTS } from '../money';

export interface SupportedCurrency {
  readonly code: string;
  readonly exponent: number;
}

/** The currencies wallets can hold with their minor-unit exponents, by code. */
export class SupportedCurrenciesQuery extends Query<readonly SupportedCurrency[]> {}

@QueryHandler(SupportedCurrenciesQuery)
export class SupportedCurrenciesHandler implements IQueryHandler<SupportedCurrenciesQuery> {
  // The table is frozen at start, so the sorted list is computed once.
  private readonly currencies: readonly SupportedCurrency[] = Object.entries(CURRENCY_EXPONENTS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, exponent]) => ({ code, exponent }));

  execute(): Promise<readonly SupportedCurrency[]> {
    return Promise.resolve(this.currencies);
  }
}
