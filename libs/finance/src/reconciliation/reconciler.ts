import { createHash } from 'node:crypto';
import type { ProviderReport, ProviderReportItem } from '@ledger/payments';
import type {
  BreakKind,
  ClearingBalance,
  ClearingLine,
  LedgerMovement,
  LedgerObject,
  MatchedItem,
  ProviderCoverage,
  Rail,
  ReadModelMovement,
  ReconciliationBreak,
  ReconciliationReport,
} from './reconciliation.types';

export interface ReconcileOptions {
  readonly amountToleranceMinor: bigint;
  readonly dateToleranceHours: number;
  readonly clearingDeadlineHours: number;
}

export interface RailReport {
  readonly rail: Rail;
  readonly provider: string;
  readonly report: ProviderReport;
}

export interface ReconcileInput {
  readonly from: Date;
  readonly to: Date;
  readonly now: Date;
  readonly options: ReconcileOptions;
  /** One per rail in use; a rail without a gateway is left out. */
  readonly rails: readonly RailReport[];
  /** The saga streams of every top-up and withdrawal that may have an object in the period. */
  readonly movements: readonly LedgerMovement[];
  readonly truncated: boolean;
  readonly readModel: ReadonlyMap<string, ReadModelMovement>;
  /** Each clearing account's opening and closing balance, keyed `account|currency`; null when unknown. */
  readonly clearingBalances: ReadonlyMap<string, ClearingBalance> | null;
}

const HOUR_MS = 3_600_000;
const CARD_CLEARING = 'system:card_clearing';
const PAYOUTS_CLEARING = 'system:payouts_clearing';

/**
 * Three-way reconciliation of one period, a pure function of what was read:
 * the ledger's record of every provider object (saga streams), the read
 * models, and each provider's report, matched by object id, then amount,
 * currency, date and status within the tolerances; and the clearing
 * accounts' movement against what the providers settled.
 *
 * An object counts as in the period by its own date: the ledger's for
 * "missing at the provider", the provider's for "missing in the ledger", so
 * that an object either side dated just across the boundary is matched
 * instead of reported missing (the reader fetches both sides with a margin).
 */
export function reconcile(input: ReconcileInput): ReconciliationReport {
  const { from, to, now, options } = input;
  const breaks: ReconciliationBreak[] = [];
  const matched: MatchedItem[] = [];
  const inPeriod = (d: Date) => d.getTime() >= from.getTime() && d.getTime() < to.getTime();
  const toleranceMs = options.dateToleranceHours * HOUR_MS;
  const providers: ProviderCoverage[] = [];
  const settledBy = new Map<string, bigint>();
  const settle = (account: string, currency: string, amount: bigint) =>
    settledBy.set(
      `${account}|${currency}`,
      (settledBy.get(`${account}|${currency}`) ?? 0n) + amount,
    );

  for (const rail of input.rails) {
    const ledgerObjects = input.movements
      .filter((m) => m.rail === rail.rail)
      .flatMap((m) => m.objects);
    const report = rail.report;
    if (!report.supported) {
      providers.push({
        provider: rail.provider,
        rail: rail.rail,
        report: 'not_supported',
        reason: report.reason,
        items: 0,
      });
      // Without the provider's word, the clearing accounts are held against
      // the ledger's own record of what settled.
      for (const o of ledgerObjects)
        if (o.state === 'settled' && inPeriod(o.recordedAt)) settleObject(settle, o);
      continue;
    }
    providers.push({
      provider: rail.provider,
      rail: rail.rail,
      report: report.truncated ? 'truncated' : 'complete',
      items: report.items.length,
    });
    const byId = new Map<string, ProviderReportItem>();
    for (const item of report.items) byId.set(item.objectId, item);
    const known = new Set<string>();
    for (const o of ledgerObjects) {
      known.add(o.objectId);
      const item = byId.get(o.objectId);
      const at = (kind: BreakKind, detail: string, extra: Partial<ReconciliationBreak> = {}) =>
        breaks.push(objectBreak(kind, rail.provider, o, detail, item, extra));
      if (!item) {
        // A pending object the provider never booked is no settlement yet, and
        // one the provider refused (a declined payout) may well be absent.
        if (inPeriod(o.recordedAt) && o.state === 'settled')
          at('missing_at_provider', `${o.type} ${o.objectId} is not in ${rail.provider}'s report`);
        continue;
      }
      if (inPeriod(item.occurredAt) && isSettled(item)) settleItem(settle, item);
      let clean = true;
      if (item.currency !== o.currency) {
        clean = false;
        at(
          'currency_mismatch',
          `the ledger recorded ${o.currency}, ${rail.provider} booked ${item.currency}`,
        );
      } else if (abs(item.amountMinor - o.amountMinor) > options.amountToleranceMinor) {
        clean = false;
        at(
          'amount_mismatch',
          `the ledger recorded ${o.amountMinor}, ${rail.provider} booked ${item.amountMinor} ${item.currency}`,
        );
      }
      if (Math.abs(item.occurredAt.getTime() - o.recordedAt.getTime()) > toleranceMs) {
        clean = false;
        at(
          'date_mismatch',
          `recorded ${o.recordedAt.toISOString()}, booked ${item.occurredAt.toISOString()} (tolerance ${options.dateToleranceHours} h)`,
        );
      }
      if (contradicts(o, item)) {
        clean = false;
        at(
          'status_mismatch',
          `the ledger recorded ${o.state}, ${rail.provider} says ${item.status}`,
        );
      }
      if (clean && (inPeriod(o.recordedAt) || inPeriod(item.occurredAt)))
        matched.push({
          provider: rail.provider,
          type: o.type,
          objectId: o.objectId,
          movementId: o.movementId,
          amountMinor: o.amountMinor,
          currency: o.currency,
        });
    }
    for (const item of report.items) {
      if (known.has(item.objectId) || !inPeriod(item.occurredAt)) continue;
      if (isSettled(item)) settleItem(settle, item);
      breaks.push({
        id: breakId('missing_in_ledger', rail.provider, item.objectId, item.currency),
        kind: 'missing_in_ledger',
        provider: rail.provider,
        objectId: item.objectId,
        currency: item.currency,
        providerAmountMinor: item.amountMinor,
        detail: `${rail.provider} booked ${item.type} ${item.objectId} (${item.status}) that the ledger has no record of`,
      });
    }
  }

  for (const m of input.movements) {
    if (!inPeriod(m.requestedAt)) continue;
    const row = input.readModel.get(m.movementId);
    if (!row) {
      breaks.push(movementBreak('missing_in_read_model', m, 'the read models do not show it'));
      continue;
    }
    const differences = [
      row.amountMinor !== m.amountMinor && `amount ${row.amountMinor} (log ${m.amountMinor})`,
      row.currency !== m.currency && `currency ${row.currency} (log ${m.currency})`,
      row.status !== m.status && `status ${row.status} (log ${m.status})`,
    ].filter((d): d is string => typeof d === 'string');
    if (differences.length > 0)
      breaks.push(
        movementBreak('read_model_mismatch', m, `the read models show ${differences.join(', ')}`, {
          providerAmountMinor: undefined,
          ledgerAmountMinor: m.amountMinor,
        }),
      );
  }

  const deadline = now.getTime() - options.clearingDeadlineHours * HOUR_MS;
  for (const m of input.movements)
    for (const o of m.objects) {
      if (o.state !== 'pending' || o.recordedAt.getTime() >= deadline) continue;
      if (o.recordedAt.getTime() >= to.getTime()) continue;
      const provider = input.rails.find((r) => r.rail === o.rail)?.provider ?? o.rail;
      breaks.push(
        objectBreak(
          'clearing_overdue',
          provider,
          o,
          `${o.type} ${o.objectId} has been in clearing since ${o.recordedAt.toISOString()} with no final report (deadline ${options.clearingDeadlineHours} h)`,
        ),
      );
    }

  const clearing = input.clearingBalances && clearingLines(input.clearingBalances, settledBy);
  for (const line of clearing ?? []) {
    if (line.differenceMinor === 0n) continue;
    breaks.push({
      id: breakId(
        'clearing_mismatch',
        'ledger',
        `${line.account}:${from.toISOString()}:${to.toISOString()}`,
        line.currency,
      ),
      kind: 'clearing_mismatch',
      provider: 'ledger',
      objectId: line.account,
      currency: line.currency,
      ledgerAmountMinor: line.actualMinor,
      providerAmountMinor: line.expectedMinor,
      detail: `${line.account} closed at ${line.actualMinor} ${line.currency}; opening ${line.openingMinor} plus ${line.settledMinor} settled by the providers is ${line.expectedMinor}`,
    });
  }

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    generatedAt: now.toISOString(),
    providers,
    movements: input.movements.length,
    truncated: input.truncated,
    matched,
    breaks,
    clearing,
  };
}

/** The same difference about the same subject is the same break, whichever run finds it. */
export function breakId(kind: BreakKind, provider: string, subject: string, currency = ''): string {
  const digest = createHash('sha256').update(`${kind}\n${provider}\n${subject}\n${currency}`);
  return `brk_${digest.digest('hex').slice(0, 24)}`;
}

function objectBreak(
  kind: BreakKind,
  provider: string,
  o: LedgerObject,
  detail: string,
  item?: ProviderReportItem,
  extra: Partial<ReconciliationBreak> = {},
): ReconciliationBreak {
  return {
    id: breakId(kind, provider, o.objectId, o.currency),
    kind,
    provider,
    objectId: o.objectId,
    movementId: o.movementId,
    currency: o.currency,
    ledgerAmountMinor: o.amountMinor,
    ...(item && { providerAmountMinor: item.amountMinor }),
    detail,
    ...extra,
  };
}

function movementBreak(
  kind: BreakKind,
  m: LedgerMovement,
  detail: string,
  extra: Partial<ReconciliationBreak> = {},
): ReconciliationBreak {
  return {
    id: breakId(kind, 'ledger', m.movementId, m.currency),
    kind,
    provider: 'ledger',
    objectId: m.movementId,
    movementId: m.movementId,
    currency: m.currency,
    ledgerAmountMinor: m.amountMinor,
    detail,
    ...extra,
  };
}

function isSettled(item: ProviderReportItem): boolean {
  return item.status === 'succeeded' || item.status === 'paid' || item.status === 'available';
}

function contradicts(o: LedgerObject, item: ProviderReportItem): boolean {
  const failed = item.status === 'failed' || item.status === 'canceled';
  if (o.state === 'settled') return failed;
  if (o.state === 'failed' || o.state === 'canceled') return isSettled(item);
  return false;
}

type Settle = (account: string, currency: string, amount: bigint) => void;

/** Card clearing is debited as top-ups credit wallets; payouts clearing credited as payouts capture. */
function settleItem(settle: Settle, item: ProviderReportItem): void {
  if (item.type === 'charge') settle(CARD_CLEARING, item.currency, item.amountMinor);
  else if (item.type === 'refund') settle(CARD_CLEARING, item.currency, -item.amountMinor);
  else settle(PAYOUTS_CLEARING, item.currency, -item.amountMinor);
}

function settleObject(settle: Settle, o: LedgerObject): void {
  settleItem(settle, { ...o, occurredAt: o.recordedAt, status: 'succeeded' });
}

function clearingLines(
  balances: ReadonlyMap<string, ClearingBalance>,
  settled: ReadonlyMap<string, bigint>,
): ClearingLine[] {
  const keys = [...new Set([...balances.keys(), ...settled.keys()])].sort();
  return keys.map((key) => {
    const [account, currency] = key.split('|') as [ClearingLine['account'], string];
    const openingMinor = balances.get(key)?.openingMinor ?? 0n;
    const settledMinor = settled.get(key) ?? 0n;
    const expectedMinor = openingMinor + settledMinor;
    const actualMinor = balances.get(key)?.closingMinor ?? 0n;
    return {
      account,
      currency,
      openingMinor,
      settledMinor,
      expectedMinor,
      actualMinor,
      differenceMinor: actualMinor - expectedMinor,
    };
  });
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
