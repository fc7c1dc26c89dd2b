import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { toPage, type Page } from '../paging';
import { LIVE_SCHEMA } from '../schema';
import {
  LEG_SELECT,
  legOf,
  SUMMARY_SELECT,
  summaryOf,
  type LegRow,
  type MovementLeg,
  type MovementSummary,
  type SummaryRow,
} from './movement.record';
import {
  keysetOf,
  legConditions,
  type MovementFilter,
  type MovementPageQuery,
  type MovementProblem,
} from './movements.query';

/** One row of a wallet's statement: a movement as this wallet saw it. */
export interface StatementLine {
  readonly movement: MovementSummary;
  readonly leg: MovementLeg;
  /**
   * The wallet's posted balance right after this row's money moved; absent
   * while pending or after a failure (nothing moved), and for rows posted
   * before the balance history's floor.
   */
  readonly balanceAfterMinor?: bigint;
}

type LineRow = SummaryRow & LegRow & { balance_after_minor: unknown };

/** A month of statement is at most this many rows; a busier wallet pages its CSV. */
export const MAX_STATEMENT_EXPORT_ROWS = 10_000;

/**
 * A wallet's statement, newest first: one row per movement that touched it,
 * not per event. The balance after a completed row is the balance history's
 * row at the position of the event that posted it (one primary-key probe),
 * so the statement and the balances can never disagree.
 */
export async function walletStatement(
  db: SqlExecutor,
  walletId: string,
  query: Omit<MovementPageQuery, 'walletId'> = {},
): Promise<Page<StatementLine> | MovementProblem> {
  const tag = `statement:${walletId}`;
  const keyset = keysetOf(tag, query);
  if (typeof keyset === 'string') return keyset;
  const rows = await statementRows(db, { ...query, walletId }, keyset.limit + 1, keyset.before);
  return toPage(
    rows,
    keyset.limit,
    lineOf,
    (row) => [String(row.created_commit), String(row.created_prepare), row.movement_id],
    tag,
  );
}

/** Every row of a range, oldest first, for a download; at most MAX_STATEMENT_EXPORT_ROWS + 1. */
export async function walletStatementExport(
  db: SqlExecutor,
  walletId: string,
  filter: Omit<MovementFilter, 'walletId'>,
): Promise<StatementLine[]> {
  const rows = await statementRows(db, { ...filter, walletId }, MAX_STATEMENT_EXPORT_ROWS + 1);
  return rows.reverse().map(lineOf);
}

async function statementRows(
  db: SqlExecutor,
  filter: MovementFilter,
  limit: number,
  before?: readonly string[],
): Promise<LineRow[]> {
  const params: unknown[] = [];
  const where = legConditions(filter, { limit, before }, params);
  const { rows } = await db.query<LineRow>(
    `SELECT ${SUMMARY_SELECT}, ${LEG_SELECT},
            (SELECT h.credits_minor - h.debits_minor FROM ${LIVE_SCHEMA}.balance_history h
              WHERE h.account = 'wallet:' || l.wallet_id AND h.currency = l.currency
                AND h.commit_pos = l.posted_commit AND h.prepare_pos = l.posted_prepare) AS balance_after_minor
       FROM ${LIVE_SCHEMA}.movement_legs l
       JOIN ${LIVE_SCHEMA}.movement_summaries s USING (movement_id)
      WHERE ${where}
      ORDER BY l.created_commit DESC, l.created_prepare DESC, l.movement_id DESC
      LIMIT ${limit}`,
    params,
  );
  return rows;
}

function lineOf(row: LineRow): StatementLine {
  return {
    movement: summaryOf(row),
    leg: legOf(row),
    ...(row.balance_after_minor !== null && {
      balanceAfterMinor: toBigInt(row.balance_after_minor),
    }),
  };
}
