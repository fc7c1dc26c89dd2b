import type { SqlExecutor } from '@ledger/database';
import type { EventStore } from '@ledger/event-store';
import type { PaymentGateway } from '@ledger/payments';
import type { FinanceConfig } from '../finance.config';
import { breakStatuses, recordBreaks, type BreakStatus } from './breaks.repository';
import { clearingMovement, readLedgerMovements, readModelMovements } from './ledger-record';
import { reconcile } from './reconciler';
import type { Rail, ReconciliationBreak, ReconciliationReport } from './reconciliation.types';

export interface ReconciliationDeps {
  readonly db: SqlExecutor;
  readonly store: EventStore;
  /** The card gateway, and the mobile-money one when configured. */
  readonly gateways: ReadonlyArray<{ readonly rail: Rail; readonly gateway: PaymentGateway }>;
  readonly config: FinanceConfig;
  readonly now?: () => Date;
}

export type ReportedBreak = ReconciliationBreak & { readonly status: BreakStatus };

export interface ReconciliationResult extends Omit<ReconciliationReport, 'breaks'> {
  readonly breaks: readonly ReportedBreak[];
}

/** The longest period one run reconciles. */
export const MAX_PERIOD_DAYS = 93;

/**
 * Reads the three sides of [from, to) and reconciles them. `record`: store
 * the breaks found (the CLI and finance's run); without it the report is
 * computed and only shows each break's stored status, writing nothing.
 */
export async function runReconciliation(
  deps: ReconciliationDeps,
  period: { from: Date; to: Date },
  options: { record: boolean },
): Promise<ReconciliationResult> {
  const now = deps.now?.() ?? new Date();
  const marginMs = deps.config.dateToleranceHours * 3_600_000;
  const window = {
    from: new Date(period.from.getTime() - marginMs),
    to: new Date(period.to.getTime() + marginMs),
  };
  const rails = await Promise.all(
    deps.gateways.map(async ({ rail, gateway }) => ({
      rail,
      provider: gateway.provider,
      report: await gateway.providerReport(window),
    })),
  );
  const { movements, truncated } = await readLedgerMovements(deps.db, deps.store, period);
  const readModel = await readModelMovements(
    deps.db,
    movements.map((m) => m.movementId),
  );
  const clearingBalances = await clearingMovement(deps.db, period);
  const report = reconcile({
    from: period.from,
    to: period.to,
    now,
    options: deps.config,
    rails,
    movements,
    truncated,
    readModel,
    clearingBalances,
  });
  if (options.record) await recordBreaks(deps.db, report.breaks);
  const statuses = await breakStatuses(
    deps.db,
    report.breaks.map((b) => b.id),
  );
  return {
    ...report,
    breaks: report.breaks.map((b) => ({ ...b, status: statuses.get(b.id) ?? 'open' })),
  };
}

const CSV_COLUMNS = [
  'row',
  'kind',
  'status',
  'provider',
  'object_id',
  'movement_id',
  'currency',
  'ledger_amount_minor',
  'provider_amount_minor',
  'detail',
] as const;

/**
 * The report as CSV (RFC 4180): one row per matched item, break and clearing
 * line, so a spreadsheet can filter on `row`.
 */
export function reconciliationCsv(result: ReconciliationResult): string {
  const lines: string[][] = [CSV_COLUMNS.slice()];
  for (const m of result.matched)
    lines.push([
      'matched',
      m.type,
      'matched',
      m.provider,
      m.objectId,
      m.movementId,
      m.currency,
      String(m.amountMinor),
      String(m.amountMinor),
      '',
    ]);
  for (const b of result.breaks)
    lines.push([
      'break',
      b.kind,
      b.status,
      b.provider,
      b.objectId,
      b.movementId ?? '',
      b.currency ?? '',
      b.ledgerAmountMinor?.toString() ?? '',
      b.providerAmountMinor?.toString() ?? '',
      b.detail,
    ]);
  for (const c of result.clearing ?? [])
    lines.push([
      'clearing',
      c.account,
      c.differenceMinor === 0n ? 'matched' : 'difference',
      'ledger',
      c.account,
      '',
      c.currency,
      String(c.actualMinor),
      String(c.expectedMinor),
      `opening ${c.openingMinor}, settled ${c.settledMinor}, difference ${c.differenceMinor}`,
    ]);
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  // A leading =, +, - or @ would be a formula to a spreadsheet; quote and prefix it.
  const safe = /^[=+\-@]/.test(value) && !/^-?\d+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}
