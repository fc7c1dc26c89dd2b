import type { SqlExecutor } from '@ledger/database';
import { toBigInt } from '@ledger/ledger';
import { LIVE_SCHEMA } from '../schema';

/** Per currency, the sum of every account's debits and credits: wallets, system and transit. */
export interface TrialBalanceLine {
  readonly currency: string;
  readonly debitsMinor: bigint;
  readonly creditsMinor: bigint;
  /** Double entry holds: every entry debits one account and credits another by the same amount. */
  readonly balanced: boolean;
}

export interface TrialBalance {
  readonly lines: TrialBalanceLine[];
  readonly balanced: boolean;
}

export async function trialBalance(db: SqlExecutor): Promise<TrialBalance> {
  // One snapshot for both tables (a single statement), so a batch committing
  // meanwhile cannot show up in one half only.
  const { rows } = await db.query<{ currency: string; debits: unknown; credits: unknown }>(
    `SELECT currency, sum(debits_minor)::text AS debits, sum(credits_minor)::text AS credits
       FROM (SELECT currency, debits_minor, credits_minor FROM ${LIVE_SCHEMA}.wallet_balances
             UNION ALL
             SELECT currency, debits_minor, credits_minor FROM ${LIVE_SCHEMA}.account_balances) legs
      GROUP BY currency
      ORDER BY currency`,
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
