import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';
import { LIVE_SCHEMA } from '../schema';

/**
 * A system or transit account in one currency. These accounts are
 * debit-normal from the ledger's point of view: `balanceMinor` is debits
 * minus credits (card clearing goes up as customers top up).
 */
export interface AccountBalance {
  readonly account: string;
  readonly currency: string;
  readonly debitsMinor: bigint;
  readonly creditsMinor: bigint;
  readonly balanceMinor: bigint;
  readonly updatedAt: Date;
}

export interface AccountBalancesQuery {
  /** `system` or `transit`; both when absent. */
  readonly kind?: 'system' | 'transit';
  readonly cursor?: string;
  readonly limit?: number;
}

interface AccountRow {
  account: string;
  currency: string;
  debits_minor: unknown;
  credits_minor: unknown;
  updated_at: Date | string;
}

const TAG = 'accounts';

/** System and transit accounts in (account, currency) order. Transit accounts are many, hence paged. */
export async function accountBalances(
  db: SqlExecutor,
  query: AccountBalancesQuery = {},
): Promise<Page<AccountBalance> | PageProblem> {
  const limit = pageSize(query.limit);
  if (limit === 'invalid_limit') return limit;
  const after = query.cursor === undefined ? undefined : decodeCursor(TAG, query.cursor, 2);
  if (query.cursor !== undefined && after === undefined) return 'invalid_cursor';
  const { rows } = await db.query<AccountRow>(
    `SELECT account, currency, debits_minor, credits_minor, updated_at
       FROM ${LIVE_SCHEMA}.account_balances
      WHERE ($1::text IS NULL OR account LIKE ($1 || ':%'))
        AND ($2::text IS NULL OR (account, currency) > ($2, $3::text))
      ORDER BY account, currency
      LIMIT $4`,
    [query.kind ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return toPage(rows, limit, toAccountBalance, (r) => [r.account, r.currency], TAG);
}

function toAccountBalance(row: AccountRow): AccountBalance {
  const debitsMinor = toBigInt(row.debits_minor);
  const creditsMinor = toBigInt(row.credits_minor);
  return {
    account: row.account,
    currency: row.currency,
    debitsMinor,
    creditsMinor,
    balanceMinor: debitsMinor - creditsMinor,
    updatedAt: new Date(row.updated_at),
  };
}
