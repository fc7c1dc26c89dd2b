import type { SqlExecutor } from '@ledger/database';
import type { Position } from '@ledger/event-store';
import { toBigInt } from '@ledger/ledger';
import type { AccountBalancesQuery } from '../account-balances/account-balances.query';
import type { TrialBalance } from '../account-balances/trial-balance.query';
import { decodeCursor, pageSize, toPage, type Page, type PageProblem } from '../paging';
import { LIVE_SCHEMA } from '../schema';
import { toHistoryRow } from './as-of.query';

/** A system or transit account as of a position; debit-normal like AccountBalance. */
export interface AccountBalanceAsOf {
  readonly account: string;
  readonly currency: string;
  readonly debitsMinor: bigint;
  readonly creditsMinor: bigint;
  readonly balanceMinor: bigint;
  /** The event that last changed this account. */
  readonly changedAt: Position;
}

const TAG = 'accounts';

/**
 * System and transit accounts as of `position`, in (account, currency) order
 * with the same cursors as accountBalances. A page scans at most `limit + 1`
 * accounts of today's list, one history probe each, so its cost is bounded
 * by the page size; accounts first used after `position` are left out, so a
 * page may hold fewer than `limit` items while `nextCursor` says more follow.
 */
export async function accountBalancesAsOf(
  db: SqlExecutor,
  position: Position,
  query: AccountBalancesQuery = {},
): Promise<Page<AccountBalanceAsOf> | PageProblem> {
  const limit = pageSize(query.limit);
  if (limit === 'invalid_limit') return limit;
  const after = query.cursor === undefined ? undefined : decodeCursor(TAG, query.cursor, 2);
  if (query.cursor !== undefined && after === undefined) return 'invalid_cursor';
  const { rows } = await db.query<Record<string, unknown> & { account: string; currency: string }>(
    `SELECT a.account, a.currency, h.debits_minor, h.credits_minor, h.held_minor, h.commit_pos, h.prepare_pos
       FROM (SELECT account, currency FROM ${LIVE_SCHEMA}.account_balances
              WHERE ($1::text IS NULL OR account LIKE ($1 || ':%'))
                AND ($2::text IS NULL OR (account, currency) > ($2, $3::text))
              ORDER BY account, currency LIMIT $4) a
       LEFT JOIN LATERAL (
         SELECT * FROM ${LIVE_SCHEMA}.balance_history b
          WHERE b.account = a.account AND b.currency = a.currency
            AND (b.commit_pos, b.prepare_pos) <= ($5::bigint, $6::bigint)
          ORDER BY b.commit_pos DESC, b.prepare_pos DESC LIMIT 1) h ON true
      ORDER BY a.account, a.currency`,
    [
      query.kind ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit + 1,
      position.commit.toString(),
      position.prepare.toString(),
    ],
  );
  const page = toPage(rows, limit, toAccount, (r) => [r.account, r.currency], TAG);
  return {
    items: page.items.filter((item): item is AccountBalanceAsOf => item !== undefined),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
}

function toAccount(
  row: Record<string, unknown> & { account: string; currency: string },
): AccountBalanceAsOf | undefined {
  if (row.commit_pos === null) return undefined;
  const h = toHistoryRow(row);
  return {
    account: row.account,
    currency: row.currency,
    debitsMinor: h.debits,
    creditsMinor: h.credits,
    balanceMinor: h.debits - h.credits,
    changedAt: h.position,
  };
}

/**
 * Currencies the ledger can hold are ISO 4217 codes, far fewer than this; the
 * bound keeps the currency walk below finite whatever the table holds.
 */
export const MAX_TRIAL_BALANCE_CURRENCIES = 1_000;

/**
 * The trial balance as of `position`: per currency, the latest ledger_totals
 * row at or before it. The currencies are walked as a skip scan of the
 * primary key (one probe per currency, never a scan of the history), so the
 * cost is one probe per currency for the walk and one for its totals:
 * O(currencies · log rows), whatever the number of accounts or events.
 */
export async function trialBalanceAsOf(db: SqlExecutor, position: Position): Promise<TrialBalance> {
  const { rows } = await db.query<Record<string, unknown> & { currency: string }>(
    `WITH RECURSIVE c AS (
       (SELECT currency, 1 AS n FROM ${LIVE_SCHEMA}.ledger_totals ORDER BY currency LIMIT 1)
       UNION ALL
       SELECT (SELECT t.currency FROM ${LIVE_SCHEMA}.ledger_totals t WHERE t.currency > c.currency
                ORDER BY t.currency LIMIT 1), c.n + 1
         FROM c WHERE c.currency IS NOT NULL AND c.n < $3)
     SELECT c.currency, r.*
       FROM c CROSS JOIN LATERAL (
         SELECT wallet_debits_minor + system_debits_minor + transit_debits_minor AS debits,
                wallet_credits_minor + system_credits_minor + transit_credits_minor AS credits
           FROM ${LIVE_SCHEMA}.ledger_totals t
          WHERE t.currency = c.currency AND (t.commit_pos, t.prepare_pos) <= ($1::bigint, $2::bigint)
          ORDER BY t.commit_pos DESC, t.prepare_pos DESC LIMIT 1) r
      WHERE c.currency IS NOT NULL
      ORDER BY c.currency`,
    [position.commit.toString(), position.prepare.toString(), MAX_TRIAL_BALANCE_CURRENCIES],
  );
  const lines = rows.map((row) => {
    const debitsMinor = toBigInt(row.debits);
    const creditsMinor = toBigInt(row.credits);
    return {
      currency: row.currency,
      debitsMinor,
      creditsMinor,
      balanced: debitsMinor === creditsMinor,
    };
  });
  return { lines, balanced: lines.every((line) => line.balanced) };
}
