/** Every way the ledger or its read models can fail verification, by name. */
export type DifferenceKind =
  | 'unbalanced_currency'
  | 'negative_balance'
  | 'revision_gap'
  | 'unreadable_event'
  | 'impossible_event'
  | 'entry_mismatch'
  | 'wallet_missing'
  | 'wallet_unexpected'
  | 'wallet_mismatch'
  | 'history_mismatch'
  | 'account_missing'
  | 'account_unexpected'
  | 'account_mismatch'
  | 'balance_history_mismatch'
  | 'ledger_totals_mismatch'
  | 'checkpoint_not_in_log';

export interface Difference {
  readonly kind: DifferenceKind;
  /** What differs: a wallet id, an account and currency, an event id or a currency. */
  readonly subject: string;
  readonly field?: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface TrialBalanceTotals {
  readonly currency: string;
  readonly debitsMinor: string;
  readonly creditsMinor: string;
}

export interface VerifyReport {
  /** No difference of any kind. */
  readonly clean: boolean;
  readonly eventsRead: number;
  readonly walletEvents: number;
  readonly wallets: number;
  /** System and transit accounts, one per currency they were used in. */
  readonly accounts: number;
  readonly currencies: readonly string[];
  readonly trialBalance: readonly TrialBalanceTotals[];
  /** The log was replayed up to here. */
  readonly head: string;
  /** The read models were compared at this checkpoint; absent when not compared. */
  readonly readModelsAt?: string;
  /** True when the read models had not reached `head` within the wait (not itself a difference). */
  readonly readModelsBehind?: boolean;
  /** All differences found; `differences` lists the first MAX_LISTED_DIFFERENCES. */
  readonly differenceCount: number;
  readonly differences: readonly Difference[];
  readonly elapsedMs: number;
}

/** A corrupted read model may differ on every row; the report stays readable. */
export const MAX_LISTED_DIFFERENCES = 100;

/** A collector that counts every difference and keeps the first few. */
export class Differences {
  readonly listed: Difference[] = [];
  count = 0;

  readonly add = (difference: Difference): void => {
    this.count++;
    if (this.listed.length < MAX_LISTED_DIFFERENCES) this.listed.push(difference);
  };
}

export function formatReport(report: VerifyReport): string {
  const lines = [
    `ledger verify: ${report.clean ? 'CLEAN' : 'DIFFERENCES FOUND'}`,
    `  events read      ${report.eventsRead} (${report.walletEvents} wallet events)`,
    `  head             ${report.head}`,
    `  read models at   ${report.readModelsAt ?? 'not compared'}${report.readModelsBehind ? ' (behind head)' : ''}`,
    `  wallets          ${report.wallets}`,
    `  accounts         ${report.accounts}`,
    `  currencies       ${report.currencies.join(', ') || '-'}`,
    ...report.trialBalance.map(
      (t) => `  ${t.currency}  debits ${t.debitsMinor}  credits ${t.creditsMinor}`,
    ),
    `  differences      ${report.differenceCount}`,
    ...report.differences.map(
      (d) =>
        `    ${d.kind} ${d.subject}${d.field ? ` ${d.field}` : ''}${d.expected !== undefined ? ` expected ${d.expected}` : ''}${d.actual !== undefined ? ` actual ${d.actual}` : ''}`,
    ),
    `  elapsed          ${report.elapsedMs} ms`,
  ];
  return lines.join('\n');
}
